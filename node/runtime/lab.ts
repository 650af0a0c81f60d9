// Opens a lab with its hosts spread over processes (or inline): the entry
// point for the CLI, web mode, Electron and tests.
//
//   const lab = await openLab(topo, { processes: 4, onHostEvent: (e) => ... });
//   await lab.runner.bootAsync();
//   const results = await lab.runner.runChecksAsync();
//   await lab.close();
import type { Topology } from '../../core/lab/topology.js';
import { LabRunner } from '../../core/runtime/lab_runner.js';
import { RemoteHosts } from '../../core/runtime/remote_hosts.js';
import { childProcessSpawner, type Spawner } from './spawn.js';
import type { ProcessPool } from './pool.js';
import { Supervisor, type HostEvent, type SupervisorOptions } from './supervisor.js';

export interface OpenLabOptions {
  /** Host processes: 0 runs every host inline; default one per host. Hosts
   * are packed in topology order, about hosts/processes per process. */
  processes?: number;
  trace?: boolean;
  /** How to start a host process (default: Node child processes). */
  spawner?: Spawner;
  /** Take processes from this pool and give them back on close (overrides spawner). */
  pool?: ProcessPool;
  onHostEvent?: (e: HostEvent) => void;
  supervisor?: Omit<SupervisorOptions, 'onEvent'>;
  /** Allow the test-only hooks (hang, crash) in host processes. */
  testHooks?: boolean;
}

export interface OpenLab {
  readonly runner: LabRunner;
  /** Null when inline. */
  readonly supervisor: Supervisor | null;
  /** The groups, one per process (empty when inline). */
  readonly groups: RemoteHosts[];
  close(): Promise<void>;
}

/** Which hosts go to which process: contiguous runs of topology order. */
export function partition(hosts: number, processes: number): number[][] {
  const n = Math.max(1, Math.min(processes, hosts));
  const out: number[][] = [];
  for (let k = 0; k < n; k++) {
    const part: number[] = [];
    for (let i = Math.floor((k * hosts) / n); i < Math.floor(((k + 1) * hosts) / n); i++) part.push(i);
    out.push(part);
  }
  return out;
}

export async function openLab(topo: Topology, opts: OpenLabOptions = {}): Promise<OpenLab> {
  const processes = opts.processes ?? topo.hosts.length;
  if (processes === 0 || topo.hosts.length === 0) {
    const runner = new LabRunner(topo, { trace: opts.trace });
    return { runner, supervisor: null, groups: [], close: async () => {} };
  }
  const spawner = opts.pool?.take ?? opts.spawner ?? (await childProcessSpawner());
  const groups: RemoteHosts[] = [];
  const runner = new LabRunner(topo, {
    trace: opts.trace,
    groups: (sink) => partition(topo.hosts.length, processes).map((part) => {
      const g = new RemoteHosts(topo, part, sink, { trace: !!opts.trace, testHooks: opts.testHooks });
      groups.push(g);
      return g;
    }),
  });
  const supervisor = new Supervisor(runner, groups, spawner, { ...opts.supervisor, onEvent: opts.onHostEvent });
  try {
    await Promise.all(groups.map((g, i) => g.attach(supervisor.spawn(i), 0)));
  } catch (e) {
    supervisor.shutdown();
    throw e;
  }
  supervisor.start();
  const close = async () => {
    if (opts.pool) return supervisor.release(opts.pool);
    supervisor.closingDown();
    const timeout = new Promise((r) => setTimeout(r, 2000).unref());
    await Promise.race([runner.close(), timeout]);
    supervisor.shutdown();
  };
  return { runner, supervisor, groups, close };
}
