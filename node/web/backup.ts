// Crash backups of the lab being edited: shortly after each edit, the dirty
// text goes (atomically) to a backup folder, one file per lab; a save
// removes it. Backups found when the app starts are what a crash (or a
// kill) left behind, and the renderer offers them back. The lab file
// itself is never written here.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import type { BackupInfo } from '../../renderer/src/bridge/protocol.js';

export type { BackupInfo };


interface BackupFile {
  v: 1;
  path: string | null;
  savedAt: number;
  text: string;
}

/** Where backups live by default: $STACKLAB_BACKUP_DIR, else the XDG state folder. */
export function defaultBackupDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.STACKLAB_BACKUP_DIR) return env.STACKLAB_BACKUP_DIR;
  const state = env.XDG_STATE_HOME || path.join(homedir(), '.local', 'state');
  return path.join(state, 'stacklab', 'backups');
}

/** Delay between the last edit and its backup (ms). */
export const BACKUP_DELAY_MS = 1000;
/** Largest text backed up (the protocol's own limit on lab text). */
const MAX_BACKUP_BYTES = 16 * 1024 * 1024;

export class CrashBackups {
  private pending = new Map<string, { path: string | null; text: string }>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private writing: Promise<void> = Promise.resolve();
  /** What the previous run left, read once: offered back until restored or discarded. */
  private found: Promise<BackupInfo[]> | null = null;

  constructor(
    readonly dir: string,
    readonly delayMs = BACKUP_DELAY_MS,
    private readonly now: () => number = Date.now,
  ) {}

  static idOf(labPath: string | null): string {
    return createHash('sha256').update(labPath ?? '\0untitled').digest('hex').slice(0, 16);
  }

  private file(id: string): string {
    if (!/^[0-9a-f]{16}$/.test(id)) throw new Error('no such backup');
    return path.join(this.dir, `${id}.json`);
  }

  /** The backups that were there when this was first asked (the start of the app). */
  list(): Promise<BackupInfo[]> {
    this.found ??= this.scan();
    return this.found;
  }

  private async scan(): Promise<BackupInfo[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const out: BackupInfo[] = [];
    for (const n of names.filter((x) => /^[0-9a-f]{16}\.json$/.test(x)).sort()) {
      try {
        const b = await this.load(n.slice(0, 16));
        out.push({ id: n.slice(0, 16), path: b.path, savedAt: b.savedAt, bytes: Buffer.byteLength(b.text) });
      } catch {
        // a torn or foreign file: not offered
      }
    }
    return out.sort((a, b) => b.savedAt - a.savedAt);
  }

  private async load(id: string): Promise<BackupFile> {
    const b = JSON.parse(await readFile(this.file(id), 'utf8')) as BackupFile;
    if (b.v !== 1 || typeof b.text !== 'string' || typeof b.savedAt !== 'number' || (b.path !== null && typeof b.path !== 'string')) throw new Error('not a backup');
    return b;
  }

  /** The lab at `labPath` was edited to `text`: back it up shortly. */
  note(labPath: string | null, text: string): void {
    if (Buffer.byteLength(text) > MAX_BACKUP_BYTES) return;
    void this.list(); // what the previous run left is read before this run writes
    this.pending.set(CrashBackups.idOf(labPath), { path: labPath, text });
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), this.delayMs);
    this.timer.unref?.();
  }

  /** Write what is pending now. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = [...this.pending];
    this.pending.clear();
    this.writing = this.writing.then(async () => {
      await this.list();
      if (!batch.length) return;
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      for (const [id, b] of batch) {
        const doc: BackupFile = { v: 1, path: b.path, savedAt: this.now(), text: b.text };
        await writeFileAtomic(this.file(id), JSON.stringify(doc));
      }
    }).catch(() => {}); // a backup that cannot be written must not break editing
    return this.writing;
  }

  /** The lab was saved (or its edits thrown away): its backup goes. */
  async clear(labPath: string | null): Promise<void> {
    const id = CrashBackups.idOf(labPath);
    this.pending.delete(id);
    await this.writing;
    await unlink(this.file(id)).catch(() => {});
  }

  /** A backup's text, for restoring. */
  async read(id: string): Promise<{ path: string | null; text: string }> {
    const b = await this.load(id);
    return { path: b.path, text: b.text };
  }

  /** Forget a backup: no longer offered, file removed. */
  async discard(id: string): Promise<BackupInfo[]> {
    const file = this.file(id);
    this.found = this.list().then((l) => l.filter((b) => b.id !== id));
    await this.writing;
    await unlink(file).catch(() => {});
    return this.found;
  }

  /** Restored: no longer offered (the file stays until the lab is saved). */
  forget(id: string): void {
    this.found = this.list().then((l) => l.filter((b) => b.id !== id));
  }
}
