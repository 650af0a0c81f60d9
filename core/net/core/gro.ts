// net/core/gro.c with inet_gro_receive and tcp4_gro_receive: generic receive
// offload. A NAPI driver hands each frame to napi_gro_receive; consecutive
// TCP segments of one flow are held and merged into one large skb, so the
// stack above runs once per burst instead of once per segment. Anything GRO
// cannot merge goes up at once. UDP is not merged: Linux only does that for
// sockets with UDP_GRO or with rx-udp-gro-forwarding on, both off by default.
// Held packets go up when the poll ends (napi_gro_flush); with HZ < 1000
// every poll flushes all of them.
import type { Net } from '../net_namespace.js';
import type { NapiStruct } from './softnet.js';
import { type SkBuff, alloc_skb, consume_skb } from './skbuff.js';
import { netif_receive_skb } from './dev.js';
import { ETH_P_IP } from '../wire/ethernet.js';
import { IPPROTO_TCP, IP_DF, IP_MF, IP_OFFSET, ip_send_check, put16 } from '../wire/ip.js';
import { csum_fold, csum_partial, csum_tcpudp } from '../wire/checksum.js';

/** MAX_GRO_SKBS: flows held per NAPI instance. */
const MAX_GRO_SKBS = 8;
/** GRO_LEGACY_MAX_SIZE: the IPv4 total length limit of a merged packet. */
const GRO_MAX_SIZE = 65536;
/** CPU time to parse and append one segment (far less than the stack's). */
const GRO_MERGE_NS = 60;

const TCP_FLAG_FIN = 0x01;
const TCP_FLAG_SYN = 0x02;
const TCP_FLAG_RST = 0x04;
const TCP_FLAG_PSH = 0x08;
const TCP_FLAG_URG = 0x20;
const TCP_FLAG_CWR = 0x80;

/** One flow being merged: the first segment's headers and every payload. */
interface GroFlow {
  key: string;
  first: SkBuff;
  segs: SkBuff[];
  /** Next expected sequence number and the segment size (gso_size). */
  nextSeq: number;
  mss: number;
  len: number;
  flags: number;
  lastId: number;
}

