// Ways to start a host process (node/host/entry.ts): Node's child_process
// (CLI, web mode, tests), Electron's utilityProcess (the app: electron/ passes
// utilityProcess.fork in, so nothing here imports Electron), or in this very
// process (no isolation, but the same protocol: for tests and debugging).
import { fork } from 'node:child_process';
import { HostAgent } from '../../core/runtime/host_agent.js';
import type { Channel, FromHost, ToHost } from '../../core/runtime/protocol.js';
import { ensureHostBundle, HOST_ENTRY_SOURCE, ROOT } from './bundle.js';

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
}

export type Spawner = (label: string) => HostProcess;

/** Host processes as Node child processes of the prebuilt entry (tsx if esbuild is missing). */
export async function childProcessSpawner(opts: { execArgv?: string[] } = {}): Promise<Spawner> {
  const bundle = await ensureHostBundle();
  const file = bundle ?? HOST_ENTRY_SOURCE;
  const execArgv = [...(bundle ? [] : ['--import', 'tsx']), ...(opts.execArgv ?? [])];
  return (label) => {
    const child = fork(file, [label], { execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'], cwd: ROOT });
    let exited = false;
    let onExit: ((d: string) => void) | null = null;
    let onMessage: ((m: FromHost) => void) | null = null;
    const gone = (detail: string) => {
      if (exited) return;
      exited = true;
      onExit?.(detail);
    };
    child.on('exit', (code, signal) => gone(signal ? `killed by ${signal}` : `exit status ${code}`));
    child.on('error', (e) => gone(`error: ${e.message}`));
    child.on('message', (m) => onMessage?.(m as FromHost));
    return {
      pid: child.pid,
      get alive() {
        return !exited;
      },
      send: (m: ToHost) => {
        if (child.connected) child.send(m);
      },
      onMessage: (fn) => (onMessage = fn),
      onExit: (fn) => (onExit = fn),
      kill: () => void child.kill('SIGKILL'),
    };
  };
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
export function utilityProcessSpawner(forkUtility: (modulePath: string, args: string[], opts: { serviceName: string; stdio: 'inherit' }) => UtilityProcessLike, modulePath: string): Spawner {
  return (label) => {
    const child = forkUtility(modulePath, [label], { serviceName: `stacklab host ${label}`, stdio: 'inherit' });
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
