// net/ipv4/ip_output.c (ip_fragment, ip_do_fragment) and ip_fragment.c
// (ip_defrag): splitting packets larger than the MTU into 8-byte-aligned
// fragments, and reassembling them within ipfrag_time, with Linux's
// Frag*/Reasm* counters, duplicate and overlap handling (RFC 5722 as Linux
// applies it to IPv4), and "fragment reassembly time exceeded" sent by an end
// host only when the first fragment had arrived.
import type { Net } from '../net_namespace.js';
import { type SkBuff, alloc_skb, kfree_skb, consume_skb, MAX_HEADER, NET_SKB_PAD } from '../core/skbuff.js';
import type { DropReason } from '../core/dropreason.js';
import { iph, ip_send_check, put16, IP_MF, IP_OFFSET, IP_DF } from '../wire/ip.js';
import { IP_INC_STATS, IP_EXT_INC_STATS } from '../snmp_stats.js';
import type { Timer } from '../../sim/timer.js';
import { timer_setup } from '../../kernel/timer.js';
import { icmp_send } from './icmp.js';
import { ip_route_input } from './route.js';
import { RTN_LOCAL } from './fib.js';
import { ICMP_TIME_EXCEEDED, ICMP_EXC_FRAGTIME, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED } from '../wire/icmp.js';

/** enum ip_defrag_users (the queue key's user). */
export const IP_DEFRAG_LOCAL_DELIVER = 0;
export const IP_DEFRAG_CONNTRACK_IN = 2;
export const IP_DEFRAG_CONNTRACK_OUT = 3;

/** IPCB(skb)->flags bit: DF was set on the largest fragment (refragment with DF). */
export const IPSKB_FRAG_PMTU = 1 << 6;

/** ip_fragment: DF packets are only split when the stack may ignore DF. Consumes skb. */
export function ip_fragment(net: Net, skb: SkBuff, mtu: number, output: (frag: SkBuff) => void): void {
  const b = skb.buf;
  const nh = skb.network_header;
  if (!(iph.frag_off(b, nh) & IP_DF)) return ip_do_fragment(net, skb, mtu, output);
  const fms = skb.cb.frag_max_size ?? 0;
  if (!skb.cb.ignore_df || (fms && fms > mtu)) {
    IP_INC_STATS(net, 'FragFails');
    icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu);
    kfree_skb(skb, 'PKT_TOO_BIG', 'ip_fragment');
    return;
  }
  ip_do_fragment(net, skb, mtu, output);
}

/** ip_do_fragment (slow path). Consumes skb; output gets each fragment. */
export function ip_do_fragment(net: Net, skb: SkBuff, mtu: number, output: (frag: SkBuff) => void): void {
  const b = skb.buf;
  const nh = skb.network_header;
  const hlen = iph.ihl(b, nh) * 4;
  const fms = skb.cb.frag_max_size ?? 0;
  if (fms && fms < mtu) mtu = fms;
  const total = skb.tail - nh - hlen;
  const per = (mtu - hlen) & ~7;
  const fo = iph.frag_off(b, nh);
  const baseOff = (fo & IP_OFFSET) * 8;
  const moreAfter = (fo & IP_MF) !== 0;
  const DF = skb.cb.frag_flags && skb.cb.frag_flags & IPSKB_FRAG_PMTU ? IP_DF : 0;
  let done = 0;
  net.tracer.fn(skb, 'ip_do_fragment', `mtu ${mtu}`);
  while (done < total) {
    const len = total - done > per ? per : total - done;
    const f = alloc_skb(net, hlen + len, MAX_HEADER);
    const o = f.skb_put(hlen + len);
    f.buf.set(b.subarray(nh, nh + hlen), o);
    f.buf.set(b.subarray(nh + hlen + done, nh + hlen + done + len), o + hlen);
    f.skb_reset_network_header();
    f.transport_header = o + hlen;
    const last = done + len >= total;
    put16(f.buf, o + 2, hlen + len);
    put16(f.buf, o + 6, ((baseOff + done) >> 3) | DF | (!last || moreAfter ? IP_MF : 0));
    ip_send_check(f.buf, o);
    f.dst = skb.dst;
    f.dev = skb.dev;
    f.protocol = skb.protocol;
    f.sk = skb.sk;
    f.nfct = skb.nfct;
    f.tstamp = skb.tstamp;
    IP_INC_STATS(net, 'FragCreates');
    output(f);
    done += len;
  }
  IP_INC_STATS(net, 'FragOKs');
  consume_skb(skb, 'ip_fragment');
}

