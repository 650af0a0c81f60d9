// The kernel's MIB increment macros (include/net/ip.h, icmp.h, udp.h), with
// counters named as /proc/net/snmp and /proc/net/netstat print them.
import type { Net } from './net_namespace.js';

export function IP_INC_STATS(net: Net, field: string, n = 1): void {
  net.mib.inc('Ip', field, n);
}
export function IP_EXT_INC_STATS(net: Net, field: string, n = 1): void {
  net.mib.inc('IpExt', field, n);
}
export function ICMP_INC_STATS(net: Net, field: string, n = 1): void {
  net.mib.inc('Icmp', field, n);
}
/** ICMPMSGIN_INC_STATS / ICMPMSGOUT_INC_STATS: per-type counts (IcmpMsg). */
export function ICMPMSG_INC_STATS(net: Net, dir: 'In' | 'Out', type: number): void {
  net.mib.incMsg(dir, type);
}
export function UDP_INC_STATS(net: Net, field: string, n = 1): void {
  net.mib.inc('Udp', field, n);
}
export function TCP_INC_STATS(net: Net, field: string, n = 1): void {
  net.mib.inc('Tcp', field, n);
}
export function NET_INC_STATS(net: Net, field: string, n = 1): void {
  net.mib.inc('TcpExt', field, n);
}
