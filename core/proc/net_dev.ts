// /proc/net/dev, as dev_seq_show / dev_seq_printf_stats (net/core/net-procfs.c)
// print it. The columns are already folded the way the kernel folds
// rtnl_link_stats64 (drop = rx_dropped + rx_missed_errors, frame = length +
// over + crc + frame errors, carrier = carrier + aborted + window + heartbeat).

import { padLeft, u64 } from './fmt.js';

export interface NetDevStats {
  name: string;
  rx_bytes: number;
  rx_packets: number;
  rx_errs: number;
  rx_drop: number;
  rx_fifo: number;
  rx_frame: number;
  rx_compressed: number;
  rx_multicast: number;
  tx_bytes: number;
  tx_packets: number;
  tx_errs: number;
  tx_drop: number;
  tx_fifo: number;
  tx_colls: number;
  tx_carrier: number;
  tx_compressed: number;
}

export const PROC_NET_DEV_HEADER =
  'Inter-|   Receive                                                |  Transmit\n' +
  ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n';

/** One device line: "%6s: %7llu %7llu %4llu %4llu %4llu %5llu %10llu %9llu %8llu %7llu %4llu %4llu %4llu %5llu %7llu %10llu". */
export function procNetDevLine(d: NetDevStats): string {
  const n = (v: number, w: number): string => padLeft(u64(v), w);
  return (
    `${padLeft(d.name, 6)}: ${n(d.rx_bytes, 7)} ${n(d.rx_packets, 7)} ${n(d.rx_errs, 4)} ${n(d.rx_drop, 4)}` +
    ` ${n(d.rx_fifo, 4)} ${n(d.rx_frame, 5)} ${n(d.rx_compressed, 10)} ${n(d.rx_multicast, 9)}` +
    ` ${n(d.tx_bytes, 8)} ${n(d.tx_packets, 7)} ${n(d.tx_errs, 4)} ${n(d.tx_drop, 4)}` +
    ` ${n(d.tx_fifo, 4)} ${n(d.tx_colls, 5)} ${n(d.tx_carrier, 7)} ${n(d.tx_compressed, 10)}\n`
  );
}

/** The exact text of /proc/net/dev; devices in the order given (the kernel walks them by ifindex). */
export function procNetDev(devs: readonly NetDevStats[]): string {
  return PROC_NET_DEV_HEADER + devs.map(procNetDevLine).join('');
}
