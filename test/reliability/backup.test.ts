// Crash backups: shortly after each edit the unsaved text is in the backup
// folder; after a crash the next start offers it back (server side and the
// renderer's lab store, through the same request handler as the app); a save
// removes it; the lab file is only ever written by Save.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, test } from 'vitest';
import { LabSession, respond } from '../../node/web/handler.js';
import { makeRunner } from '../../node/web/runner.js';
import { CrashBackups, defaultBackupDir } from '../../node/web/backup.js';
import { setBridge, type Bridge } from '../../renderer/src/bridge/bridge.js';
import { PROTOCOL_VERSION, parseResponseEnvelope, type Request, type ResultOf } from '../../renderer/src/bridge/protocol.js';
import { useLabStore } from '../../renderer/src/stores/lab.js';

const LAB = new URL('../../labs/router-chain.lab.yaml', import.meta.url).pathname;

function bridgeTo(session: LabSession): Bridge {
  let id = 0;
  return {
    kind: 'test',
    async request<T extends Request>(req: T): Promise<ResultOf<T['type']>> {
      const wire = JSON.parse(JSON.stringify({ v: PROTOCOL_VERSION, id: ++id, req })) as unknown;
      const r = parseResponseEnvelope(JSON.parse(JSON.stringify(await respond(session, wire))));
      if (!r.ok) throw new Error(r.error);
      return r.result as ResultOf<T['type']>;
    },
  };
}

function setup() {
  const d = mkdtempSync(join(tmpdir(), 'stacklab-backup-'));
  const lab = join(d, 'chain.lab.yaml');
  copyFileSync(LAB, lab);
  return { d, lab, backups: join(d, 'backups'), original: readFileSync(lab, 'utf8'), mtime: statSync(lab).mtimeMs };
}

const edited = (t: string) => t.replace('name: router-chain', 'name: router-chain-edited');

describe('crash backups', () => {
  test('an edit is backed up shortly after, atomically, and not before', async () => {
    const s = setup();
    const b = new CrashBackups(s.backups, 50);
    const session = new LabSession(makeRunner, { backups: b });
    await session.openFile(s.lab);
    await session.handle({ type: 'edit', text: edited(s.original) });
    expect(readdirSync(s.d)).toEqual(['chain.lab.yaml']); // nothing yet
    await new Promise((r) => setTimeout(r, 200));
    await b.flush();
    const files = readdirSync(s.backups);
    expect(files).toEqual([`${CrashBackups.idOf(s.lab)}.json`]); // no temp file left
    expect(JSON.parse(readFileSync(join(s.backups, files[0]), 'utf8'))).toMatchObject({ v: 1, path: s.lab, text: edited(s.original) });
    expect([readFileSync(s.lab, 'utf8'), statSync(s.lab).mtimeMs]).toEqual([s.original, s.mtime]);
  });

  test('after a crash the next start offers the edits back; restoring makes them unsaved edits of the lab', async () => {
    const s = setup();
    const b1 = new CrashBackups(s.backups, 10_000);
    const first = new LabSession(makeRunner, { backups: b1 });
    await first.openFile(s.lab);
    await first.handle({ type: 'edit', text: edited(s.original) });
    await b1.flush(); // the timer fired; then the app died without saving

    const session = new LabSession(makeRunner, { backups: new CrashBackups(s.backups) });
    await session.openFile(LAB);
    setBridge(bridgeTo(session));
    setActivePinia(createPinia());
    const store = useLabStore();
    await store.refresh();
    await store.findBackups();
    expect(store.backups).toMatchObject([{ id: CrashBackups.idOf(s.lab), path: s.lab }]);
    await store.restoreBackup(store.backups[0].id);
    expect(store.path).toBe(s.lab);
    expect(store.text).toBe(edited(s.original));
    expect(store.dirty).toBe(true); // against the file as it is on disk
    expect(store.backups).toEqual([]);
    expect([readFileSync(s.lab, 'utf8'), statSync(s.lab).mtimeMs]).toEqual([s.original, s.mtime]);
    // Saving writes the lab and removes its backup: nothing offered next time.
    await store.save();
    expect(readFileSync(s.lab, 'utf8')).toBe(edited(s.original));
    expect(readdirSync(s.backups)).toEqual([]);
    expect((await new LabSession(makeRunner, { backups: new CrashBackups(s.backups) }).handle({ type: 'backups' })).backups).toEqual([]);
  });

  test('discarding removes the backup; a torn backup file is not offered', async () => {
    const s = setup();
    const b1 = new CrashBackups(s.backups);
    b1.note(s.lab, 'version: 1\n');
    b1.note(null, 'version: 1\nname: untitled\n');
    await b1.flush();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(s.backups, '0123456789abcdef.json'), '{"v":1,"path":nu');
    const b2 = new CrashBackups(s.backups);
    const found = await b2.list();
    expect(found.map((x) => x.path).sort()).toEqual([null, s.lab].sort());
    const left = await b2.discard(CrashBackups.idOf(null));
    expect(left.map((x) => x.path)).toEqual([s.lab]);
    expect(readdirSync(s.backups).sort()).toEqual(['0123456789abcdef.json', `${CrashBackups.idOf(s.lab)}.json`].sort());
  });

  test('backup ids are checked: no path can be smuggled in', async () => {
    const s = setup();
    const session = new LabSession(makeRunner, { backups: new CrashBackups(s.backups) });
    for (const id of ['../../etc/passwd', 'ABCDEF0123456789', '0123456789abcde']) {
      const r = await respond(session, { v: PROTOCOL_VERSION, id: 1, req: { type: 'restoreBackup', id } });
      expect(r).toMatchObject({ ok: false });
    }
  });

  test('the default folder', () => {
    expect(defaultBackupDir({ STACKLAB_BACKUP_DIR: '/x/b' })).toBe('/x/b');
    expect(defaultBackupDir({ XDG_STATE_HOME: '/s' })).toBe('/s/stacklab/backups');
  });
});
