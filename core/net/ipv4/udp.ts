// net/ipv4/udp.c: receive (__udp4_lib_rcv: length and checksum checks,
// socket lookup, enqueue against the receive buffer, port unreachable when
// nobody listens), errors from ICMP, port binding and sending.
import type { Net } from '../net_namespace.js';
import type { TraceFmt } from '../core/trace.js';
import { type SkBuff, kfree_skb } from '../core/skbuff.js';
import { iph, IPPROTO_UDP, put16 } from '../wire/ip.js';
import { udph, UDP_HLEN } from '../wire/udp.js';
import { csum_fold, csum_partial, csum_tcpudp } from '../wire/checksum.js';
import { ICMP_DEST_UNREACH, ICMP_PORT_UNREACH } from '../wire/icmp.js';
import { type Rtable, RTCF_BROADCAST, RTCF_MULTICAST } from './route.js';
import { type Sock, sock_queue_err, sock_compute_score, SO_EE_ORIGIN_ICMP } from './sock.js';
import { icmp_send, icmp_err_convert } from './icmp.js';
import { ICMP_INC_STATS, UDP_INC_STATS } from '../snmp_stats.js';
import { COST } from '../../kernel/costs.js';
import { reciprocal_scale } from '../core/dev.js';

/** Checksum of a UDP datagram at off with its pseudo header; 0 when valid. */
function udp_csum(b: Uint8Array, off: number, len: number, saddr: number, daddr: number): number {
  return csum_fold(csum_partial(b, off, len, csum_tcpudp(saddr, daddr, len, IPPROTO_UDP)));
}

/** __udp4_lib_lookup: connected sockets beat bound ones beat wildcards. */
export function udp4_lib_lookup(net: Net, saddr: number, sport: number, daddr: number, dport: number, dif: number): Sock | null {
  let best: Sock | null = null;
  let bestScore = -1;
  for (const sk of net.socks.udp) {
    if (sk.num !== dport) continue;
    const score = sock_compute_score(sk, daddr, saddr, sport, dif);
    if (score < 0) continue;
    if (score > bestScore) {
      best = sk;
      bestScore = score;
    }
  }
  if (best && best.reuseport && best.state !== 'ESTABLISHED') return reuseport_select_sock(net, best, saddr, sport, daddr, dport);
  return best;
}

/** reuseport_select_sock without a BPF program: the SO_REUSEPORT group of
 * `sk` (sockets that joined it, in bind order), one picked by the flow's
 * udp_ehashfn so a flow always lands on the same socket and queue. */
function reuseport_select_sock(net: Net, sk: Sock, saddr: number, sport: number, daddr: number, dport: number): Sock {
  const group = net.socks.udp.filter((o) => o.reuseport && o.num === sk.num && o.rcv_saddr === sk.rcv_saddr && o.bound_dev_if === sk.bound_dev_if);
  if (group.length < 2) return sk;
  const hash = udp_ehashfn(net, daddr, dport, saddr, sport);
  // reuseport_select_sock_by_hash: skip connected members.
  const j = reciprocal_scale(hash, group.length);
  for (let i = j; ; ) {
    if (group[i].state !== 'ESTABLISHED') return group[i];
    i = (i + 1) % group.length;
    if (i === j) return sk;
  }
}

const ehashSecret = new WeakMap<Net, number>();

/** udp_ehashfn: jhash_3words of the 4-tuple with a per-boot secret. */
function udp_ehashfn(net: Net, laddr: number, lport: number, faddr: number, fport: number): number {
  let secret = ehashSecret.get(net);
  if (secret === undefined) ehashSecret.set(net, (secret = net.prng.u32()));
  return jhash_3words(laddr, faddr, ((lport << 16) | fport) >>> 0, secret);
}

