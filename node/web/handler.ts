// The one request handler behind both transports: the web server's
// WebSocket and Electron main's IPC. It owns the open lab (path, text,
// parsed topology) and the running simulation (live.ts, with its hosts
// where the RunnerFactory puts them: host processes in the app).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseLab } from '../../core/lab/parse.js';
import type { Topology } from '../../core/lab/topology.js';
import {
  PROTOCOL_VERSION,
  parseRequestEnvelope,
  type LabDoc,
  type Request,
  type ResponseEnvelope,
  type ResultMap,
  type SessionState,
} from '../../renderer/src/bridge/protocol.js';
import { writeFileAtomic } from './atomic-write.js';
import type { CrashBackups } from './backup.js';
import { toLabView } from './lab-view.js';
import { LiveController } from './live.js';
import type { RunnerFactory } from './runner.js';
import { BatchStream } from './stream.js';
import { systemClock } from '../../node/runtime/clock.js';
import type { LiveBatch, LiveView } from '../../renderer/src/bridge/protocol.js';

/** After starting a background check, this much virtual time passes (as the oracle does). */
export const BACKGROUND_SETTLE_NS = 300_000_000;

export type { RunnerFactory };

export class LabSession {
  private path: string | null = null;
  private text = '';
  private topo: Topology | null = null;
  /** The running lab (issue #6), null while stopped. */
  private live: LiveController | null = null;
  /** Connected renderers' streams (push), and the one for pull requests. */
  readonly streams = new Set<BatchStream>();
  private pullStream: BatchStream | null = null;

  constructor(
    private readonly makeRunner: RunnerFactory,
    private readonly opts: { cwd?: string; backups?: CrashBackups } = {},
  ) {}

  get running(): boolean {
    return this.live !== null;
  }

  /** A stream of live batches for one connection (`send` null: pull mode). */
  openStream(send: ((b: LiveBatch) => void) | null): BatchStream {
    const s = new BatchStream(send, () => this.liveView());
    this.streams.add(s);
    return s;
  }

  closeStream(s: BatchStream): void {
    s.close();
    this.streams.delete(s);
  }

  liveView(): LiveView {
    return this.live?.view() ?? { state: 'closed', speed: 1, now: 0, windows: 0, behindMs: 0, events: 0, backSteps: 0 };
  }

  private requireLive(): LiveController {
    if (!this.live) throw new Error('the lab is not running: press Start first');
    return this.live;
  }

  /** Boot the lab (paused) in place of the one running, once that one has
   * let go of its host processes (the new run takes them from the pool). */
  private async startLive(): Promise<void> {
    const lc = new LiveController(this.topo!, this.makeRunner, { clock: systemClock, streams: () => this.streams });
    const old = this.live;
    this.live = null;
    await old?.close().catch(() => {});
    try {
      await lc.start(false);
    } catch (e) {
      void lc.close().catch(() => {});
      throw e;
    }
    this.live = lc;
  }

  /** Start host processes for this lab ahead of Start. */
  private prepare(topo: Topology): void {
    this.makeRunner.prepare?.(topo, this.live?.processes().length ?? 0);
  }

  /** The running lab's host processes (for tests and diagnostics). */
  processStatus(): ReturnType<LiveController['processes']> {
    return this.live?.processes() ?? [];
  }

  /** Stop the lab and let go of host processes (server shutdown). */
  async close(): Promise<void> {
    const lc = this.live;
    this.live = null;
    await lc?.close().catch(() => {});
    this.makeRunner.close?.();
  }

  private resolve(p: string): string {
    return path.resolve(this.opts.cwd ?? process.cwd(), p);
  }

  private state(): SessionState {
    return { running: this.live !== null, now: this.live?.now ?? 0 };
  }

  private doc(): LabDoc & SessionState {
    if (!this.topo) throw new Error('no lab is open');
    return { path: this.path, text: this.text, lab: toLabView(this.topo), ...this.state() };
  }

  /** Take a crash backup's text as an unsaved edit of its lab (stops a running
   * one); the lab file is read, not written. */
  private async restoreBackup(id: string): Promise<ResultMap['restoreBackup']> {
    const backups = this.opts.backups;
    if (!backups) throw new Error('no backups here');
    const b = await backups.read(id);
    const topo = parseLab(b.text, b.path ? path.basename(b.path) : 'lab');
    const savedText = b.path ? await readFile(b.path, 'utf8').catch(() => null) : null;
    this.stop();
    Object.assign(this, { path: b.path, text: b.text, topo });
    backups.forget(id);
    return { ...this.doc(), savedText };
  }

  /** Load a lab from a file (stops a running one). */
  async openFile(p: string): Promise<LabDoc & SessionState> {
    const abs = this.resolve(p);
    const text = await readFile(abs, 'utf8');
    const topo = parseLab(text, path.basename(abs));
    this.stop();
    Object.assign(this, { path: abs, text, topo });
    this.prepare(topo);
    return this.doc();
  }

