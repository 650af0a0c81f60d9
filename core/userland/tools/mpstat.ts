// sysstat 12.6 `mpstat`: per-CPU utilisation from /proc/stat (-u, the
// default), softirqs per second per CPU from /proc/softirqs (-I SCPU) and
// interrupts per second from /proc/stat (-I SUM), for -P ALL or a CPU list,
// every INTERVAL seconds COUNT times, then the averages. Percentages are
// deltas of USER_HZ ticks over the interval's ticks, as mpstat computes them.
// Times print in the C locale from the simulated wall clock (UTC).
import type { Proc, ProgramGen } from '../process.js';
import { kernel, out, err } from './util.js';
import { civil_from_days } from './civil.js';
import { SYSCTL_DEFAULTS_RELEASE } from '../../kernel/sysctl_defaults.js';
import { BOOT_EPOCH_S } from '../../host/proc_cpu.js';

const USAGE =
  'Usage: mpstat [ options ] [ <interval> [ <count> ] ]\nOptions are:\n[ -A ] [ -n ] [ -T ] [ -u ] [ -V ]\n' +
  '[ -I { SUM | CPU | SCPU | ALL } ] [ -N { <node_list> | ALL } ]\n[ --dec={ 0 | 1 | 2 } ] [ -o JSON ] [ -P { <cpu_list> | ALL } ]\n';

/** One read of /proc/stat, /proc/softirqs and /proc/uptime. */
interface Sample {
  /** [all, cpu0, cpu1, ...] of user nice system idle iowait irq softirq steal guest guest_nice. */
  cpu: number[][];
  intr: number;
  /** softirqs[name][cpu] */
  softirqs: Map<string, number[]>;
  uptime_cs: number;
  /** Seconds of the simulated wall clock. */
  t: number;
}

const SOFTIRQ_COLS = ['HI', 'TIMER', 'NET_TX', 'NET_RX', 'BLOCK', 'IRQ_POLL', 'TASKLET', 'SCHED', 'HRTIMER', 'RCU'];