/** The flows a NAPI instance holds (napi->gro_hash), on the instance. */
function held(napi: NapiStruct): GroFlow[] {
  return (napi.gro_held ??= []) as GroFlow[];
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/** napi_gro_receive: merge or pass up. Consumes skb (data at the IP header). */
export function napi_gro_receive(net: Net, napi: NapiStruct, skb: SkBuff): void {
  const dev = skb.dev!;
  // netif_elide_gro: GRO off on this device.
  if (!dev.rx_gro || skb.protocol !== ETH_P_IP) return netif_receive_skb(net, skb);
  const b = skb.buf;
  const ip = skb.data;
  if (skb.len < 40 || b[ip] !== 0x45 || b[ip + 9] !== IPPROTO_TCP) return netif_receive_skb(net, skb);
  const frag = ((b[ip + 6] << 8) | b[ip + 7]) & (IP_MF | IP_OFFSET);
  const totLen = (b[ip + 2] << 8) | b[ip + 3];
  if (frag || totLen !== skb.len) return gro_flush_then(net, napi, skb);
  const th = ip + 20;
  const thlen = (b[th + 12] >> 4) * 4;
  if (thlen < 20 || 20 + thlen > skb.len) return gro_flush_then(net, napi, skb);
  const payload = skb.len - 20 - thlen;
  const flags = b[th + 13];
  const key = `${u32(b, ip + 12)}:${u32(b, ip + 16)}:${(b[th] << 8) | b[th + 1]}:${(b[th + 2] << 8) | b[th + 3]}`;
  const list = held(napi);
  net.spend(GRO_MERGE_NS);
  const i = list.findIndex((f) => f.key === key);
  const p = i >= 0 ? list[i] : null;
  const seq = u32(b, th + 4);
  if (p && mergeable(p, skb, seq, payload, flags)) {
    p.segs.push(skb);
    p.nextSeq = (seq + payload) >>> 0;
    p.len += payload;
    p.flags |= flags & (TCP_FLAG_FIN | TCP_FLAG_PSH);
    p.lastId = (b[ip + 4] << 8) | b[ip + 5];
    net.tracer.fn(skb, 'tcp_gro_receive', `merged into skb#${p.first.id} segs ${p.segs.length}`);
    // A short segment or PSH/FIN ends the burst: send it up now.
    if (payload < p.mss || flags & (TCP_FLAG_PSH | TCP_FLAG_FIN)) {
      list.splice(list.indexOf(p), 1);
      gro_complete(net, p);
    }
    return;
  }
  if (p) {
    list.splice(i, 1);
    gro_complete(net, p);
  }
  // Segments that cannot start a merge (SYN, RST, URG, PSH, FIN, no data) go up alone.
  if (!payload || flags & (TCP_FLAG_URG | TCP_FLAG_PSH | TCP_FLAG_RST | TCP_FLAG_SYN | TCP_FLAG_FIN)) return netif_receive_skb(net, skb);
  if (list.length >= MAX_GRO_SKBS) gro_complete(net, list.shift()!);
  list.push({ key, first: skb, segs: [skb], nextSeq: (seq + payload) >>> 0, mss: payload, len: payload, flags, lastId: (b[ip + 4] << 8) | b[ip + 5] });
}

/** tcp_gro_receive's and inet_gro_receive's flush conditions, inverted. */
function mergeable(p: GroFlow, skb: SkBuff, seq: number, payload: number, flags: number): boolean {
  const b = skb.buf;
  const ip = skb.data;
  const th = ip + 20;
  const fb = p.first.buf;
  const fip = p.first.data;
  const fth = fip + 20;
  if (!payload || payload > p.mss) return false;
  if (seq !== p.nextSeq) return false;
  if (flags & TCP_FLAG_CWR) return false;
  if ((flags ^ p.flags) & ~(TCP_FLAG_CWR | TCP_FLAG_FIN | TCP_FLAG_PSH)) return false;
  if (u32(b, th + 8) !== u32(fb, fth + 8)) return false; // ack_seq
  const thlen = (b[th + 12] >> 4) * 4;
  if (thlen !== (fb[fth + 12] >> 4) * 4) return false;
  for (let k = 20; k < thlen; k++) if (b[th + k] !== fb[fth + k]) return false; // options
  if (b[ip + 1] !== fb[fip + 1] || b[ip + 8] !== fb[fip + 8]) return false; // tos, ttl
  if ((b[ip + 6] ^ fb[fip + 6]) & (IP_DF >> 8)) return false;
  const id = (b[ip + 4] << 8) | b[ip + 5];
  const df = b[ip + 6] & (IP_DF >> 8);
  if (id !== ((p.lastId + 1) & 0xffff) && !(df && id === p.lastId)) return false;
  if (20 + thlen + p.len + payload > GRO_MAX_SIZE) return false;
  return true;
}

/** Flush the flow this packet belongs to, then pass the packet up. */
function gro_flush_then(net: Net, napi: NapiStruct, skb: SkBuff): void {
  napi_gro_flush(net, napi);
  netif_receive_skb(net, skb);
}

/** napi_gro_flush: send every held packet up, oldest first. */
export function napi_gro_flush(net: Net, napi: NapiStruct): void {
  const list = napi.gro_held as GroFlow[] | null;
  if (!list || !list.length) return;
  for (const f of list.splice(0)) gro_complete(net, f);
}

/** tcp_gro_complete + napi_gro_complete: one packet made of the segments,
 * with the headers of the first, the length fixed and valid checksums. */
function gro_complete(net: Net, f: GroFlow): void {
  if (f.segs.length === 1) return netif_receive_skb(net, f.first);
  const first = f.first;
  const fb = first.buf;
  const ip = first.data;
  const thlen = (fb[ip + 20 + 12] >> 4) * 4;
  const hdr = 20 + thlen;
  const total = hdr + f.len;
  const skb = alloc_skb(net, total, first.data);
  const o = skb.skb_put(total);
  skb.buf.set(fb.subarray(ip, ip + hdr), o);
  let at = o + hdr;
  let truesize = 0;
  for (const s of f.segs) {
    const sth = s.data + 20;
    const sh = 20 + (s.buf[sth + 12] >> 4) * 4;
    skb.buf.set(s.buf.subarray(s.data + sh, s.tail), at);
    at += s.len - sh;
    truesize += s.truesize;
  }
  const b = skb.buf;
  put16(b, o + 2, total);
  ip_send_check(b, o);
  b[o + 20 + 13] |= f.flags & (TCP_FLAG_FIN | TCP_FLAG_PSH);
  put16(b, o + 20 + 16, 0);
  const saddr = u32(b, o + 12);
  const daddr = u32(b, o + 16);
  const c = csum_fold(csum_partial(b, o + 20, total - 20, csum_tcpudp(saddr, daddr, total - 20, IPPROTO_TCP)));
  put16(b, o + 20 + 16, c);
  skb.dev = first.dev;
  skb.protocol = first.protocol;
  skb.pkt_type = first.pkt_type;
  skb.mac_header = first.mac_header >= 0 ? o - (first.data - first.mac_header) : -1;
  skb.queue_mapping = first.queue_mapping;
  skb.hash = first.hash;
  skb.tstamp = first.tstamp;
  skb.truesize = truesize;
  skb.cb = { ...first.cb, gso_segs: f.segs.length, gso_size: f.mss };
  if (skb.mac_header >= 0) skb.buf.set(fb.subarray(first.mac_header, first.data), skb.mac_header);
  for (const s of f.segs) consume_skb(s, 'napi_gro_complete');
  net.tracer.fn(skb, 'napi_gro_complete', `segs ${f.segs.length} len ${total}`);
  netif_receive_skb(net, skb);
}
