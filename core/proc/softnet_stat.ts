// /proc/net/softnet_stat, as softnet_seq_show (net/core/net-procfs.c, 6.18)
// prints it: one line per online CPU, 15 columns of %08x.
//
//   0 processed        packets taken off the backlog / NAPI by this CPU
//   1 dropped          netif_rx/enqueue_to_backlog drops (netdev_max_backlog)
//   2 time_squeeze     net_rx_action ran out of budget or time with work left
//   3..8               always 0 (were fastroute and cpu_collision)
//   9 received_rps     RPS IPIs received
//  10 flow_limit_count flow limit drops
//  11 backlog length   input_pkt_queue + process_queue
//  12 cpu index        the CPU id owning this softnet_data
//  13 input_qlen
//  14 process_qlen

import { hex08 } from './fmt.js';

export interface SoftnetStat {
  processed: number;
  dropped: number;
  time_squeeze: number;
  received_rps?: number;
  flow_limit_count?: number;
  input_qlen?: number;
  process_qlen?: number;
  /** CPU id; defaults to the position in the list. */
  cpu?: number;
}

/** One CPU's line. */
export function procNetSoftnetStatLine(s: SoftnetStat, cpu: number): string {
  const inq = s.input_qlen ?? 0;
  const procq = s.process_qlen ?? 0;
  const cols = [
    s.processed, s.dropped, s.time_squeeze, 0,
    0, 0, 0, 0,
    0,
    s.received_rps ?? 0, s.flow_limit_count ?? 0,
    inq + procq, s.cpu ?? cpu,
    inq, procq,
  ];
  return cols.map(hex08).join(' ') + '\n';
}

/** The exact text of /proc/net/softnet_stat (one entry per online CPU, in CPU order). */
export function procNetSoftnetStat(cpus: readonly SoftnetStat[]): string {
  return cpus.map(procNetSoftnetStatLine).join('');
}