interface Frag {
  off: number;
  data: Uint8Array;
}

/** struct ipq (struct inet_frag_queue + IPv4 fields). */
interface Ipq {
  key: string;
  user: number;
  frags: Frag[];
  /** Runs of contiguous fragments [off, end), in insertion order (the rbtree). */
  runs: { off: number; end: number }[];
  /** The fragment with the highest offset (fragments_tail). */
  tail: { off: number; end: number } | null;
  /** IP header (and the link header in front of it) of the first fragment. */
  header: Uint8Array;
  macLen: number;
  firstIn: boolean;
  lastIn: boolean;
  len: number;
  meat: number;
  iif: number;
  maxSize: number;
  maxDfSize: number;
  timer: Timer;
}

function queue_kill(net: Net, q: Ipq): void {
  q.timer.del();
  net.ipv4_frags.delete(q.key);
}

/** ip_expire: the queue timed out. */
function ip_expire(net: Net, q: Ipq): void {
  if (net.ipv4_frags.get(q.key) !== q) return;
  net.ipv4_frags.delete(q.key);
  IP_INC_STATS(net, 'ReasmFails');
  IP_INC_STATS(net, 'ReasmTimeout');
  if (!q.firstIn) return;
  const dev = net.dev_get_by_index(q.iif);
  if (!dev) return;
  // Rebuild the head fragment, route it again, and tell the sender (end hosts only).
  const head = q.frags.find((f) => f.off === 0)!;
  const hlen = q.header.length - q.macLen;
  const skb = alloc_skb(net, hlen + head.data.length, NET_SKB_PAD);
  const o = skb.skb_put(hlen + head.data.length);
  skb.buf.set(q.header.subarray(q.macLen), o);
  skb.buf.set(head.data, o + hlen);
  put16(skb.buf, o + 2, hlen + head.data.length);
  skb.skb_reset_network_header();
  skb.transport_header = o + hlen;
  skb.dev = dev;
  const b = skb.buf;
  const rt = ip_route_input(net, iph.daddr(b, o), iph.saddr(b, o), iph.tos(b, o), dev);
  if (!('err' in rt)) {
    skb.dst = rt;
    if (q.user !== IP_DEFRAG_CONNTRACK_IN || rt.type === RTN_LOCAL) icmp_send(net, skb, ICMP_TIME_EXCEEDED, ICMP_EXC_FRAGTIME, 0);
  }
  kfree_skb(skb, 'FRAG_REASM_TIMEOUT', 'ip_expire');
}

function drop(skb: SkBuff, reason: DropReason): null {
  kfree_skb(skb, reason, 'ip_frag_queue');
  return null;
}

/** inet_frag_queue_insert: 'ok', 'dup' or 'overlap'. */
function frag_insert(q: Ipq, off: number, end: number): 'ok' | 'dup' | 'overlap' {
  const last = q.tail;
  if (!last) {
    q.runs.push({ off, end });
  } else if (last.end < end) {
    if (off < last.end) return 'overlap';
    const run = q.runs.find((r) => r.end === last.end);
    if (off === last.end && run) run.end = end;
    else q.runs.push({ off, end });
  } else {
    for (const r of q.runs) {
      if (end <= r.off || off >= r.end) continue;
      return off >= r.off && end <= r.end ? 'dup' : 'overlap';
    }
    q.runs.push({ off, end });
    return 'ok';
  }
  q.tail = { off, end };
  return 'ok';
}

/** ip_defrag: queue a fragment. When it completes the datagram, the skb is
 * turned into the whole packet (skb_morph) and returned; otherwise the
 * fragment is kept or dropped and null is returned. */
