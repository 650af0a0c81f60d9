// Ways to start a host process (node/host/entry.ts): Node's child_process
// (CLI, web mode, tests; over blocking pipes where the OS has FIFOs, else
// Node's IPC), Electron's utilityProcess (the app: electron/ passes
// utilityProcess.fork in, so nothing here imports Electron; Node's IPC), or
// in this very process (no isolation, but the same protocol: for tests and
// debugging).
import { fork, type StdioOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { HostAgent } from '../../core/runtime/host_agent.js';
import type { Channel, FromHost, SyncChannel, ToHost } from '../../core/runtime/protocol.js';
import { ensureHostBundle, HOST_ENTRY_SOURCE, ROOT } from './bundle.js';
import { makePipes, PIPES_ENV, type FifoChannel } from './fifo_channel.js';

/** A process's blocking pipes, seen from the parent. When the process is
 * found gone (end of file, a write with no reader), onExit is called before
 * the read returns null. */
export interface PipeEnd extends SyncChannel {
  /** Replies that have arrived, without waiting; null once the process is gone. */
  poll(): FromHost[] | null;
}

/** A running host process: a Channel plus what a supervisor needs. A
 * process may serve several labs one after another (ProcessPool), so
 * onMessage and onExit replace the previous handler. */
export interface HostProcess extends Channel {
  readonly pid: number | undefined;
  /** Called once when the process is gone, however it went. */
  onExit(fn: ((detail: string) => void) | null): void;
  /** Still running (no exit seen). */
  readonly alive: boolean;
  /** SIGKILL (a hung process gets no chance to clean up). */
  kill(): void;
  /** Its blocking pipes, if it was started with them: then every request
   * goes there (send() too), and replies are read there, not by onMessage. */
  readonly pipes?: PipeEnd | null;
}

export type Spawner = (label: string) => HostProcess;

/** V8 flags for host processes. Each process runs its hosts' code alone, so
 * a function is called far less often per second than inline, where every
 * host shares it, and V8's default tier-up (--interrupt-budget=67584) keeps
 * a 32-process lab interpreted for ~10 s; an eighth of it optimizes within
 * a few seconds. */
export const HOST_V8_FLAGS = ['--interrupt-budget=8192'];

export interface ChildProcessOptions {
  execArgv?: string[];
  /** 'pipes' (the default where FIFOs exist: Linux, macOS): blocking pipes,
   * the synchronous methods work and windows cost no event loop turn;
   * 'ipc': Node's IPC channel (the fallback, and where mkfifo fails). */
  transport?: 'pipes' | 'ipc';
}

/** Host processes as Node child processes of the prebuilt entry (tsx if esbuild is missing). */
export async function childProcessSpawner(opts: ChildProcessOptions = {}): Promise<Spawner> {
  const bundle = await ensureHostBundle();
  const file = bundle ?? HOST_ENTRY_SOURCE;
  const execArgv = [...(bundle ? [] : ['--import', 'tsx']), ...HOST_V8_FLAGS, ...(opts.execArgv ?? [])];
  return (label) => {
    const pair = opts.transport === 'ipc' ? null : makePipes();
    const stdio: StdioOptions = ['ignore', 'inherit', 'inherit', 'ipc'];
    if (pair) stdio.push(pair.childReq, pair.childRep); // the child's fds 4 and 5
    let child: ReturnType<typeof fork>;
    try {
      child = fork(file, [label], { execArgv, serialization: 'advanced', stdio, cwd: ROOT, env: pair ? { ...process.env, [PIPES_ENV]: '4,5' } : process.env });
    } catch (e) {
      pair?.channel.close();
      throw e;
    } finally {
      pair?.release();
    }
    let exited = false;
    let onExit: ((d: string) => void) | null = null;
    let onMessage: ((m: FromHost) => void) | null = null;
    const gone = (detail: string) => {
      if (exited) return;
      exited = true;
      pair?.channel.close();
      onExit?.(detail);
    };
    child.on('exit', (code, signal) => gone(signal ? `killed by ${signal}` : `exit status ${code}`));
    child.on('error', (e) => gone(`error: ${e.message}`));
    child.on('message', (m) => onMessage?.(m as FromHost));
    const pipes = pair && pipeEnd(pair.channel, child.pid, gone);
    return {
      pid: child.pid,
      get alive() {
        return !exited;
      },
      send: (m: ToHost) => {
        if (pipes) pipes.post(m);
        else if (child.connected) child.send(m);
      },
      onMessage: (fn) => (onMessage = fn),
      onExit: (fn) => (onExit = fn),
      kill: () => {
        child.kill('SIGKILL');
        pair?.channel.close();
      },
      pipes,
      syncChannel: () => pipes,
    };
  };
}

/** The pipes of a child: finding it gone reports its exit at once (the
 * event loop, which would deliver the exit event, may be blocked). */
function pipeEnd(ch: FifoChannel, pid: number | undefined, gone: (detail: string) => void): PipeEnd {
  const check = () => {
    if (ch.dead && !ch.closed) gone(exitDetail(pid));
  };
  return {
    post: (m) => {
      ch.post(m);
      check();
    },
    receive: () => {
      const m = ch.receive();
      if (!m) check();
      return m;
    },
    poll: () => {
      const ms = ch.poll();
      if (!ms) check();
      return ms;
    },
  };
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** How a child that closed its pipes ended, as the exit event would say:
 * Linux shows a zombie's wait status in /proc/PID/stat (field 52), which
 * appears a moment after its descriptors close. */
export function exitDetail(pid: number | undefined): string {
  for (let i = 0; pid !== undefined && i < 50; i++) {
    let f: string[];
    try {
      const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
      f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    } catch {
      break;
    }
    if (f[0] === 'Z' && f.length > 49) {
      const status = Number(f[49]);
      const sig = status & 0x7f;
      if (!sig) return `exit status ${(status >> 8) & 0xff}`;
      const name = Object.entries(constants.signals).find(([, n]) => n === sig)?.[0];
      return `killed by ${name ?? `signal ${sig}`}`;
    }
    Atomics.wait(sleeper, 0, 0, 2);
  }
  return 'its pipe closed';
}

/** The part of Electron's UtilityProcess used here. */
export interface UtilityProcessLike {
  readonly pid: number | undefined;
  postMessage(m: unknown): void;
  on(ev: 'message', fn: (m: unknown) => void): unknown;
  on(ev: 'exit', fn: (code: number) => void): unknown;
  kill(): boolean;
}

/** Host processes as Electron utility processes. `forkUtility` is
 * `(modulePath, args, opts) => utilityProcess.fork(modulePath, args, opts)`;
 * `modulePath` is a bundle of node/host/entry.ts (see hostEntryBuildOptions). */
export function utilityProcessSpawner(forkUtility: (modulePath: string, args: string[], opts: { serviceName: string; stdio: 'inherit'; execArgv: string[] }) => UtilityProcessLike, modulePath: string): Spawner {
  return (label) => {
    const child = forkUtility(modulePath, [label], { serviceName: `stacklab host ${label}`, stdio: 'inherit', execArgv: HOST_V8_FLAGS });
    let exited = false;
    let onExit: ((d: string) => void) | null = null;
    let onMessage: ((m: FromHost) => void) | null = null;
    child.on('exit', (code: number) => {
      if (exited) return;
      exited = true;
      onExit?.(`exit status ${code}`);
    });
    child.on('message', (m: unknown) => onMessage?.(m as FromHost));
    return {
      get pid() {
        return child.pid;
      },
      get alive() {
        return !exited;
      },
      send: (m: ToHost) => {
        if (!exited) child.postMessage(m);
      },
      onMessage: (fn) => (onMessage = fn),
      onExit: (fn) => (onExit = fn),
      kill: () => void child.kill(),
    };
  };
}

/** The host agent in this process, behind the same asynchronous channel
 * (messages are structured-cloned, as between processes). */
export function inProcessSpawner(): Spawner {
  return () => {
    let toParent: ((m: FromHost) => void) | null = null;
    let onExit: ((d: string) => void) | null = null;
    let dead = false;
    const die = (d: string) => {
      if (dead) return;
      dead = true;
      onExit?.(d);
    };
    const agent = new HostAgent((m) => setImmediate(() => !dead && toParent?.(structuredClone(m))), {
      exit: (code) => setImmediate(() => die(`exit status ${code}`)),
      hang: () => {}, // cannot hang this process; the message just goes unanswered
    });
    return {
      pid: process.pid,
      get alive() {
        return !dead;
      },
      send: (m: ToHost) => setImmediate(() => !dead && agent.handle(structuredClone(m))),
      onMessage: (fn) => (toParent = fn),
      onExit: (fn) => (onExit = fn),
      kill: () => die('killed'),
    };
  };
}
