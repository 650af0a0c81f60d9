// /proc/softirqs, as show_softirqs (fs/proc/softirqs.c) prints it.

import { padLeft, padRight, u32 } from './fmt.js';

/** softirq_to_name[] (kernel/softirq.c), in enum order. */
export const SOFTIRQ_NAMES = [
  'HI', 'TIMER', 'NET_TX', 'NET_RX', 'BLOCK', 'IRQ_POLL', 'TASKLET', 'SCHED', 'HRTIMER', 'RCU',
] as const;
export type SoftirqName = (typeof SOFTIRQ_NAMES)[number];

/** Header: 20 spaces then "CPU%-8d" per possible CPU. */
export function procSoftirqsHeader(ncpus: number): string {
  let s = ' '.repeat(20);
  for (let i = 0; i < ncpus; i++) s += padRight('CPU' + i, 11);
  return s + '\n';
}

/**
 * The exact text of /proc/softirqs for `ncpus` CPUs. `counts[name][cpu]`;
 * missing softirqs or CPUs print 0. Each row: "%12s:" then " %10u" per CPU.
 */
export function procSoftirqs(ncpus: number, counts: Partial<Record<SoftirqName, ArrayLike<number>>>): string {
  let out = procSoftirqsHeader(ncpus);
  for (const name of SOFTIRQ_NAMES) {
    const row = counts[name];
    let line = padLeft(name, 12) + ':';
    for (let cpu = 0; cpu < ncpus; cpu++) line += ' ' + padLeft(u32(row?.[cpu] ?? 0), 10);
    out += line + '\n';
  }
  return out;
}