function readSample(p: Proc): Sample | null {
  const stat = p.vfs.read('/proc/stat');
  const sirq = p.vfs.read('/proc/softirqs');
  const up = p.vfs.read('/proc/uptime');
  if (typeof stat !== 'string' || typeof sirq !== 'string' || typeof up !== 'string') return null;
  const cpu: number[][] = [];
  let intr = 0;
  for (const line of stat.split('\n')) {
    const f = line.split(/\s+/);
    if (/^cpu\d*$/.test(f[0])) cpu.push(f.slice(1, 11).map(Number));
    else if (f[0] === 'intr') intr = Number(f[1]);
  }
  const softirqs = new Map<string, number[]>();
  for (const line of sirq.split('\n').slice(1)) {
    const m = /^\s*([A-Z_]+):(.*)$/.exec(line);
    if (m) softirqs.set(m[1], m[2].trim().split(/\s+/).map(Number));
  }
  const uptime_cs = Math.round(Number(up.split(' ')[0]) * 100);
  return { cpu, intr, softirqs, uptime_cs, t: BOOT_EPOCH_S + p.now() / 1e9 };
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** Calendar date and time of day of a Unix time (UTC). */
function civil(t: number): { y: number; m: number; d: number; hh: number; mm: number; ss: number } {
  const secs = Math.floor(t);
  const days = Math.floor(secs / 86400);
  const rem = secs - days * 86400;
  return { ...civil_from_days(days), hh: Math.floor(rem / 3600), mm: Math.floor((rem % 3600) / 60), ss: rem % 60 };
}

/** %X in the C locale. */
function timeOf(t: number): string {
  const c = civil(t);
  return `${pad2(c.hh)}:${pad2(c.mm)}:${pad2(c.ss)}`;
}

/** %x in the C locale. */
function dateOf(t: number): string {
  const c = civil(t);
  return `${pad2(c.m)}/${pad2(c.d)}/${pad2(c.y % 100)}`;
}

/** ll_sp_value. */
function sp(a: number, b: number, itv: number): number {
  return a > b || !itv ? 0 : ((b - a) / itv) * 100;
}

/** get_per_cpu_interval: ticks that passed (guest time is inside user). */
function itvOf(prev: number[], curr: number[]): number {
  const sum = (c: number[]) => c[0] + c[1] + c[2] + c[3] + c[4] + c[5] + c[6] + c[7];
  return sum(curr) - sum(prev);
}

function cpuLine(label: string, what: string, prev: number[], curr: number[]): string {
  const itv = itvOf(prev, curr);
  let v: number[];
  if (!itv) v = [0, 0, 0, 0, 0, 0, 0, 0, 0, 100];
  else {
    const usr = curr[0] - curr[8] < prev[0] - prev[8] ? 0 : sp(prev[0] - prev[8], curr[0] - curr[8], itv);
    const nice = curr[1] - curr[9] < prev[1] - prev[9] ? 0 : sp(prev[1] - prev[9], curr[1] - curr[9], itv);
    v = [usr, nice, sp(prev[2], curr[2], itv), sp(prev[4], curr[4], itv), sp(prev[5], curr[5], itv), sp(prev[6], curr[6], itv), sp(prev[7], curr[7], itv), sp(prev[8], curr[8], itv), sp(prev[9], curr[9], itv), curr[3] < prev[3] ? 0 : sp(prev[3], curr[3], itv)];
  }
  return label.padEnd(11) + ' ' + what + v.map((x) => ' ' + x.toFixed(2).padStart(7)).join('') + '\n';
}

export function* mpstat(p: Proc): ProgramGen {
  const net = kernel(p);
  const ncpu = net.cpus.length;
  const args = p.argv.slice(1);
  let cpus: number[] | null = null; // null: 'all' only
  let wantAll = true;
  let util = false;
  let irq: string | null = null;
  const nums: number[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-P') {
      const v = args[++i];
      if (!v) return usage(p);
      if (v === 'ALL' || v === 'ON') {
        cpus = Array.from({ length: ncpu }, (_, c) => c);
        wantAll = true;
        continue;
      }
      const list: number[] = [];
      for (const part of v.split(',')) {
        const m = /^(\d+)(?:-(\d+))?$/.exec(part);
        if (!m) return usage(p);
        for (let c = Number(m[1]); c <= Number(m[2] ?? m[1]); c++) {
          if (c >= ncpu) return usage(p);
          list.push(c);
        }
      }
      cpus = list;
      wantAll = false;
    } else if (a === '-u') util = true;
    else if (a === '-I') {
      irq = args[++i] ?? '';
      if (!['SUM', 'SCPU'].includes(irq)) return usage(p);
    } else if (a === '-V') {
      out(p, 'sysstat version 12.6.1\n(C) Sebastien Godard (sysstat <at> orange.fr)\n');
      return 0;
    } else if (/^\d+$/.test(a)) nums.push(Number(a));
    else return usage(p);
  }
  if (nums.length > 2) return usage(p);
  if (!irq) util = true;
  const interval = nums.length ? nums[0] : 0;
  const count = nums.length > 1 ? nums[1] : interval ? Infinity : 1;
  if (nums.length && interval === 0 && nums.length > 1) return usage(p);
  const perCpu = cpus ?? [];
  const perInterval = cpus !== null;

  const first = readSample(p);
  if (!first) {
    err(p, 'Cannot open /proc/stat: No such file or directory\n');
    return 2;
  }
  out(p, `Linux ${SYSCTL_DEFAULTS_RELEASE} (${net.hostName}) \t${dateOf(first.t)} \t_x86_64_\t(${ncpu} CPU)\n`);

  const zero: Sample = { cpu: first.cpu.map((c) => c.map(() => 0)), intr: 0, softirqs: new Map([...first.softirqs].map(([k, v]) => [k, v.map(() => 0)])), uptime_cs: 0, t: first.t };
  const blocks = (prev: Sample, curr: Sample, prevLabel: string, label: string, header: boolean): string => {
    let s = '';
    if (util) {
      if (header) s += `\n${prevLabel.padEnd(11)}  CPU    %usr   %nice    %sys %iowait    %irq   %soft  %steal  %guest  %gnice   %idle\n`;
      if (wantAll) s += cpuLine(label, ' all', prev.cpu[0], curr.cpu[0]);
      for (const c of perCpu) s += cpuLine(label, String(c).padStart(4), prev.cpu[c + 1], curr.cpu[c + 1]);
    }
    if (irq === 'SUM') {
      if (header) s += `\n${prevLabel.padEnd(11)}  CPU    intr/s\n`;
      const itv = curr.uptime_cs - prev.uptime_cs;
      s += label.padEnd(11) + '  all ' + (itv ? ((curr.intr - prev.intr) / itv) * 100 : 0).toFixed(2).padStart(9) + '\n';
    }
    if (irq === 'SCPU') {
      if (header) s += `\n${prevLabel.padEnd(11)}  CPU` + SOFTIRQ_COLS.map((n) => (n + '/s').padStart(11)).join('') + '\n';
      const itv = curr.uptime_cs - prev.uptime_cs;
      for (const c of cpus ?? Array.from({ length: ncpu }, (_, i) => i)) {
        s += label.padEnd(11) + ' ' + String(c).padStart(4);
        for (const n of SOFTIRQ_COLS) {
          const d = (curr.softirqs.get(n)?.[c] ?? 0) - (prev.softirqs.get(n)?.[c] ?? 0);
          s += ' ' + (itv ? (d / itv) * 100 : 0).toFixed(2).padStart(10);
        }
        s += '\n';
      }
    }
    return s;
  };

  if (!interval) {
    // Statistics since boot.
    out(p, blocks(zero, first, timeOf(first.t), timeOf(first.t), true));
    return 0;
  }
  let prev = first;
  let n = 0;
  while (n < count) {
    yield { op: 'sleep', ns: interval * 1e9 };
    const curr = readSample(p)!;
    out(p, blocks(prev, curr, timeOf(prev.t), timeOf(curr.t), perInterval || n === 0));
    prev = curr;
    n++;
    if (p.interrupted) break;
  }
  out(p, blocks(first, prev, 'Average:', 'Average:', perInterval));
  return 0;
}

function usage(p: Proc): number {
  err(p, USAGE);
  return 1;
}