  openText(text: string, name: string): LabDoc & SessionState {
    const topo = parseLab(text, name);
    this.stop();
    Object.assign(this, { path: null, text, topo });
    this.prepare(topo);
    return this.doc();
  }

  private stop(): void {
    const lc = this.live;
    this.live = null;
    void lc?.close().catch(() => {});
  }

  async handle<T extends Request>(req: T, ctx?: { stream?: BatchStream }): Promise<ResultMap[T['type']]>;
  async handle(req: Request, ctx: { stream?: BatchStream } = {}): Promise<ResultMap[keyof ResultMap]> {
    switch (req.type) {
      case 'open':
        return this.openFile(req.path);
      case 'openText':
        return this.openText(req.text, req.name);
      case 'getLab':
        return this.doc();
      case 'edit': {
        // A running lab keeps running the topology it booted with.
        this.topo = parseLab(req.text, this.path ? path.basename(this.path) : 'lab');
        this.text = req.text;
        this.prepare(this.topo);
        this.opts.backups?.note(this.path, req.text); // crash backup, shortly
        return this.doc();
      }
      case 'save': {
        const abs = this.resolve(req.path);
        const topo = parseLab(req.text, path.basename(abs));
        await writeFileAtomic(abs, req.text);
        const before = this.path;
        Object.assign(this, { path: abs, text: req.text, topo });
        // Saved: the backups of these edits (under the old and new name) go.
        await this.opts.backups?.clear(before);
        await this.opts.backups?.clear(abs);
        return this.doc();
      }
      case 'start': {
        if (!this.topo) throw new Error('no lab is open');
        await this.startLive();
        return this.state();
      }
      case 'run': {
        const lc = this.requireLive();
        if (!this.topo?.hosts.some((h) => h.name === req.host)) throw new Error(`no host named '${req.host}'`);
        if (req.background) {
          await lc.background(req.host, req.line, BACKGROUND_SETTLE_NS);
          return { ...this.state(), result: { exit: 0, stdout: '', stderr: '' } };
        }
        return { ...this.state(), result: await lc.run(req.host, req.line) };
      }
      case 'trace':
        return { ...this.state(), ...(this.live ? this.live.drainTraceBuffer() : { records: [], dropped: 0 }) };
      case 'stop':
        this.stop();
        return this.state();
      case 'live': {
        const lc = this.requireLive();
        if (req.op === 'play') await lc.play();
        else if (req.op === 'pause') await lc.pause();
        else if (req.op === 'step') await lc.step();
        else if (req.op === 'stepPacket') await lc.stepPacket(req.host!, req.skb!);
        else await lc.stepBack();
        return { ...this.state(), live: lc.view() };
      }
      case 'speed': {
        const lc = this.requireLive();
        lc.setSpeed(req.speed);
        return { ...this.state(), live: lc.view() };
      }
      case 'exec':
        return { ...this.state(), cmd: await this.requireLive().exec(req.host, req.line, req.term) };
      case 'input':
        await this.requireLive().input(req.cmd, req.text);
        return this.state();
      case 'interrupt':
        await this.requireLive().interrupt(req.cmd);
        return this.state();
      case 'ack':
        ctx.stream?.ack(req.seq);
        return this.state();
      case 'pull': {
        this.pullStream ??= this.openStream(null);
        return { ...this.state(), batch: this.pullStream.pull() };
      }
      case 'packet':
        return this.requireLive().packet(req.no);
      case 'snapshot':
        return this.requireLive().snapshot(req.host);
      case 'export':
        return this.requireLive().exportFiles(req.format, req.perHook, req.host);
      case 'restartHost': {
        const lc = this.requireLive();
        await lc.restartHost(req.host);
        return { ...this.state(), live: lc.view() };
      }
      case 'backups':
        return { backups: (await this.opts.backups?.list()) ?? [] };
      case 'restoreBackup':
        return this.restoreBackup(req.id);
      case 'discardBackup':
        return { backups: (await this.opts.backups?.discard(req.id)) ?? [] };
    }
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Validate an untrusted envelope, run it, and wrap the outcome. Never throws. */
export async function respond(session: LabSession, raw: unknown, ctx?: { stream?: BatchStream }): Promise<ResponseEnvelope> {
  let id = 0;
  try {
    const env = parseRequestEnvelope(raw);
    id = env.id;
    const result = await session.handle(env.req, ctx);
    return { v: PROTOCOL_VERSION, id, ok: true, result };
  } catch (e) {
    if (typeof raw === 'object' && raw !== null && Number.isSafeInteger((raw as { id?: unknown }).id)) {
      id = (raw as { id: number }).id;
    }
    return { v: PROTOCOL_VERSION, id, ok: false, error: message(e) };
  }
}
