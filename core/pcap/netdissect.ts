// tcpdump's printers (libnetdissect, tcpdump 4.99): one line per frame for
// Ethernet, Linux cooked v2 (-i any), ARP, IPv4, ICMP, UDP and TCP, with the
// -e, -q, -v and -n variants. Names and formats follow print-ether.c,
// print-sll.c, print-arp.c, print-ip.c, print-icmp.c, print-udp.c and
// print-tcp.c; the caller prints the timestamp in front.
import { csum_partial, csum_fold, csum_tcpudp } from '../net/wire/checksum.js';
import { formatIPv4 } from '../net/wire/ip.js';
import { formatMac } from '../net/wire/ethernet.js';
import { TCP_SERVICES, UDP_SERVICES, PROTOCOLS } from './services.js';

export interface NdoOptions {
  /** -e: print the link-level header. */
  eflag?: boolean;
  /** -q: quick (less protocol information). */
  qflag?: boolean;
  /** -v count. */
  vflag?: number;
  /** -n: no address-to-name conversion (ports stay numbers). */
  nflag?: boolean;
}

/** Per-capture state: TCP relative sequence numbers (tcp_seq_hash). */
export class Netdissect {
  private tcpSeq = new Map<string, { seq: number; ack: number }>();
  constructor(readonly o: NdoOptions) {}

  /** An Ethernet frame (DLT_EN10MB); `len` is its length on the wire. */
  ether(b: Uint8Array, len: number): string {
    if (b.length < 14) return '[|ether]';
    const type = (b[12] << 8) | b[13];
    let s = '';
    const name = ETHERTYPES[type];
    if (this.o.eflag) {
      s += `${this.mac(b.subarray(6, 12))} > ${this.mac(b.subarray(0, 6))}, `;
      if (type <= 1500) s += `802.3`;
      else if (!this.o.qflag) s += `ethertype ${name ?? 'Unknown'} (0x${hex4(type)})`;
      else s += name ?? `Unknown Ethertype (0x${hex4(type)})`;
      s += `, length ${len}: `;
    }
    return s + this.ethertype(type, b.subarray(14), len - 14, () => (this.o.eflag ? '' : `${this.mac(b.subarray(6, 12))} > ${this.mac(b.subarray(0, 6))}, ethertype ${name ?? 'Unknown'} (0x${hex4(type)}), length ${len}: `));
  }

  /** -i any (DLT_LINUX_SLL2): interface, direction, then the payload. The
   * frame is given as Ethernet; the cooked header is what libpcap makes of it. */
  sll2(b: Uint8Array, len: number, ifname: string, ifindex: number, pkttype: number): string {
    const type = (b[12] << 8) | b[13];
    let s = `${ifname.padEnd(5)} ${(PKTTYPES[pkttype] ?? '?').padEnd(3)} `;
    if (this.o.eflag) {
      s += `ifindex ${ifindex} ${this.mac(b.subarray(6, 12))} `;
      if (!this.o.qflag) s += `ethertype ${ETHERTYPES[type] ?? 'Unknown'} (0x${hex4(type)}), length ${len - 14 + 20}: `;
    }
    return s + this.ethertype(type, b.subarray(14), len - 14, () => '');
  }

  /** Raw IPv4 (DLT_RAW). */
  raw(b: Uint8Array, len: number): string {
    return this.ethertype((b[0] >> 4) === 4 ? 0x0800 : 0x86dd, b, len, () => '');
  }

  private ethertype(type: number, p: Uint8Array, len: number, unknown: () => string): string {
    switch (type) {
      case 0x0800:
        return this.ip(p, len);
      case 0x0806:
        return this.arp(p, len);
      default:
        return unknown().replace(/: $/, '');
    }
  }

  arp(p: Uint8Array, len: number): string {
    let s = this.o.eflag ? '' : 'ARP, ';
    if (p.length < 8) return s + '[|ARP]';
    const hrd = (p[0] << 8) | p[1];
    const pro = (p[2] << 8) | p[3];
    const hln = p[4];
    const pln = p[5];
    const op = (p[6] << 8) | p[7];
    if (hrd !== 1 || pro !== 0x0800 || hln !== 6 || pln !== 4 || p.length < 28) return s + `${ARPHRD[hrd] ?? `Unknown Hardware (${hrd})`}, ${pro === 0x0800 ? 'IPv4' : `Unknown Protocol (0x${hex4(pro)})`}, length ${len}`;
    if (this.o.vflag) s += `Ethernet (len ${hln}), IPv4 (len ${pln}), `;
    const sha = p.subarray(8, 14);
    const spa = formatIPv4(u32(p, 14));
    const tha = p.subarray(18, 24);
    const tpa = formatIPv4(u32(p, 24));
    switch (op) {
      case 1:
        s += `Request who-has ${tpa}`;
        if (tha.some((x) => x !== 0)) s += ` (${this.mac(tha)})`;
        s += ` tell ${spa}`;
        break;
      case 2:
        s += `Reply ${spa} is-at ${this.mac(sha)}`;
        break;
      default:
        s += `Unknown (${op})`;
    }
    return s + `, length ${len}`;
  }

