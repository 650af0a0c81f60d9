// The one request handler behind both transports: the web server's
// WebSocket and Electron main's IPC. It owns the open lab (path, text,
// parsed topology) and the running simulation.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseLab } from '../../core/lab/parse.js';
import type { Topology } from '../../core/lab/topology.js';
import {
  PROTOCOL_VERSION,
  parseRequestEnvelope,
  type CommandResult,
  type LabDoc,
  type Request,
  type ResponseEnvelope,
  type ResultMap,
  type SessionState,
  type TraceRecord,
} from '../../renderer/src/bridge/protocol.js';
import { writeFileAtomic } from './atomic-write.js';
import { toLabView } from './lab-view.js';

type Maybe<T> = T | Promise<T>;

/** The part of core's LabRunner the app uses (synchronous inline, or async
 * when hosts run in other processes). */
export interface RunnerLike {
  boot(): Maybe<void>;
  runCommand(host: string, line: string): Maybe<CommandResult>;
  readonly now: number;
  drainTrace(): TraceRecord[];
  /** Start a line without waiting for it (checks with `background: true`). */
  startBackground?(host: string, line: string): unknown;
  /** Let virtual time pass. */
  idle?(ns: number): Maybe<void>;
  /** Release what the run holds (host processes). */
  close?(): Maybe<void>;
}

/** After starting a background check, this much virtual time passes (as the oracle does). */
export const BACKGROUND_SETTLE_NS = 300_000_000;

export type RunnerFactory = (topo: Topology) => RunnerLike;

/** Most trace records handed out per request; older ones are dropped (and counted). */
export const MAX_TRACE_BATCH = 20_000;

export class LabSession {
  private path: string | null = null;
  private text = '';
  private topo: Topology | null = null;
  private runner: RunnerLike | null = null;

  constructor(
    private readonly makeRunner: RunnerFactory,
    private readonly opts: { cwd?: string } = {},
  ) {}

  get running(): boolean {
    return this.runner !== null;
  }

  private resolve(p: string): string {
    return path.resolve(this.opts.cwd ?? process.cwd(), p);
  }

  private state(): SessionState {
    return { running: this.runner !== null, now: this.runner?.now ?? 0 };
  }

  private doc(): LabDoc & SessionState {
    if (!this.topo) throw new Error('no lab is open');
    return { path: this.path, text: this.text, lab: toLabView(this.topo), ...this.state() };
  }

  /** Load a lab from a file (stops a running one). */
  async openFile(p: string): Promise<LabDoc & SessionState> {
    const abs = this.resolve(p);
    const text = await readFile(abs, 'utf8');
    const topo = parseLab(text, path.basename(abs));
    this.stop();
    Object.assign(this, { path: abs, text, topo });
    return this.doc();
  }

  openText(text: string, name: string): LabDoc & SessionState {
    const topo = parseLab(text, name);
    this.stop();
    Object.assign(this, { path: null, text, topo });
    return this.doc();
  }

  private stop(): void {
    const r = this.runner;
    this.runner = null;
    void Promise.resolve(r?.close?.()).catch(() => {});
  }

  private requireRunner(): RunnerLike {
    if (!this.runner) throw new Error('the lab is not running: press Start first');
    return this.runner;
  }

  async handle<T extends Request>(req: T): Promise<ResultMap[T['type']]>;
  async handle(req: Request): Promise<ResultMap[keyof ResultMap]> {
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
        return this.doc();
      }
      case 'save': {
        const abs = this.resolve(req.path);
        const topo = parseLab(req.text, path.basename(abs));
        await writeFileAtomic(abs, req.text);
        Object.assign(this, { path: abs, text: req.text, topo });
        return this.doc();
      }
      case 'start': {
        if (!this.topo) throw new Error('no lab is open');
        this.stop();
        const r = this.makeRunner(this.topo);
        try {
          await r.boot();
        } catch (e) {
          void Promise.resolve(r.close?.()).catch(() => {});
          throw e;
        }
        this.runner = r;
        return this.state();
      }
      case 'run': {
        const r = this.requireRunner();
        if (!this.topo?.hosts.some((h) => h.name === req.host)) throw new Error(`no host named '${req.host}'`);
        if (req.background) {
          if (!r.startBackground) throw new Error('this simulator cannot run commands in the background');
          await r.startBackground(req.host, req.line);
          await r.idle?.(BACKGROUND_SETTLE_NS);
          return { ...this.state(), result: { exit: 0, stdout: '', stderr: '' } };
        }
        const result = await r.runCommand(req.host, req.line);
        return { ...this.state(), result };
      }
      case 'trace': {
        const all = this.runner ? this.runner.drainTrace() : [];
        const dropped = Math.max(0, all.length - MAX_TRACE_BATCH);
        return { ...this.state(), records: dropped ? all.slice(dropped) : all, dropped };
      }
      case 'stop':
        this.stop();
        return this.state();
    }
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Validate an untrusted envelope, run it, and wrap the outcome. Never throws. */
export async function respond(session: LabSession, raw: unknown): Promise<ResponseEnvelope> {
  let id = 0;
  try {
    const env = parseRequestEnvelope(raw);
    id = env.id;
    const result = await session.handle(env.req);
    return { v: PROTOCOL_VERSION, id, ok: true, result };
  } catch (e) {
    if (typeof raw === 'object' && raw !== null && Number.isSafeInteger((raw as { id?: unknown }).id)) {
      id = (raw as { id: number }).id;
    }
    return { v: PROTOCOL_VERSION, id, ok: false, error: message(e) };
  }
}
