// Bench 5 and 6 (processes): N hosts in pairs, each pair one link, every
// even host flooding its peer with the kernel packet generator (pktgen: the
// receiver runs the whole RX path up to a UDP socket). Hosts one per
// process, or packed. Measures coordinator windows and delivered packets per
// second of wall time, and the resident memory of each host process.
import { readFileSync } from 'node:fs';
import { parseLab } from '../core/lab/parse.js';
import { pairsLab, pairsLoad } from './labs.js';

export interface MultiResult {
  hosts: number;
  processes: number;
  windows: number;
  wall_s: number;
  windows_per_s: number;
  pkts: number;
  pkts_per_s: number;
  /** Resident set of each host process (MB). */
  rss_mb: number[];
  sim_ms: number;
}

function rssMb(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? +(Number(m[1]) / 1024).toFixed(1) : NaN;
  } catch {
    return NaN;
  }
}

export type Runtime = typeof import('../node/runtime/index.js');

/** The multi-process runtime, or null when this tree does not have it yet. */
export async function loadRuntime(): Promise<Runtime | null> {
  try {
    return await import('../node/runtime/index.js');
  } catch {
    return null;
  }
}

/** Run the pairs lab for about `seconds` of wall time after a warm-up. */
export async function runMulti(hosts: number, processes: number, seconds: number, rt: Runtime): Promise<MultiResult> {
  const topo = parseLab(pairsLab(hosts), 'bench-pairs.lab.yaml');
  const lab = await rt.openLab(topo, { processes });
  try {
    const r = lab.runner;
    await r.bootAsync();
    for (const [h, line] of pairsLoad(hosts)) await r.startBackgroundAsync(h, line);
    const rx = async () => (await r.snapshot()).reduce((s, h, i) => (i & 1 ? s + (h.devices.find((d) => d.name === 'eth0')?.rx_packets ?? 0) : s), 0);
    const STEP = 100_000; // 100 us of virtual time between wall-clock looks
    const runFor = async (s: number) => {
      const t0 = process.hrtime.bigint();
      let wall = 0;
      while (wall < s) {
        await r.idleAsync(STEP);
        wall = Number(process.hrtime.bigint() - t0) / 1e9;
      }
      return wall;
    };
    await runFor(Math.min(1, seconds / 3)); // JIT warm-up, flows under way
    const p0 = await rx();
    const w0 = r.windows;
    const s0 = r.now;
    const wall = await runFor(seconds);
    const windows = r.windows - w0;
    const pkts = (await rx()) - p0;
    const rss = lab.supervisor ? lab.supervisor.status().map((s) => rssMb(s.pid)) : [rssMb(process.pid)];
    return { hosts, processes, windows, wall_s: +wall.toFixed(3), windows_per_s: Math.round(windows / wall), pkts, pkts_per_s: Math.round(pkts / wall), rss_mb: rss, sim_ms: +((r.now - s0) / 1e6).toFixed(3) };
  } finally {
    await lab.close();
  }
}
