// /proc/net/snmp and /proc/net/netstat, as net/ipv4/proc.c prints them
// (snmp_seq_show, icmp_put, icmpmsg_put, netstat_seq_show, mptcp_seq_show).

import {
  ICMP_MIB,
  ICMP_TYPE_COLUMNS,
  ICMPMSG_TYPES,
  IP_FIELDS,
  IPEXT_FIELDS,
  MPTCPEXT_FIELDS,
  NetMib,
  TCP_FIELDS,
  TCP_MIB,
  TCPEXT_FIELDS,
  UDP_FIELDS,
} from '../net/mib.js';
import { u64 } from './fmt.js';

export interface SnmpParams {
  /** IPV4_DEVCONF_ALL(net, FORWARDING) != 0 (net.ipv4.ip_forward): printed as 1, else 2. */
  forwarding: boolean;
  /** net.ipv4.ip_default_ttl. */
  defaultTtl: number;
  /** Tcp CurrEstab from the TCP code; defaults to mib.tcp[TCP_MIB_CURRESTAB]. */
  currEstab?: number;
}

/** The two lines `Name: f1 f2 ...` / `Name: v1 v2 ...` (no trailing newline). */
function headerAndValues(name: string, fields: readonly string[], values: ArrayLike<number>): string {
  let h = name + ':';
  let v = name + ':';
  for (let i = 0; i < fields.length; i++) {
    h += ' ' + fields[i];
    v += ' ' + u64(values[i] ?? 0);
  }
  return h + '\n' + v;
}

/** snmp_seq_show_ipstats: `Ip: Forwarding DefaultTTL ...`. */
function ipLines(mib: NetMib, p: SnmpParams): string {
  let h = 'Ip: Forwarding DefaultTTL';
  let v = `Ip: ${p.forwarding ? 1 : 2} ${p.defaultTtl}`;
  for (let i = 0; i < IP_FIELDS.length; i++) {
    h += ' ' + IP_FIELDS[i];
    v += ' ' + u64(mib.ip[i]);
  }
  return h + '\n' + v;
}

/** icmp_put: the RFC 2011 `Icmp:` lines; per-type columns come from IcmpMsg. */
function icmpLines(mib: NetMib): string {
  const c = mib.icmp;
  let h = 'Icmp: InMsgs InErrors InCsumErrors';
  let v = `Icmp: ${u64(c[ICMP_MIB.ICMP_MIB_INMSGS])} ${u64(c[ICMP_MIB.ICMP_MIB_INERRORS])} ${u64(c[ICMP_MIB.ICMP_MIB_CSUMERRORS])}`;
  for (const [name, type] of ICMP_TYPE_COLUMNS) {
    h += ' In' + name;
    v += ' ' + u64(mib.icmpmsgIn[type]);
  }
  h += ' OutMsgs OutErrors OutRateLimitGlobal OutRateLimitHost';
  v +=
    ` ${u64(c[ICMP_MIB.ICMP_MIB_OUTMSGS])} ${u64(c[ICMP_MIB.ICMP_MIB_OUTERRORS])}` +
    ` ${u64(c[ICMP_MIB.ICMP_MIB_RATELIMITGLOBAL])} ${u64(c[ICMP_MIB.ICMP_MIB_RATELIMITHOST])}`;
  for (const [name, type] of ICMP_TYPE_COLUMNS) {
    h += ' Out' + name;
    v += ' ' + u64(mib.icmpmsgOut[type]);
  }
  return h + '\n' + v;
}

/** Non-zero IcmpMsg types per pair of lines (PERLINE in icmpmsg_put). */
export const ICMPMSG_PER_LINE = 16;

/**
 * icmpmsg_put: only non-zero counters, In types 0..255 first then Out types,
 * at most 16 per pair of `IcmpMsg:` lines. Returns the lines (maybe none).
 */
function icmpmsgLines(mib: NetMib): string[] {
  const out: string[] = [];
  let h = '';
  let v = '';
  let count = 0;
  const flush = (): void => {
    if (count) out.push('IcmpMsg:' + h, 'IcmpMsg:' + v);
    h = v = '';
    count = 0;
  };
  for (let i = 0; i < 2 * ICMPMSG_TYPES; i++) {
    const dir = i < ICMPMSG_TYPES ? 'In' : 'Out';
    const type = i & 0xff;
    const val = (dir === 'In' ? mib.icmpmsgIn : mib.icmpmsgOut)[type];
    if (val) {
      h += ` ${dir}Type${type}`;
      v += ' ' + u64(val);
      count++;
    }
    if (count === ICMPMSG_PER_LINE) flush();
  }
  flush();
  return out;
}

/** snmp_seq_show_tcp_udp: `Tcp:` (MaxConn signed), `Udp:`, `UdpLite:`. */
function tcpUdpLines(mib: NetMib, currEstab: number | undefined): string {
  let h = 'Tcp:';
  let v = 'Tcp:';
  for (let i = 0; i < TCP_FIELDS.length; i++) {
    h += ' ' + TCP_FIELDS[i];
    let x = mib.tcp[i];
    if (i === TCP_MIB.TCP_MIB_CURRESTAB && currEstab !== undefined) x = currEstab;
    v += ' ' + (i === TCP_MIB.TCP_MIB_MAXCONN ? String(Math.trunc(x)) : u64(x));
  }
  return h + '\n' + v + '\n' + headerAndValues('Udp', UDP_FIELDS, mib.udp) + '\n' +
    headerAndValues('UdpLite', UDP_FIELDS, mib.udplite);
}

/** The exact text of /proc/net/snmp. */
export function procNetSnmp(mib: NetMib, p: SnmpParams): string {
  const lines = [ipLines(mib, p), icmpLines(mib), ...icmpmsgLines(mib), tcpUdpLines(mib, p.currEstab)];
  return lines.join('\n') + '\n';
}

/**
 * The exact text of /proc/net/netstat: TcpExt, IpExt, then MPTcpExt (which a
 * 6.18 kernel prints in every netns; all zero unless `mptcp` is given).
 */
export function procNetNetstat(mib: NetMib, mptcp?: ArrayLike<number>): string {
  return (
    headerAndValues('TcpExt', TCPEXT_FIELDS, mib.tcpExt) + '\n' +
    headerAndValues('IpExt', IPEXT_FIELDS, mib.ipExt) + '\n' +
    headerAndValues('MPTcpExt', MPTCPEXT_FIELDS, mptcp ?? []) + '\n'
  );
}
