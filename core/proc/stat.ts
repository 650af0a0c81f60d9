// /proc/stat and /proc/uptime, as show_stat (fs/proc/stat.c) and
// uptime_proc_show (fs/proc/uptime.c) print them. CPU times are in USER_HZ
// ticks (nsec_to_clock_t: 10 ms each); the intr line lists every IRQ number
// below nr_irqs.

import { u64 } from './fmt.js';

/** USER_HZ: the unit of the cpu lines. */
export const USER_HZ = 100;

/** Per-CPU times in nanoseconds (kernel_cpustat). */
export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
  guest: number;
  guest_nice: number;
}

export interface ProcStat {
  cpus: CpuTimes[];
  /** Interrupts per IRQ number (sum over CPUs); missing numbers are 0. */
  irqs: Map<number, number>;
  /** nr_irqs: how many numbers the intr line lists. */
  nr_irqs: number;
  /** Architecture interrupts (IPIs, timer) counted in the intr total. */
  arch_irqs: number;
  ctxt: number;
  btime: number;
  processes: number;
  procs_running: number;
  procs_blocked: number;
  /** Per softirq vector, summed over CPUs. */
  softirqs: number[];
}

/** nsec_to_clock_t. */
export function nsec_to_clock_t(ns: number): number {
  return Math.floor(ns / (1e9 / USER_HZ));
}

const FIELDS: (keyof CpuTimes)[] = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal', 'guest', 'guest_nice'];

function cpuLine(label: string, t: CpuTimes): string {
  return label + FIELDS.map((f) => ' ' + u64(nsec_to_clock_t(t[f]))).join('') + '\n';
}

/** The exact text of /proc/stat. */
export function procStat(s: ProcStat): string {
  const sum: CpuTimes = { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0, guest: 0, guest_nice: 0 };
  for (const c of s.cpus) for (const f of FIELDS) sum[f] += c[f];
  let out = cpuLine('cpu ', sum);
  s.cpus.forEach((c, i) => (out += cpuLine('cpu' + i, c)));
  let total = s.arch_irqs;
  for (const v of s.irqs.values()) total += v;
  out += 'intr ' + u64(total);
  for (let i = 0; i < s.nr_irqs; i++) out += ' ' + u64(s.irqs.get(i) ?? 0);
  out += `\nctxt ${u64(s.ctxt)}\nbtime ${u64(s.btime)}\nprocesses ${u64(s.processes)}\nprocs_running ${s.procs_running}\nprocs_blocked ${s.procs_blocked}\n`;
  out += 'softirq ' + u64(s.softirqs.reduce((a, b) => a + b, 0)) + s.softirqs.map((v) => ' ' + u64(v)).join('') + '\n';
  return out;
}

/** The exact text of /proc/uptime: seconds up, and idle seconds summed over CPUs. */
export function procUptime(uptimeNs: number, idleNs: number): string {
  const fmt = (ns: number) => {
    const cs = Math.floor(ns / 1e7);
    return `${Math.floor(cs / 100)}.${String(cs % 100).padStart(2, '0')}`;
  };
  return `${fmt(uptimeNs)} ${fmt(idleNs)}\n`;
}
