// tcpdump 4.99 over libpcap on a PF_PACKET socket (core/net/packet): the
// filter expression is compiled (pcap_compile) and attached to the socket so
// the kernel counts what passes it; frames are printed as tcpdump prints
// them (core/pcap/netdissect), or written to / read from a pcap file through
// the host's files. Runs until -c packets or Ctrl-C, then prints libpcap's
// statistics on stderr. Timestamps are virtual time since midnight.
import type { Proc, ProgramGen } from '../process.js';
import { kernel, out, err } from './util.js';
import { civil_from_days } from './civil.js';
import { packet_create, packet_attach_filter, packet_recvmsg, packet_statistics, packet_release, type PacketFrame } from '../../net/packet/af_packet.js';
import { PACKET_OUTGOING } from '../../net/core/skbuff.js';
import { IFF_LOOPBACK } from '../../net/core/netdevice.js';
import { pcap_compile, FilterError, type Matcher } from '../../pcap/gencode.js';
import { Netdissect } from '../../pcap/netdissect.js';
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL2, LINKTYPE_RAW, PCAP_SNAPLEN, pcapHeader, pcapRecord, readPcap, linktypeName, PcapFormatError, type PcapFile } from '../../pcap/pcap.js';
import { isPcapng, readPcapng } from '../../pcap/pcapng.js';
import type { Net } from '../../net/net_namespace.js';

const USAGE = `tcpdump version 4.99.3
libpcap version 1.10.3 (with TPACKET_V3)
Usage: tcpdump [-AbdDefhHIJKlLnNOpqStuUvxX#] [ -B size ] [ -c count ] [--count]
		[ -C file_size ] [ -E algo:secret ] [ -F file ] [ -G seconds ]
		[ -i interface ] [ --immediate-mode ] [ -j tstamptype ]
		[ -M secret ] [ --number ] [ --print ] [ -Q in|out|inout ]
		[ -r file ] [ -s snaplen ] [ -T type ] [ --version ]
		[ -V file ] [ -w file ] [ -W filecount ] [ -y datalinktype ]
		[ --time-stamp-precision precision ] [ --micro ] [ --nano ]
		[ -z postrotate-command ] [ -Z user ] [ expression ]
`;

interface Opts {
  iface: string | null;
  count: number;
  wfile: string | null;
  rfile: string | null;
  snaplen: number;
  tflag: number;
  e: boolean;
  q: boolean;
  v: number;
  n: boolean;
  immediate: boolean;
  expr: string;
}

/** One packet as libpcap hands it to tcpdump. */
interface Pkt {
  tsNs: number;
  data: Uint8Array;
  len: number;
  linktype: number;
  ifindex?: number;
  pkttype?: number;
}

const WITH_ARG = 'cirwsCWGEFMTyzZBjV';
/** tcpdump's pcap_open timeout (to_ms). */
const PCAP_TIMEOUT_NS = 1000e6;

