// net/netfilter/nf_log_syslog.c: the LOG target's one-line packet dump
// (nf_log_ip_packet: IN= OUT= MAC= SRC= DST= LEN= ... PROTO= ...), written
// to the kernel log at the rule's level.
import type { Net } from '../net_namespace.js';
import type { SkBuff } from '../core/skbuff.js';
import type { NetDevice } from '../core/netdevice.js';
import { iph, formatIPv4, get16, get32, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, IP_DF, IP_MF, IP_OFFSET } from '../wire/ip.js';
import { printk } from '../../kernel/printk.js';

export const NF_LOG_TCPSEQ = 0x01;
export const NF_LOG_TCPOPT = 0x02;
export const NF_LOG_IPOPT = 0x04;
export const NF_LOG_UID = 0x08;
export const NF_LOG_MACDECODE = 0x20;

export interface NfLogInfo {
  level: number;
  logflags: number;
  prefix: string;
}

const hex2 = (n: number) => n.toString(16).padStart(2, '0');
const HEX2 = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');

function dump_mac_header(skb: SkBuff, info: NfLogInfo): string {
  const dev = skb.dev;
  const b = skb.buf;
  const mh = skb.mac_header;
  const machdr = mh >= 0 && skb.network_header - mh > 0;
  if (info.logflags & NF_LOG_MACDECODE && dev && dev.type === 1) {
    if (!machdr || skb.network_header - mh < 14) return '';
    const m = (o: number) => Array.from(b.subarray(o, o + 6), hex2).join(':');
    return `MACSRC=${m(mh + 6)} MACDST=${m(mh)} MACPROTO=${hex2(b[mh + 12])}${hex2(b[mh + 13])} `;
  }
  let s = 'MAC=';
  if (dev && dev.hard_header_len && machdr) s += Array.from(b.subarray(mh, mh + dev.hard_header_len), hex2).join(':');
  return s + ' ';
}

function dump_tcp(b: Uint8Array, th: number, tail: number, fragment: boolean, logflags: number): string {
  let s = 'PROTO=TCP ';
  if (fragment) return s;
  if (th + 20 > tail) return s + `INCOMPLETE [${Math.max(0, tail - th)} bytes] `;
  s += `SPT=${get16(b, th)} DPT=${get16(b, th + 2)} `;
  if (logflags & NF_LOG_TCPSEQ) s += `SEQ=${get32(b, th + 4)} ACK=${get32(b, th + 8)} `;
  s += `WINDOW=${get16(b, th + 14)} `;
  s += `RES=0x${hex2((b[th + 12] & 0x0f) << 2)} `;
  const f = b[th + 13];
  for (const [bit, name] of [[0x80, 'CWR'], [0x40, 'ECE'], [0x20, 'URG'], [0x10, 'ACK'], [0x08, 'PSH'], [0x04, 'RST'], [0x02, 'SYN'], [0x01, 'FIN']] as const) if (f & bit) s += name + ' ';
  s += `URGP=${get16(b, th + 18)} `;
  const doff = (b[th + 12] >> 4) * 4;
  if (logflags & NF_LOG_TCPOPT && doff > 20) s += `OPT (${Array.from(b.subarray(th + 20, th + doff), HEX2).join('')}) `;
  return s;
}

const ICMP_REQUIRED: Record<number, number> = { 0: 4, 3: 28, 4: 28, 5: 28, 8: 4, 11: 28, 12: 28, 13: 20, 14: 20, 17: 12, 18: 12 };

/** dump_ipv4_packet (one level of recursion for ICMP errors). */
function dump_ipv4_packet(b: Uint8Array, o: number, tail: number, info: NfLogInfo, inner: boolean): string {
  if (o + 20 > tail) return 'TRUNCATED';
  let s = `SRC=${formatIPv4(iph.saddr(b, o))} DST=${formatIPv4(iph.daddr(b, o))} `;
  const tos = iph.tos(b, o);
  s += `LEN=${iph.tot_len(b, o)} TOS=0x${HEX2(tos & 0x1e)} PREC=0x${HEX2(tos & 0xe0)} TTL=${iph.ttl(b, o)} ID=${iph.id(b, o)} `;
  const fo = iph.frag_off(b, o);
  if (fo & 0x8000) s += 'CE ';
  if (fo & IP_DF) s += 'DF ';
  if (fo & IP_MF) s += 'MF ';
  if (fo & IP_OFFSET) s += `FRAG:${fo & IP_OFFSET} `;
  const ihl = iph.ihl(b, o) * 4;
  if (info.logflags & NF_LOG_IPOPT && ihl > 20) s += `OPT (${Array.from(b.subarray(o + 20, o + ihl), HEX2).join('')}) `;
  const th = o + ihl;
  const frag = (fo & IP_OFFSET) !== 0;
  const proto = iph.protocol(b, o);
  switch (proto) {
    case IPPROTO_TCP:
      s += dump_tcp(b, th, tail, frag, info.logflags);
      break;
    case IPPROTO_UDP:
      s += 'PROTO=UDP ';
      if (frag) break;
      if (th + 8 > tail) {
        s += `INCOMPLETE [${Math.max(0, tail - th)} bytes] `;
        break;
      }
      s += `SPT=${get16(b, th)} DPT=${get16(b, th + 2)} LEN=${get16(b, th + 4)} `;
      break;
    case IPPROTO_ICMP: {
      s += 'PROTO=ICMP ';
      if (frag) break;
      if (th + 8 > tail) {
        s += `INCOMPLETE [${Math.max(0, tail - th)} bytes] `;
        break;
      }
      const type = b[th];
      const code = b[th + 1];
      s += `TYPE=${type} CODE=${code} `;
      if (ICMP_REQUIRED[type] && tail - th < ICMP_REQUIRED[type]) {
        s += `INCOMPLETE [${tail - th} bytes] `;
        break;
      }
      if (type === 0 || type === 8) s += `ID=${get16(b, th + 4)} SEQ=${get16(b, th + 6)} `;
      else if (type === 12) s += `PARAMETER=${b[th + 4]} `;
      else if (type === 5 || type === 3 || type === 4 || type === 11) {
        if (type === 5) s += `GATEWAY=${formatIPv4(get32(b, th + 4))} `;
        if (!inner) s += '[' + dump_ipv4_packet(b, th + 8, tail, info, true) + '] ';
        if (type === 3 && code === 4) s += `MTU=${get16(b, th + 6)} `;
      }
      break;
    }
    default:
      s += `PROTO=${proto} `;
  }
  return s;
}

/** nf_log_ip_packet. */
export function nf_log_ip_packet(net: Net, skb: SkBuff, indev: NetDevice | null, outdev: NetDevice | null, info: NfLogInfo): void {
  let s = `${info.prefix}IN=${indev?.name ?? ''} OUT=${outdev?.name ?? ''} `;
  if (indev) s += dump_mac_header(skb, info);
  s += dump_ipv4_packet(skb.buf, skb.network_header, skb.tail, info, false);
  printk(net, info.level, s);
}