export function ip_defrag(net: Net, skb: SkBuff, user = IP_DEFRAG_LOCAL_DELIVER): SkBuff | null {
  IP_INC_STATS(net, 'ReasmReqds');
  const b = skb.buf;
  const nh = skb.network_header;
  const key = `${user}/${iph.saddr(b, nh)}/${iph.daddr(b, nh)}/${iph.id(b, nh)}/${iph.protocol(b, nh)}`;
  let q: Ipq | undefined = net.ipv4_frags.get(key);
  if (!q) {
    const nq: Ipq = {
      key, user, frags: [], runs: [], tail: null, header: new Uint8Array(0), macLen: 0,
      firstIn: false, lastIn: false, len: 0, meat: 0, iif: 0, maxSize: 0, maxDfSize: 0, timer: null!,
    };
    nq.timer = timer_setup(net, () => ip_expire(net, nq));
    nq.timer.mod(net.engine.now + net.sysctlInt('net.ipv4.ipfrag_time') * 1e9);
    q = nq;
    net.ipv4_frags.set(key, q);
  }
  // ip_frag_queue
  const ihl = iph.ihl(b, nh) * 4;
  const fo = iph.frag_off(b, nh);
  const offset = (fo & IP_OFFSET) * 8;
  let end = offset + skb.tail - nh - ihl;
  const discard = (): null => {
    queue_kill(net, q!);
    IP_INC_STATS(net, 'ReasmFails');
    return drop(skb, 'NOT_SPECIFIED');
  };
  if (!(fo & IP_MF)) {
    if (end < q.len || (q.lastIn && end !== q.len)) return discard();
    q.lastIn = true;
    q.len = end;
  } else {
    end &= ~7;
    if (end > q.len) {
      if (q.lastIn) return discard();
      q.len = end;
    }
  }
  if (end === offset) return discard();
  const r = frag_insert(q, offset, end);
  if (r === 'dup') return drop(skb, 'DUP_FRAG');
  if (r === 'overlap') {
    IP_EXT_INC_STATS(net, 'ReasmOverlaps'); // an IpExt counter (/proc/net/netstat)
    return discard();
  }
  q.frags.push({ off: offset, data: b.slice(nh + ihl, nh + ihl + end - offset) });
  if (skb.dev) q.iif = skb.dev.ifindex;
  q.meat += end - offset;
  if (offset === 0) {
    q.firstIn = true;
    const mac = skb.mac_header >= 0 && skb.mac_header < nh ? skb.mac_header : nh;
    q.header = b.slice(mac, nh + ihl);
    q.macLen = nh - mac;
  }
  const fragsize = end - offset + ihl;
  if (fragsize > q.maxSize) q.maxSize = fragsize;
  if (fo & IP_DF && fragsize > q.maxDfSize) q.maxDfSize = fragsize;
  if (!(q.firstIn && q.lastIn && q.meat === q.len)) {
    consume_skb_keep(skb);
    return null;
  }
  return ip_frag_reasm(net, q, skb);
}

/** The fragment's bytes now live in the queue; the skb itself is freed. */
function consume_skb_keep(skb: SkBuff): void {
  consume_skb(skb, 'ip_frag_queue');
}

/** ip_frag_reasm: the skb that completed the queue becomes the datagram. */
function ip_frag_reasm(net: Net, q: Ipq, skb: SkBuff): SkBuff | null {
  queue_kill(net, q);
  const hlen = q.header.length - q.macLen;
  const len = hlen + q.len;
  if (len > 65535) {
    IP_INC_STATS(net, 'ReasmFails');
    return drop(skb, 'NOT_SPECIFIED');
  }
  // skb_morph: same sk_buff, the head's headers, every fragment's data.
  const buf = new Uint8Array(NET_SKB_PAD + q.header.length + q.len);
  const nh = NET_SKB_PAD + q.macLen;
  buf.set(q.header, NET_SKB_PAD);
  for (const f of q.frags) buf.set(f.data, nh + hlen + f.off);
  skb.buf = buf;
  skb.truesize = buf.length + 256;
  skb.mac_header = q.macLen ? NET_SKB_PAD : -1;
  skb.data = nh;
  skb.tail = nh + len;
  skb.network_header = nh;
  skb.transport_header = nh + hlen;
  skb.dev = net.dev_get_by_index(q.iif) ?? skb.dev;
  skb.cb.frag_max_size = Math.max(q.maxDfSize, q.maxSize);
  put16(buf, nh + 2, len);
  if (q.maxDfSize === q.maxSize) {
    skb.cb.frag_flags = (skb.cb.frag_flags ?? 0) | IPSKB_FRAG_PMTU;
    put16(buf, nh + 6, IP_DF);
  } else put16(buf, nh + 6, 0);
  ip_send_check(buf, nh);
  IP_INC_STATS(net, 'ReasmOKs');
  net.tracer.fn(skb, 'ip_frag_reasm', `len ${len}`);
  return skb;
}