function parseArgs(p: Proc): Opts | number {
  const o: Opts = { iface: null, count: 0, wfile: null, rfile: null, snaplen: PCAP_SNAPLEN, tflag: 0, e: false, q: false, v: 0, n: false, immediate: false, expr: '' };
  const a = p.argv.slice(1);
  const rest: string[] = [];
  while (a.length) {
    const x = a.shift()!;
    if (x === '--') {
      rest.push(...a.splice(0));
      break;
    }
    if (!x.startsWith('-') || x === '-') {
      rest.push(x);
      continue;
    }
    if (x === '--version') {
      out(p, USAGE.split('\n').slice(0, 2).join('\n') + '\n');
      return 0;
    }
    if (x === '--immediate-mode') {
      o.immediate = true;
      continue;
    }
    if (x === '--help') {
      out(p, USAGE);
      return 0;
    }
    let s = x.slice(1);
    while (s) {
      const f = s[0];
      s = s.slice(1);
      let v = '';
      if (WITH_ARG.includes(f)) {
        v = s || a.shift() || '';
        s = '';
        if (!v) {
          err(p, `tcpdump: option requires an argument -- '${f}'\n${USAGE}`);
          return 1;
        }
      }
      switch (f) {
        case 'i':
          o.iface = v;
          break;
        case 'c': {
          const n = Number(v);
          if (!/^\d+$/.test(v) || n <= 0) {
            err(p, `tcpdump: invalid packet count ${v}\n`);
            return 1;
          }
          o.count = n;
          break;
        }
        case 'w':
          o.wfile = v;
          break;
        case 'r':
          o.rfile = v;
          break;
        case 's': {
          const n = Number(v);
          if (!/^\d+$/.test(v) || n > PCAP_SNAPLEN) {
            err(p, `tcpdump: invalid snaplen ${v}\n`);
            return 1;
          }
          o.snaplen = n === 0 ? PCAP_SNAPLEN : n;
          break;
        }
        case 't':
          o.tflag++;
          break;
        case 'e':
          o.e = true;
          break;
        case 'q':
          o.q = true;
          break;
        case 'v':
          o.v++;
          break;
        case 'n':
          o.n = true;
          break;
        case 'l':
        case 'p':
        case 'U':
        case 'S':
        case 'K':
        case 'N':
          break;
        case 'h':
          out(p, USAGE);
          return 0;
        default:
          if (WITH_ARG.includes(f)) break; // accepted and ignored
          err(p, `tcpdump: invalid option -- '${f}'\n${USAGE}`);
          return 1;
      }
    }
  }
  o.expr = rest.join(' ');
  return o;
}

/** HH:MM:SS.uuuuuu of a virtual time (ns) counted from midnight. */
function clock(ns: number): string {
  const us = Math.floor(ns / 1000);
  const s = Math.floor(us / 1e6);
  const d2 = (x: number) => String(x).padStart(2, '0');
  return `${d2(Math.floor(s / 3600) % 24)}:${d2(Math.floor(s / 60) % 60)}:${d2(s % 60)}.${String(us % 1e6).padStart(6, '0')}`;
}