  /** ip_print: `len` is what the link layer carried. */
  ip(p: Uint8Array, len: number, inner = false): string {
    if (p.length < 20) return 'IP [|ip]';
    const hlen = (p[0] & 0xf) * 4;
    const totLen = (p[2] << 8) | p[3];
    const id = (p[4] << 8) | p[5];
    const off = (p[6] << 8) | p[7];
    const ttl = p[8];
    const proto = p[9];
    const src = formatIPv4(u32(p, 12));
    const dst = formatIPv4(u32(p, 16));
    // print-ip.c names the protocol only when the link header did not (-e).
    let s = this.o.eflag ? '' : 'IP ';
    if (this.o.vflag) {
      const tos = p[1];
      s += `(tos 0x${tos.toString(16)}`;
      s += ['', ',ECT(1)', ',ECT(0)', ',CE'][tos & 3];
      if (ttl >= 1) s += `, ttl ${ttl}`;
      const flags = [off & 0x2000 ? '+' : '', off & 0x4000 ? 'DF' : '', off & 0x8000 ? 'rsvd' : ''].filter(Boolean).join(', ') || 'none';
      s += `, id ${id}, offset ${(off & 0x1fff) * 8}, flags [${flags}], proto ${IPPROTO_NAMES[proto] ?? 'unknown'} (${proto}), length ${totLen}`;
      if (hlen > 20) s += ', options (...)';
      if (p.length >= hlen) {
        const sum = csum_fold(csum_partial(p, 0, hlen));
        if (sum !== 0) {
          const ipSum = (p[10] << 8) | p[11];
          s += `, bad cksum ${ipSum.toString(16)} (->${shouldbe(ipSum, sum).toString(16)})!`;
        }
      }
      s += ')\n    ';
    }
    void inner;
    const payload = p.subarray(hlen, Math.min(p.length, totLen));
    const plen = Math.max(0, Math.min(totLen, len) - hlen);
    if (off & 0x1fff) return s + `${src} > ${dst}: ${this.protoName(proto)}`;
    const fragmented = (off & 0x3fff) !== 0;
    switch (proto) {
      case 1:
        return s + `${src} > ${dst}: ` + this.icmp(payload, plen, fragmented);
      case 17:
        return s + this.udp(payload, plen, src, dst, u32(p, 12), u32(p, 16), fragmented);
      case 6:
        return s + this.tcp(payload, plen, src, dst, u32(p, 12), u32(p, 16), fragmented);
      default:
        return s + `${src} > ${dst}: ${this.protoName(proto)} ${plen}`;
    }
  }

  icmp(p: Uint8Array, plen: number, fragmented: boolean): string {
    if (p.length < 4) return 'ICMP [|icmp]';
    const type = p[0];
    const code = p[1];
    let str: string;
    const innerDst = () => (p.length >= 28 ? formatIPv4(u32(p, 24)) : '?');
    switch (type) {
      case 0:
      case 8:
        str = `echo ${type === 8 ? 'request' : 'reply'}, id ${(p[4] << 8) | p[5]}, seq ${(p[6] << 8) | p[7]}`;
        break;
      case 3:
        switch (code) {
          case 2:
            str = `${innerDst()} protocol ${p[17]} unreachable`;
            break;
          case 3: {
            const ihl = (p[8] & 0xf) * 4;
            const dport = (p[8 + ihl + 2] << 8) | p[8 + ihl + 3];
            const oproto = p[17];
            str = oproto === 6 ? `${innerDst()} tcp port ${this.port(dport, 'tcp')} unreachable` : oproto === 17 ? `${innerDst()} udp port ${this.port(dport, 'udp')} unreachable` : `${innerDst()} protocol ${oproto} port ${dport} unreachable`;
            break;
          }
          case 4: {
            const mtu = (p[6] << 8) | p[7];
            str = mtu ? `${innerDst()} unreachable - need to frag (mtu ${mtu})` : `${innerDst()} unreachable - need to frag`;
            break;
          }
          default:
            str = (UNREACH[code] ?? `#${code} %s unreachable`).replace('%s', innerDst());
        }
        break;
      case 5:
        str = (REDIRECT[code] ?? `redirect-#${code} %s to %s`).replace('%s', innerDst()).replace('%s', formatIPv4(u32(p, 4)));
        break;
      case 11:
        str = code === 0 ? 'time exceeded in-transit' : code === 1 ? 'ip reassembly time exceeded' : `time exceeded-#${code}`;
        break;
      case 12:
        str = code ? `parameter problem - code ${code}` : `parameter problem - octet ${p[4]}`;
        break;
      default:
        str = ICMP_TYPES[type] ?? `type-#${type}`;
    }
    let s = `ICMP ${str}, length ${plen}`;
    if (this.o.vflag && !fragmented && p.length >= plen) {
      const sum = csum_fold(csum_partial(p, 0, plen));
      if (sum !== 0) {
        const icmpSum = (p[2] << 8) | p[3];
        s += ` (wrong icmp cksum ${icmpSum.toString(16)} (->${shouldbe(icmpSum, sum).toString(16)})!)`;
      }
    }
    // Errors quote the offending datagram: print it too (ICMP_ERRTYPE).
    if (this.o.vflag && (type === 3 || type === 4 || type === 5 || type === 11 || type === 12) && p.length > 8 + 20) {
      const inner = p.subarray(8);
      s += '\n\t' + this.ip(inner, (inner[2] << 8) | inner[3], true);
    }
    return s;
  }

