// The kernel's MIB increment macros (include/net/ip.h, icmp.h, udp.h), with
// counters named as /proc/net/snmp and /proc/net/netstat print them.
// Each section's names map to their array index once, here, so a counter
// costs one Map lookup and one add on the data path; an unknown name goes
// to NetMib.inc, which throws.
import type { Net } from './net_namespace.js';
import { IP_FIELDS, IPEXT_FIELDS, ICMP_MIB_FIELDS, UDP_FIELDS, TCP_FIELDS, TCPEXT_FIELDS } from './mib.js';

const index = (fields: readonly string[], offset = 0) => new Map(fields.map((f, i) => [f, i + offset]));
const IP = index(IP_FIELDS);
const IPEXT = index(IPEXT_FIELDS, IP_FIELDS.length);
const ICMP = index(ICMP_MIB_FIELDS);
const UDP = index(UDP_FIELDS);
const TCP = index(TCP_FIELDS);
const TCPEXT = index(TCPEXT_FIELDS);

export function IP_INC_STATS(net: Net, field: string, n = 1): void {
  const i = IP.get(field);
  if (i === undefined) net.mib.inc('Ip', field, n);
  else net.mib.ip[i] += n;
}
export function IP_EXT_INC_STATS(net: Net, field: string, n = 1): void {
  const i = IPEXT.get(field);
  if (i === undefined) net.mib.inc('IpExt', field, n);
  else net.mib.ip[i] += n;
}
export function ICMP_INC_STATS(net: Net, field: string, n = 1): void {
  // The per-type columns (InEchos, ...) live in IcmpMsg: NetMib.inc knows them.
  const i = ICMP.get(field);
  if (i === undefined) net.mib.inc('Icmp', field, n);
  else net.mib.icmp[i] += n;
}
/** ICMPMSGIN_INC_STATS / ICMPMSGOUT_INC_STATS: per-type counts (IcmpMsg). */
export function ICMPMSG_INC_STATS(net: Net, dir: 'In' | 'Out', type: number): void {
  net.mib.incMsg(dir, type);
}
export function UDP_INC_STATS(net: Net, field: string, n = 1): void {
  const i = UDP.get(field);
  if (i === undefined) net.mib.inc('Udp', field, n);
  else net.mib.udp[i] += n;
}
export function TCP_INC_STATS(net: Net, field: string, n = 1): void {
  const i = TCP.get(field);
  if (i === undefined) net.mib.inc('Tcp', field, n);
  else net.mib.tcp[i] += n;
}
export function NET_INC_STATS(net: Net, field: string, n = 1): void {
  const i = TCPEXT.get(field);
  if (i === undefined) net.mib.inc('TcpExt', field, n);
  else net.mib.tcpExt[i] += n;
}
