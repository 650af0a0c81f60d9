// iperf3's report printing, one copy for the TCP (iperf3.ts) and UDP
// (iperf3_udp.ts) modes: the unit formatting of units.c, the columns every
// iperf_locale.c line starts with, the interval clock of
// iperf_print_intervals (a [SUM] line and a separator with several streams)
// and the end-of-test summary of iperf_print_results.
import type { Proc } from '../process.js';
import { out } from './util.js';
import { formatIPv4 } from '../../net/wire/ip.js';

export const SEP = '- - - - - - - - - - - - - - - - - - - - - - - - -\n';

/** unit_snprintf: 1024-based bytes ('A'), 1000-based bits ('a'), or a fixed unit. */
export function unit(n: number, fmt: string): string {
  const labels = fmt === fmt.toUpperCase() ? ['Byte', 'KByte', 'MByte', 'GByte', 'TByte'] : ['bit', 'Kbit', 'Mbit', 'Gbit', 'Tbit'];
  const base = fmt === fmt.toUpperCase() ? 1024 : 1000;
  let conv = 0;
  const fixed: Record<string, number> = { k: 1, m: 2, g: 3, t: 4, K: 1, M: 2, G: 3, T: 4 };
  if (fixed[fmt] !== undefined) {
    conv = fixed[fmt];
    n /= base ** conv;
  } else
    while (n >= base && conv < 4) {
      n /= base;
      conv++;
    }
  const v = n < 9.995 ? n.toFixed(2) : n < 99.95 ? n.toFixed(1) : n.toFixed(0);
  return `${v.padStart(4)} ${labels[conv]}`;
}

export const f2 = (x: number) => x.toFixed(2);
export const idcol = (id: number | string) => (typeof id === 'number' ? String(id).padStart(3) : id);

/** "[  5]   0.00-1.00   sec  1.00 MBytes  8.39 Mbits/sec": stream, interval,
 * transfer and bitrate (-f picks the rate's unit). */
export function bwLine(id: number | string, t0: number, t1: number, bytes: number, secs: number, fmt: string): string {
  const bw = secs > 0 ? (bytes * 8) / secs : 0;
  return `[${idcol(id)}] ${f2(t0).padStart(6)}-${f2(t1).padEnd(6)} sec  ${unit(bytes, 'A')}s  ${unit(bw, fmt === 'a' ? 'a' : fmt.toLowerCase())}s/sec`;
}

/** The line each stream prints once connected. */
export function connectedLine(id: number, saddr: number, sport: number, daddr: number, dport: number): string {
  return `[${idcol(id)}] local ${formatIPv4(saddr)} port ${sport} connected to ${formatIPv4(daddr)} port ${dport}\n`;
}

/** One interval's report: a line per stream and the [SUM] line, which is
 * printed (with a separator) only when there are several streams. */
export type IntervalReport = (t0: number, t1: number, secs: number) => { lines: string[]; sum: string };

/** iperf_print_intervals' clock: a report at every -i boundary (none
 * without -i), times in seconds from the start of the test. */
export class Intervals {
  private next: number;
  private last: number;
  constructor(
    private readonly p: Proc,
    private readonly start: number,
    private readonly stepNs: number,
    private readonly report: IntervalReport,
  ) {
    this.next = stepNs > 0 ? start + stepNs : Infinity;
    this.last = start;
  }

  /** When the next report is due. */
  get nextAt(): number {
    return this.next;
  }

  /** Prints the report that came due by `now` (unless its boundary is past
   * the end of the test); true when it did. */
  due(now: number, deadline = Infinity): boolean {
    if (now < this.next || this.next > deadline) return false;
    this.print(this.next);
    this.next += this.stepNs;
    return true;
  }

  /** The last, partial interval is kept if data moved in it. */
  finish(end: number, moved: boolean): void {
    if (this.stepNs > 0 && end > this.last && moved) this.print(end);
  }

  private print(t: number): void {
    const { lines, sum } = this.report((this.last - this.start) / 1e9, (t - this.start) / 1e9, (t - this.last) / 1e9);
    out(this.p, lines.join('') + (lines.length > 1 ? sum + SEP : ''));
    this.last = t;
  }
}

/** iperf_print_results: a separator unless the intervals already ended with
 * one (several streams), the header, each stream's lines, then the [SUM]
 * lines when there are several streams. */
export function printResults(p: Proc, header: string, perStream: string[][], sums: string[]): void {
  out(p, (perStream.length === 1 ? SEP : '') + header + perStream.flat().join('') + (perStream.length > 1 ? sums.join('') : ''));
}