  udp(p: Uint8Array, plen: number, src: string, dst: string, saddr: number, daddr: number, fragmented: boolean): string {
    if (p.length < 8) return `${src} > ${dst}: UDP [|udp]`;
    const sport = (p[0] << 8) | p[1];
    const dport = (p[2] << 8) | p[3];
    const ulen = (p[4] << 8) | p[5];
    let s = `${src}.${this.port(sport, 'udp')} > ${dst}.${this.port(dport, 'udp')}: `;
    if ((this.o.vflag ?? 0) > 1 && !fragmented && p.length >= ulen) {
      const sum = (p[6] << 8) | p[7];
      if (sum === 0) s += '[no cksum] ';
      else {
        const c = csum_fold(csum_partial(p, 0, ulen, csum_tcpudp(saddr, daddr, ulen, 17)));
        s += c !== 0 ? `[bad udp cksum 0x${hex4(sum)} -> 0x${hex4(shouldbe(sum, c))}!] ` : '[udp sum ok] ';
      }
    }
    void plen;
    return s + `UDP, length ${ulen - 8}`;
  }

  tcp(p: Uint8Array, plen: number, src: string, dst: string, saddr: number, daddr: number, fragmented: boolean): string {
    if (p.length < 20) return `${src} > ${dst}: [|tcp]`;
    const sport = (p[0] << 8) | p[1];
    const dport = (p[2] << 8) | p[3];
    let seq = u32(p, 4);
    let ack = u32(p, 8);
    const hlen = (p[12] >> 4) * 4;
    const flags = p[13];
    const win = (p[14] << 8) | p[15];
    const length = plen - hlen;
    let s = `${src}.${this.port(sport, 'tcp')} > ${dst}.${this.port(dport, 'tcp')}: `;
    if (this.o.qflag) return s + `tcp ${length}`;
    const F = 'FSRP.UEW';
    let fl = '';
    for (let i = 0; i < 8; i++) if (flags & (1 << i)) fl += F[i];
    s += `Flags [${fl || 'none'}]`;
    // tcp_seq_hash: relative numbers once both directions are known.
    if (flags & 0x10) {
      const a = `${saddr}:${sport}`;
      const b = `${daddr}:${dport}`;
      const rev = a > b;
      const key = rev ? `${b}>${a}` : `${a}>${b}`;
      const th = this.tcpSeq.get(key);
      if (!th || flags & 0x02) {
        this.tcpSeq.set(key, rev ? { ack: seq, seq: (ack - 1) >>> 0 } : { seq, ack: (ack - 1) >>> 0 });
      } else if (rev) {
        seq = (seq - th.ack) >>> 0;
        ack = (ack - th.seq) >>> 0;
      } else {
        seq = (seq - th.seq) >>> 0;
        ack = (ack - th.ack) >>> 0;
      }
    }
    if (this.o.vflag && !fragmented && p.length >= plen) {
      const sum = (p[16] << 8) | p[17];
      const c = csum_fold(csum_partial(p, 0, plen, csum_tcpudp(saddr, daddr, plen, 6)));
      s += c !== 0 ? `, cksum 0x${hex4(sum)} (incorrect -> 0x${hex4(shouldbe(sum, c))})` : `, cksum 0x${hex4(sum)} (correct)`;
    }
    if (length > 0 || flags & 0x07) {
      s += `, seq ${seq}`;
      if (length > 0) s += `:${(seq + length) >>> 0}`;
    }
    if (flags & 0x10) s += `, ack ${ack}`;
    s += `, win ${win}`;
    if (flags & 0x20) s += `, urg ${(p[18] << 8) | p[19]}`;
    if (hlen > 20) s += `, options [${tcpOptions(p.subarray(20, hlen))}]`;
    return s + `, length ${length}`;
  }

