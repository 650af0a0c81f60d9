// What the layout tests compare between inline hosts and hosts in processes
// (check results, the trace's digest, window count and end time), and the
// lab the failure tests kill hosts in, and a wait for what a process reports.
import { createHash } from 'node:crypto';
import type { Topology } from '../../core/lab/topology.js';
import { LabRunner } from '../../core/runtime/lab_runner.js';
import { canonicalTrace } from '../../node/cli/trace_format.js';

export interface Outcome {
  results: string;
  digest: string;
  windows: number;
  now: number;
}

export const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** Fields that must be identical across layouts, of a run whose checks gave `results`. */
export const outcome = (r: Pick<LabRunner, 'trace' | 'windows' | 'now'>, results: string): Outcome => ({ results, digest: sha(canonicalTrace(r.trace())), windows: r.windows, now: r.now });

/** The reference: every host in this process. */
export function inline(topo: Topology): Outcome {
  const r = new LabRunner(topo, { trace: true });
  let results: string;
  try {
    r.boot();
    results = JSON.stringify(r.runChecks());
  } catch (e) {
    results = (e as Error).message;
  }
  return outcome(r, results);
}

/** a - b carry the traffic; v (the victim) hangs off a. */
export const VICTIM_LAB = `
version: 1
name: victim
hosts:
  a:
    exec:
      - ip addr add 10.0.0.1/24 dev eth0
      - ip addr add 10.0.1.1/24 dev eth1
  b:
    exec:
      - ip addr add 10.0.0.2/24 dev eth0
  v:
    exec:
      - ip addr add 10.0.1.2/24 dev eth0
links:
  - endpoints: [a:eth0, b:eth0]
  - endpoints: [a:eth1, v:eth0]
`;

/** Poll f until it gives a value (something another process reports), or fail after ms. */
export async function until<T>(f: () => T | undefined, ms: number, what: string): Promise<T> {
  const t0 = performance.now();
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (performance.now() - t0 > ms) throw new Error(`no ${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
