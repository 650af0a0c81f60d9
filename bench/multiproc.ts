// Bench 5 and 6 (processes): N hosts in pairs, each pair one link, every
// even host flooding its peer with the kernel packet generator (pktgen: the
// receiver runs the whole RX path up to a UDP socket). Hosts one per
// process, or packed. Measures coordinator windows and delivered packets per
// second of wall time, and the resident memory of each host process, over
// blocking pipes (the default) or Node's IPC channel (STACKLAB_BENCH_TRANSPORT=ipc).
import { readFileSync } from 'node:fs';
import { parseLab } from '../core/lab/parse.js';
import { pairsLab, pairsLoad } from './labs.js';

export type Transport = 'pipes' | 'ipc';

export interface MultiResult {
  hosts: number;
  processes: number;
  transport: Transport;
  windows: number;
  wall_s: number;
  windows_per_s: number;
  pkts: number;
  pkts_per_s: number;
  /** Resident set of each host process (MB). */
  rss_mb: number[];
  sim_ms: number;
  /** Wall time run before measuring (JIT warm-up of every process). */
  warm_s: number;
  /** CPU time per window: the coordinator, and each host process on average. */
  cpu_us_per_window: { coordinator: number; host_process: number };
}

/** CPU time (user + system, ms) of a process, from /proc. */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return 0;
  }
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

/** Windows run before measuring: each host process runs its own copy of
 * the code and tiers it up on its own, after a few thousand windows. */
const WARM_WINDOWS = 4000;
const WARM_MAX_S = 10;

/** Run the pairs lab for about `seconds` of wall time after a warm-up. */
export async function runMulti(hosts: number, processes: number, seconds: number, rt: Runtime, transport: Transport = process.env.STACKLAB_BENCH_TRANSPORT === 'ipc' ? 'ipc' : 'pipes'): Promise<MultiResult> {
  const topo = parseLab(pairsLab(hosts), 'bench-pairs.lab.yaml');
  const lab = await rt.openLab(topo, { processes, spawner: await rt.childProcessSpawner({ transport }) });
  try {
    const r = lab.runner;
    await r.bootAsync();
    for (const [h, line] of pairsLoad(hosts)) await r.startBackgroundAsync(h, line);
    const rx = async () => (await r.snapshot()).reduce((s, h, i) => (i & 1 ? s + (h.devices.find((d) => d.name === 'eth0')?.rx_packets ?? 0) : s), 0);
    const STEP = 20_000; // 20 us of virtual time between wall-clock looks
    const runFor = async (s: number, windows = Infinity) => {
      const t0 = process.hrtime.bigint();
      const w0 = r.windows;
      let wall = 0;
      while (wall < s && r.windows - w0 < windows) {
        await r.idleAsync(STEP);
        wall = Number(process.hrtime.bigint() - t0) / 1e9;
      }
      return wall;
    };
    // JIT warm-up (flows under way): WARM_WINDOWS windows, at least 1 s.
    const warm = (await runFor(1)) + (await runFor(WARM_MAX_S - 1, WARM_WINDOWS - r.windows));
    const pids = lab.supervisor ? lab.supervisor.status().map((s) => s.pid) : [];
    const p0 = await rx();
    const w0 = r.windows;
    const s0 = r.now;
    const cpu0 = pids.map(cpuMs);
    const own0 = process.cpuUsage();
    const wall = await runFor(seconds);
    const windows = r.windows - w0;
    const own = process.cpuUsage(own0);
    const hostCpuMs = pids.reduce<number>((sum, pid, i) => sum + cpuMs(pid) - cpu0[i], 0);
    const pkts = (await rx()) - p0;
    const rss = lab.supervisor ? lab.supervisor.status().map((s) => rssMb(s.pid)) : [rssMb(process.pid)];
    const perWindow = (us: number) => +(us / Math.max(1, windows)).toFixed(1);
    return {
      hosts,
      processes,
      transport: lab.runner.synchronous ? 'pipes' : 'ipc',
      windows,
      wall_s: +wall.toFixed(3),
      windows_per_s: Math.round(windows / wall),
      pkts,
      pkts_per_s: Math.round(pkts / wall),
      rss_mb: rss,
      sim_ms: +((r.now - s0) / 1e6).toFixed(3),
      warm_s: +warm.toFixed(1),
      cpu_us_per_window: { coordinator: perWindow(own.user + own.system), host_process: perWindow((hostCpuMs * 1000) / Math.max(1, pids.length)) },
    };
  } finally {
    await lab.close();
  }
}