/** YYYY-MM-DD of day n since 1970-01-01. */
function civil(days: number): string {
  const { y, m, d } = civil_from_days(days);
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** ts_format / ts_date_hmsfrac_format for -t, -tt, -ttt, -tttt, -ttttt. */
class Stamp {
  private prev: number | null = null;
  private first: number | null = null;
  constructor(private tflag: number) {}
  format(ns: number): string {
    const us = Math.floor(ns / 1000);
    switch (this.tflag) {
      case 0:
        return clock(ns) + ' ';
      case 1:
        return '';
      case 2:
        return `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')} `;
      case 3: {
        const d = this.prev === null ? 0 : ns - this.prev;
        this.prev = ns;
        return ` ${clock(d)} `;
      }
      case 4:
        return `${civil(Math.floor(us / 86_400e6))} ${clock(ns)} `;
      default: {
        this.first ??= ns;
        return ` ${clock(ns - this.first)} `;
      }
    }
  }
}

/** The cooked (SLL2) header libpcap puts in front of an -i any frame. */
function toSll2(f: PacketFrame, snap: number): Uint8Array {
  const payload = f.data.subarray(14);
  const out = new Uint8Array(20 + payload.length);
  out[0] = f.data[12];
  out[1] = f.data[13];
  out[4] = (f.ifindex >>> 24) & 0xff;
  out[5] = (f.ifindex >>> 16) & 0xff;
  out[6] = (f.ifindex >>> 8) & 0xff;
  out[7] = f.ifindex & 0xff;
  out[8] = f.hatype >> 8;
  out[9] = f.hatype & 0xff;
  out[10] = f.pkt_type;
  out[11] = 6;
  out.set(f.data.subarray(6, 12), 12);
  out.set(payload, 20);
  return out.subarray(0, Math.min(out.length, snap));
}

/** Back from SLL2 to an Ethernet-shaped frame for the printer and the filter. */
function fromSll2(b: Uint8Array): { eth: Uint8Array; ifindex: number; pkttype: number } {
  const eth = new Uint8Array(14 + Math.max(0, b.length - 20));
  eth.set(b.subarray(12, 18), 6);
  eth[12] = b[0];
  eth[13] = b[1];
  eth.set(b.subarray(20), 14);
  return { eth, ifindex: ((b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7]) >>> 0, pkttype: b[10] };
}

export function* tcpdump(p: Proc): ProgramGen {
  const o = parseArgs(p);
  if (typeof o === 'number') return o;
  const net = kernel(p);
  const ndo = new Netdissect({ eflag: o.e, qflag: o.q, vflag: o.v, nflag: o.n });
  const stamp = new Stamp(o.tflag);
  const ifname = (i: number) => net.dev_get_by_index(i)?.name ?? String(i);

  const print = (k: Pkt) => {
    let line: string;
    if (k.linktype === LINKTYPE_LINUX_SLL2) line = ndo.sll2(k.data, k.len, ifname(k.ifindex ?? 0), k.ifindex ?? 0, k.pkttype ?? 0);
    else if (k.linktype === LINKTYPE_RAW) line = ndo.raw(k.data, k.len);
    else line = ndo.ether(k.data, k.len);
    out(p, stamp.format(k.tsNs) + line + '\n');
  };

  // -w: the file is created (header written) before the first packet.
  let dump: ((k: Pkt, raw: Uint8Array) => void) | null = null;
  const openDump = (linktype: number): number => {
    if (!o.wfile) return 0;
    const w = p.vfs.writeBytes?.bind(p.vfs);
    const e = w ? w(o.wfile, pcapHeader(linktype, o.snaplen), false) : { errno: 'EACCES' as const };
    if (e) {
      err(p, `tcpdump: ${o.wfile}: ${e.errno === 'ENOENT' ? 'No such file or directory' : e.errno === 'EISDIR' ? 'Is a directory' : 'Permission denied'}\n`);
      return 1;
    }
    dump = (k, raw) => w!(o.wfile!, pcapRecord({ tsNs: k.tsNs, data: raw, origLen: k.len }, o.snaplen), true);
    return 0;
  };

  if (o.rfile) return readFile(p, o, print, openDump, () => dump);

  // Live capture: which device (pcap_lookupdev picks the first up, non-loopback one).
  let dev = null;
  const any = o.iface === 'any';
  if (o.iface && !any) {
    dev = net.dev_get_by_name(o.iface) ?? null;
    if (!dev) {
      err(p, `tcpdump: ${o.iface}: No such device exists\n(No such device exists)\n`);
      return 1;
    }
  } else if (!any) {
    dev = [...net.devices.values()].find((d) => d.up && !(d.flags & IFF_LOOPBACK)) ?? null;
    if (!dev) {
      err(p, 'tcpdump: no suitable device found\n');
      return 1;
    }
  }
  const linktype = any ? LINKTYPE_LINUX_SLL2 : LINKTYPE_ETHERNET;
  let matcher: Matcher;
  try {
    matcher = pcap_compile(o.expr, LINKTYPE_ETHERNET);
  } catch (e) {
    if (!(e instanceof FilterError)) throw e;
    err(p, `tcpdump: can't parse filter expression: ${e.message}\n`);
    return 1;
  }
  if (openDump(linktype)) return 1;
  const po = packet_create(net, dev);
  po.snaplen = o.snaplen;
  // Printing to a terminal asks for immediate mode; otherwise libpcap sets
  // the TPACKET_V3 block timeout to tcpdump's 1000 ms buffer timeout, so
  // frames reach tcpdump up to a second late, in batches.
  const immediate = o.immediate || (!o.wfile && !!p.stdout.isatty);
  po.retire_blk_tov_ns = immediate ? 0 : PCAP_TIMEOUT_NS;
  if (o.expr) packet_attach_filter(po, matcher);
  const [dltName, dltDesc] = linktypeName(linktype);
  if (any) err(p, `tcpdump: data link type ${dltName}\n`);
  err(p, !o.v && !o.wfile ? 'tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n' : 'tcpdump: ');
  err(p, `listening on ${any ? 'any' : dev!.name}, link-type ${dltName} (${dltDesc}), snapshot length ${o.snaplen} bytes\n`);

  let captured = 0;
  try {
    outer: for (;;) {
      for (let f = packet_recvmsg(po); f; f = packet_recvmsg(po)) {
        // libpcap drops the outgoing copy on lo: the same packet comes back in.
        if (f.pkt_type === PACKET_OUTGOING && isLoopback(net, f.ifindex)) continue;
        const k: Pkt = any
          ? { tsNs: f.tstamp, data: f.data, len: f.len, linktype: LINKTYPE_LINUX_SLL2, ifindex: f.ifindex, pkttype: f.pkt_type }
          : { tsNs: f.tstamp, data: f.data, len: f.len, linktype };
        captured++;
        const d = dump as ((k: Pkt, raw: Uint8Array) => void) | null;
        if (d) d(any ? { ...k, len: f.len + 6 } : k, any ? toSll2(f, o.snaplen) : f.data);
        else print(k);
        if (o.count && captured >= o.count) break outer;
      }
      if (p.interrupted) break;
      yield { op: 'wait', q: po.wq };
    }
  } finally {
    const st = packet_statistics(po);
    packet_release(po);
    err(p, `${captured} packet${captured === 1 ? '' : 's'} captured\n${st.tp_packets} packet${st.tp_packets === 1 ? '' : 's'} received by filter\n${st.tp_drops} packet${st.tp_drops === 1 ? '' : 's'} dropped by kernel\n`);
  }
  return 0;
}

function isLoopback(net: Net, ifindex: number): boolean {
  const d = net.dev_get_by_index(ifindex);
  return !!d && (d.flags & IFF_LOOPBACK) !== 0;
}

function readFile(p: Proc, o: Opts, print: (k: Pkt) => void, openDump: (lt: number) => number, dump: () => ((k: Pkt, raw: Uint8Array) => void) | null): number {
  const r = p.vfs.readBytes ? p.vfs.readBytes(o.rfile!) : { errno: 'ENOENT' as const };
  if ('errno' in r) {
    err(p, `tcpdump: ${o.rfile}: ${r.errno === 'EISDIR' ? 'Is a directory' : 'No such file or directory'}\n`);
    return 1;
  }
  let file: PcapFile;
  let ngIfaces: number[] | null = null;
  try {
    if (isPcapng(r)) {
      const ng = readPcapng(r);
      const lt = ng.ifaces[0]?.linktype ?? LINKTYPE_ETHERNET;
      ngIfaces = ng.ifaces.map((i) => i.linktype);
      file = { linktype: lt, snaplen: ng.ifaces[0]?.snaplen || PCAP_SNAPLEN, records: ng.packets.map((k) => ({ tsNs: k.tsNs, data: k.data, origLen: k.origLen, iface: k.iface }) as any) };
    } else file = readPcap(r);
  } catch (e) {
    if (!(e instanceof PcapFormatError)) throw e;
    err(p, `tcpdump: ${e.message}\n`);
    return 1;
  }
  let matcher: Matcher;
  try {
    matcher = pcap_compile(o.expr, file.linktype === LINKTYPE_RAW ? LINKTYPE_RAW : LINKTYPE_ETHERNET);
  } catch (e) {
    if (!(e instanceof FilterError)) throw e;
    err(p, `tcpdump: can't parse filter expression: ${e.message}\n`);
    return 1;
  }
  const [name, desc] = linktypeName(file.linktype);
  err(p, `reading from file ${o.rfile}, link-type ${name} (${desc}), snapshot length ${file.snaplen}\n`);
  if (openDump(file.linktype)) return 1;
  let n = 0;
  for (const rec of file.records) {
    const lt = ngIfaces ? ngIfaces[(rec as any).iface] ?? file.linktype : file.linktype;
    let k: Pkt = { tsNs: rec.tsNs, data: rec.data, len: rec.origLen, linktype: lt };
    let filterBytes = rec.data;
    if (lt === LINKTYPE_LINUX_SLL2) {
      const c = fromSll2(rec.data);
      k = { ...k, data: c.eth, len: rec.origLen - 6, ifindex: c.ifindex, pkttype: c.pkttype };
      filterBytes = c.eth;
    }
    if (o.expr && !matcher(filterBytes, k.len)) continue;
    const d = dump();
    if (d) d({ ...k, len: rec.origLen }, rec.data);
    else print(k);
    if (o.count && ++n >= o.count) break;
  }
  return 0;
}