  /** etheraddr_string: without -n, the vendor (OUI) or a known name. */
  private mac(a: Uint8Array): string {
    const m = formatMac(a);
    if (this.o.nflag) return m;
    return m === 'ff:ff:ff:ff:ff:ff' ? 'Broadcast' : `${m} (oui Unknown)`;
  }

  /** An IP protocol without its header: /etc/protocols' name unless -n. */
  private protoName(p: number): string {
    return !this.o.nflag && PROTOCOLS[p] ? PROTOCOLS[p] : `ip-proto-${p}`;
  }

  /** Port as tcpdump shows it: a service name unless -n. */
  private port(n: number, proto: 'tcp' | 'udp'): string {
    if (this.o.nflag) return String(n);
    return (proto === 'tcp' ? TCP_SERVICES : UDP_SERVICES)[n] ?? String(n);
  }
}

function tcpOptions(o: Uint8Array): string {
  const out: string[] = [];
  for (let i = 0; i < o.length; ) {
    const kind = o[i];
    if (kind === 0) {
      out.push('eol');
      break;
    }
    if (kind === 1) {
      out.push('nop');
      i++;
      continue;
    }
    const len = o[i + 1];
    if (!len || i + len > o.length) break;
    const v = o.subarray(i + 2, i + len);
    switch (kind) {
      case 2:
        out.push(`mss ${(v[0] << 8) | v[1]}`);
        break;
      case 3:
        out.push(`wscale ${v[0]}`);
        break;
      case 4:
        out.push('sackOK');
        break;
      case 5: {
        const blocks: string[] = [];
        for (let j = 0; j + 8 <= v.length; j += 8) blocks.push(`{${u32(v, j)}:${u32(v, j + 4)}}`);
        out.push(`sack ${blocks.length} ${blocks.join('')}`);
        break;
      }
      case 8:
        out.push(`TS val ${u32(v, 0)} ecr ${u32(v, 4)}`);
        break;
      default:
        out.push(`unknown-${kind} 0x${[...v].map((x) => x.toString(16).padStart(2, '0')).join('')}`);
    }
    i += len;
  }
  return out.join(',');
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}
function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
/** in_cksum_shouldbe: the checksum field value that would have been right. */
function shouldbe(sum: number, computed: number): number {
  let s = sum + computed;
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
  return s & 0xffff;
}

const ETHERTYPES: Record<number, string> = { 0x0800: 'IPv4', 0x0806: 'ARP', 0x86dd: 'IPv6', 0x8100: '802.1Q', 0x8035: 'Reverse ARP', 0x88cc: 'LLDP' };
const PKTTYPES: Record<number, string> = { 0: 'In', 1: 'B', 2: 'M', 3: 'P', 4: 'Out' };
const ARPHRD: Record<number, string> = { 1: 'Ethernet', 772: 'Loopback' };
const IPPROTO_NAMES: Record<number, string> = { 1: 'ICMP', 2: 'IGMP', 4: 'IPIP', 6: 'TCP', 17: 'UDP', 41: 'IPv6', 47: 'GRE', 50: 'ESP', 51: 'AH', 89: 'OSPF', 132: 'SCTP' };
const ICMP_TYPES: Record<number, string> = { 0: 'echo reply', 3: 'destination unreachable', 4: 'source quench', 5: 'redirect', 8: 'echo request', 9: 'router advertisement', 10: 'router solicitation', 11: 'time exceeded', 12: 'parameter problem', 13: 'time stamp request', 14: 'time stamp reply', 15: 'information request', 16: 'information reply', 17: 'address mask request', 18: 'address mask reply' };
const UNREACH: Record<number, string> = {
  0: 'net %s unreachable',
  1: 'host %s unreachable',
  5: '%s unreachable - source route failed',
  6: 'net %s unreachable - unknown',
  7: 'host %s unreachable - unknown',
  8: '%s unreachable - source host isolated',
  9: 'net %s unreachable - admin prohibited',
  10: 'host %s unreachable - admin prohibited',
  11: 'net %s unreachable - tos prohibited',
  12: 'host %s unreachable - tos prohibited',
  13: 'host %s unreachable - admin prohibited filter',
  14: 'host %s unreachable - host precedence violation',
  15: 'host %s unreachable - precedence cutoff',
};
const REDIRECT: Record<number, string> = { 0: 'redirect %s to net %s', 1: 'redirect %s to host %s', 2: 'redirect-tos %s to net %s', 3: 'redirect-tos %s to host %s' };
