// How the app runs a lab's hosts. Web mode and Electron run them in host
// processes (node/runtime: Node child processes, or the utility processes
// Electron main hands in), so a host that crashes or hangs takes only itself
// down and the server keeps answering. `makeRunner` runs every host in this
// process: the fallback for tests that drive the request handler directly
// (no processes to start or reap) and nothing else.
import { availableParallelism } from 'node:os';
import type { Topology } from '../../core/lab/topology.js';
import { openLab, type OpenLab } from '../runtime/lab.js';
import { ProcessPool } from '../runtime/pool.js';
import { childProcessSpawner, type Spawner } from '../runtime/spawn.js';
import type { HostEvent } from '../runtime/supervisor.js';

export interface RunnerHooks {
  /** A host process crashed, hung, or came back. */
  onHostEvent?: (e: HostEvent) => void;
}

export interface RunnerFactory {
  /** Open a lab's simulation (trace on, not booted). */
  open(topo: Topology, hooks?: RunnerHooks): Promise<OpenLab>;
  /** A lab was opened or edited: get ready to start it (processes ahead;
   * `inUse` are held by the lab running now, and come back when it stops). */
  prepare?(topo: Topology, inUse?: number): void;
  /** 'inline' or 'processes' (said in the UI and the logs). */
  readonly kind: 'inline' | 'processes';
  close?(): void;
}

/** Every host in this process (tests). */
export const makeRunner: RunnerFactory = {
  kind: 'inline',
  open: (topo) => openLab(topo, { processes: 0, trace: true }),
};

/** How many host processes a lab of `hosts` hosts gets: one per host while
 * there are few (a crash then takes exactly one host down, and the cost,
 * about 40 MiB and 60 ms of CPU per process, stays small); beyond that as
 * many as CPUs, hosts packed in topology order, since a window cannot run
 * on more CPUs than there are and every extra process adds a message per
 * window and its own heap. */
export function processesFor(hosts: number, cpus = availableParallelism()): number {
  const few = mostProcesses(cpus);
  return hosts <= few ? hosts : Math.max(2, cpus);
}

/** The most processes any lab gets (and the most kept idle between labs). */
export function mostProcesses(cpus = availableParallelism()): number {
  return Math.max(4, cpus);
}

/** Hosts in processes started by `spawner` (default: Node child processes),
 * kept warm in a pool: step back rebuilds the run in the same processes,
 * and a lab opened in the editor has its processes started before Start. */
export function hostProcesses(opts: { spawner?: Spawner; cpus?: number } = {}): RunnerFactory {
  let pool: ProcessPool | null = null;
  let spawner: Promise<Spawner> | null = null;
  const getPool = async (): Promise<ProcessPool> => {
    spawner ??= opts.spawner ? Promise.resolve(opts.spawner) : childProcessSpawner();
    const s = await spawner;
    return (pool ??= new ProcessPool(s, mostProcesses(opts.cpus)));
  };
  return {
    kind: 'processes',
    async open(topo, hooks = {}) {
      const p = await getPool();
      return openLab(topo, {
        processes: processesFor(topo.hosts.length, opts.cpus),
        trace: true,
        pool: p,
        onHostEvent: hooks.onHostEvent,
        // The user decides what a down host becomes: restarted from the
        // lab (its state lost) or the whole run replayed by step back.
        supervisor: { autoRestart: false },
      });
    },
    prepare(topo, inUse = 0) {
      void getPool()
        .then((p) => p.warm(processesFor(topo.hosts.length, opts.cpus) - inUse, 'warm'))
        .catch(() => {});
    },
    close() {
      pool?.close();
      pool = null;
    },
  };
}
