// Bench 6 (packed): how much memory one more host costs when many share a
// process. Builds a lab of N hosts inline, boots it, runs a short flood in
// every pair, and compares the resident set before and after.
import { parseLab } from '../core/lab/parse.js';
import { LabRunner } from '../core/runtime/lab_runner.js';
import { pairsLab, pairsLoad } from './labs.js';

export interface PackedResult {
  hosts: number;
  rss_before_mb: number;
  rss_after_mb: number;
  heap_used_mb: number;
  per_host_mb: number;
}

const mb = (b: number) => +(b / 1048576).toFixed(1);

export function runPacked(hosts: number, simMs = 2): PackedResult {
  const topo = parseLab(pairsLab(hosts), 'bench-pairs.lab.yaml');
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage().rss;
  const r = new LabRunner(topo);
  r.boot();
  for (const [h, line] of pairsLoad(hosts)) r.startBackground(h, line);
  r.idle(simMs * 1e6);
  (globalThis as { gc?: () => void }).gc?.();
  const mu = process.memoryUsage();
  return { hosts, rss_before_mb: mb(before), rss_after_mb: mb(mu.rss), heap_used_mb: mb(mu.heapUsed), per_host_mb: +((mu.rss - before) / 1048576 / hosts).toFixed(2) };
}