function rol32(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** jhash_3words (include/linux/jhash.h). */
function jhash_3words(a: number, b: number, c: number, initval: number): number {
  const JHASH_INITVAL = 0xdeadbeef;
  a = (a + JHASH_INITVAL + initval + (3 << 2)) >>> 0;
  b = (b + JHASH_INITVAL + initval + (3 << 2)) >>> 0;
  c = (c + JHASH_INITVAL + initval + (3 << 2)) >>> 0;
  // __jhash_final
  c ^= b; c = (c - rol32(b, 14)) >>> 0;
  a ^= c; a = (a - rol32(c, 11)) >>> 0;
  b ^= a; b = (b - rol32(a, 25)) >>> 0;
  c ^= b; c = (c - rol32(b, 16)) >>> 0;
  a ^= c; a = (a - rol32(c, 4)) >>> 0;
  b ^= a; b = (b - rol32(a, 14)) >>> 0;
  c ^= b; c = (c - rol32(b, 24)) >>> 0;
  return c >>> 0;
}

/** udp_rcv. Consumes skb (data at the UDP header). */
export function udp_rcv(net: Net, skb: SkBuff): void {
  net.spend(COST.udp_rcv);
  net.tracer.fn(skb, 'udp_rcv');
  const b = skb.buf;
  const o = skb.data;
  if (skb.len < UDP_HLEN) return udp_drop(net, skb, 'PKT_TOO_SMALL');
  const ulen = udph.len(b, o);
  if (ulen > skb.len || ulen < UDP_HLEN) return udp_drop(net, skb, 'PKT_TOO_SMALL');
  skb.skb_trim(ulen);
  const nh = skb.network_header;
  const saddr = iph.saddr(b, nh);
  const daddr = iph.daddr(b, nh);
  if (udph.check(b, o) !== 0 && udp_csum(b, o, ulen, saddr, daddr) !== 0) {
    UDP_INC_STATS(net, 'InCsumErrors');
    return udp_drop(net, skb, 'UDP_CSUM');
  }
  const rt: Rtable = skb.dst;
  if (rt && rt.flags & (RTCF_BROADCAST | RTCF_MULTICAST)) return udp_mcast_deliver(net, skb, saddr, daddr);
  const sk = udp4_lib_lookup(net, saddr, udph.source(b, o), daddr, udph.dest(b, o), skb.dev?.ifindex ?? 0);
  if (sk) {
    udp_queue_rcv_skb(net, sk, skb);
    return;
  }
  UDP_INC_STATS(net, 'NoPorts');
  icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
  kfree_skb(skb, 'NO_SOCKET', '__udp4_lib_rcv');
}

function udp_drop(net: Net, skb: SkBuff, reason: 'PKT_TOO_SMALL' | 'UDP_CSUM'): void {
  UDP_INC_STATS(net, 'InErrors');
  kfree_skb(skb, reason, '__udp4_lib_rcv');
}

/** Broadcast/multicast: every matching socket gets a copy (none: IgnoredMulti). */
function udp_mcast_deliver(net: Net, skb: SkBuff, saddr: number, daddr: number): void {
  const b = skb.buf;
  const dport = udph.dest(b, skb.data);
  const targets = net.socks.udp.filter((sk) => sk.num === dport && (!sk.rcv_saddr || sk.rcv_saddr === daddr) && (!sk.daddr || sk.daddr === saddr));
  if (!targets.length) {
    UDP_INC_STATS(net, 'IgnoredMulti');
    kfree_skb(skb, 'NO_SOCKET', '__udp4_lib_mcast_deliver');
    return;
  }
  for (let i = 1; i < targets.length; i++) udp_queue_rcv_skb(net, targets[i], skb.copy());
  udp_queue_rcv_skb(net, targets[0], skb);
}

const PAGE_SIZE = 4096;
const INT_MAX = 0x7fffffff;

const fmtPortRmem: TraceFmt = (port, rmem, rcvbuf) => `port ${port} rmem ${rmem}/${rcvbuf}`;

/** __udp_queue_rcv_skb / __udp_enqueue_schedule_skb: a datagram is queued
 * unless the receive buffer is already full; one may overshoot it, so a
 * small buffer always takes at least one. The memory is charged at once
 * (truesize), reserved in whole pages (sk_forward_alloc). A drop counts
 * RcvbufErrors and InErrors ("Note that an ENOMEM error is charged twice")
 * and the socket's drop counter. */
function udp_queue_rcv_skb(net: Net, sk: Sock, skb: SkBuff): void {
  net.spend(COST.sock_queue);
  const rmem = sk.rmem_alloc;
  const rcvbuf = sk.rcvbuf;
  const size = skb.truesize;
  if (rmem + size > rcvbuf && (rcvbuf > INT_MAX >> 1 || rmem > rcvbuf)) {
    sk.drops++;
    UDP_INC_STATS(net, 'RcvbufErrors');
    UDP_INC_STATS(net, 'InErrors');
    net.tracer.fn(skb, 'udp_queue_rcv_skb', `port ${sk.num} rmem ${rmem}/${rcvbuf} full`);
    kfree_skb(skb, 'SOCKET_RCVBUFF', '__udp_queue_rcv_skb');
    return;
  }
  sk.rmem_alloc += size;
  // udp_rmem_schedule: take whole pages for what the reserve lacks.
  const delta = size - sk.forward_alloc;
  if (delta > 0) sk.forward_alloc += Math.ceil(delta / PAGE_SIZE) * PAGE_SIZE;
  sk.forward_alloc -= size;
  skb.sk = sk;
  sk.receive_queue.push(skb);
  if (net.tracer.active) net.tracer.fnf(skb, 'udp_queue_rcv_skb', fmtPortRmem, sk.num, sk.rmem_alloc, rcvbuf);
  // sock_def_readable: a reader asleep on this socket is woken; it runs on
  // CPU 0 (where the model runs tasks), so softirqs there should yield.
  if (sk.wq.active && net.curCpu?.id === 0) net.curCpu.need_resched = true;
  sk.wake();
}

/** __skb_recv_udp: the next datagram, from the reader queue, which is
 * refilled from the receive queue in one go when empty. Returns null when
 * there is none. */
export function __skb_recv_udp(sk: Sock): SkBuff | null {
  if (!sk.reader_len) {
    if (!sk.receive_queue.length) return null;
    sk.reader_len = sk.receive_queue.length;
  }
  const skb = sk.receive_queue.shift()!;
  sk.reader_len--;
  udp_rmem_release(sk, skb.truesize, 1);
  return skb;
}

/** udp_rmem_release: read memory goes back in batches of forward_threshold
 * (or when the reader queue runs dry), so sk_rmem_alloc stays high for a
 * while after reads; whole pages of the reserve are returned too. */
function udp_rmem_release(sk: Sock, size: number, partial: number): void {
  if (partial) {
    sk.forward_deficit += size;
    size = sk.forward_deficit;
    if (size < sk.forward_threshold && sk.reader_len > 0) return;
  } else size += sk.forward_deficit;
  sk.forward_deficit = 0;
  const amt = Math.floor((size + sk.forward_alloc - partial) / PAGE_SIZE) * PAGE_SIZE;
  sk.forward_alloc += size - amt;
  sk.rmem_alloc -= size;
  // skb_queue_splice_tail_init(sk_queue, &up->reader_queue)
  sk.reader_len = sk.receive_queue.length;
}

/** __udp4_lib_err: an ICMP error about a datagram we sent. */
export function udp_err(net: Net, skb: SkBuff, inner: number, type: number, code: number, info: number): void {
  const b = skb.buf;
  const ihl = iph.ihl(b, inner) * 4;
  const uh = inner + ihl;
  const sk = udp4_lib_lookup(net, iph.daddr(b, inner), udph.dest(b, uh), iph.saddr(b, inner), udph.source(b, uh), 0);
  if (!sk) {
    ICMP_INC_STATS(net, 'InErrors'); // __udp4_lib_err: an error about no socket of ours
    return;
  }
  const { err, fatal } = icmp_err_convert(type, code);
  if (sk.recverr) {
    sock_queue_err(sk, {
      ee_errno: err,
      ee_origin: SO_EE_ORIGIN_ICMP,
      ee_type: type,
      ee_code: code,
      ee_info: info,
      offender: iph.saddr(b, skb.network_header),
      payload: b.slice(uh + UDP_HLEN, Math.min(skb.tail, uh + UDP_HLEN + 64)),
      daddr: iph.daddr(b, inner),
      port: udph.dest(b, uh),
      tstamp: net.now(),
    });
  } else if (!fatal || sk.state !== 'ESTABLISHED') return;
  sk.err = err;
  sk.wake();
}

/** udp_lib_get_port: bind to snum, or pick a free ephemeral port when 0. */
export function udp_lib_get_port(net: Net, sk: Sock, snum: number): boolean {
  const inUse = (p: number) => net.socks.udp.some((o) => o !== sk && o.num === p && (!o.rcv_saddr || !sk.rcv_saddr || o.rcv_saddr === sk.rcv_saddr) && !(o.reuseport && sk.reuseport) && !(o.reuseaddr && sk.reuseaddr));
  if (!snum) {
    const [lo, hi] = (net.sysctl.get('net.ipv4.ip_local_port_range') ?? '32768 60999').split(/\s+/).map(Number);
    const remaining = hi - lo + 1;
    const start = net.prng.below(remaining);
    for (let i = 0; i < remaining; i++) {
      const p = lo + ((start + i) % remaining);
      if (!inUse(p)) {
        snum = p;
        break;
      }
    }
    if (!snum) return false;
  } else if (inUse(snum)) return false;
  sk.num = snum;
  if (!net.socks.udp.includes(sk)) net.socks.udp.push(sk);
  return true;
}

/** Fill a UDP header and checksum at off for `len` bytes of payload already in place. */
export function udp_fill_header(b: Uint8Array, off: number, sport: number, dport: number, payloadLen: number, saddr: number, daddr: number): void {
  const len = UDP_HLEN + payloadLen;
  put16(b, off, sport);
  put16(b, off + 2, dport);
  put16(b, off + 4, len);
  put16(b, off + 6, 0);
  let c = udp_csum(b, off, len, saddr, daddr);
  if (c === 0) c = 0xffff;
  put16(b, off + 6, c);
}
