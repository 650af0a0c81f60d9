// net/ipv4/udp.c: receive (__udp4_lib_rcv: length and checksum checks,
// socket lookup, enqueue against the receive buffer, port unreachable when
// nobody listens), errors from ICMP, port binding and sending.
import type { Net } from '../net_namespace.js';
import { type SkBuff, kfree_skb } from '../core/skbuff.js';
import { iph, IPPROTO_UDP, put16 } from '../wire/ip.js';
import { udph, UDP_HLEN } from '../wire/udp.js';
import { csum_fold, csum_partial, csum_tcpudp } from '../wire/checksum.js';
import { ICMP_DEST_UNREACH, ICMP_PORT_UNREACH } from '../wire/icmp.js';
import { type Rtable, RTCF_BROADCAST, RTCF_MULTICAST } from './route.js';
import { type Sock, sock_queue_err, SO_EE_ORIGIN_ICMP } from './sock.js';
import { icmp_send, icmp_err_convert } from './icmp.js';
import { UDP_INC_STATS } from '../snmp_stats.js';
import { COST } from '../../kernel/costs.js';

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
    let score = 0;
    if (sk.rcv_saddr) {
      if (sk.rcv_saddr !== daddr) continue;
      score += 4;
    }
    if (sk.daddr) {
      if (sk.daddr !== saddr) continue;
      score += 4;
    }
    if (sk.dport) {
      if (sk.dport !== sport) continue;
      score += 4;
    }
    if (sk.bound_dev_if) {
      if (sk.bound_dev_if !== dif) continue;
      score += 4;
    }
    if (score > bestScore) {
      best = sk;
      bestScore = score;
    }
  }
  return best;
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

/** __udp_enqueue_schedule_skb: the receive buffer may be overshot by one
 * datagram; once it is full, drops count as RcvbufErrors. */
function udp_queue_rcv_skb(net: Net, sk: Sock, skb: SkBuff): void {
  net.spend(COST.sock_queue);
  if (sk.rmem_alloc > sk.rcvbuf) {
    sk.drops++;
    UDP_INC_STATS(net, 'RcvbufErrors');
    UDP_INC_STATS(net, 'InErrors');
    kfree_skb(skb, 'SOCKET_RCVBUFF', '__udp_enqueue_schedule_skb');
    return;
  }
  sk.rmem_alloc += skb.truesize;
  skb.sk = sk;
  sk.receive_queue.push(skb);
  net.tracer.fn(skb, 'udp_queue_rcv_skb', `port ${sk.num} rmem ${sk.rmem_alloc}/${sk.rcvbuf}`);
  sk.wake();
}

/** __udp4_lib_err: an ICMP error about a datagram we sent. */
export function udp_err(net: Net, skb: SkBuff, inner: number, type: number, code: number, info: number): void {
  const b = skb.buf;
  const ihl = iph.ihl(b, inner) * 4;
  const uh = inner + ihl;
  const sk = udp4_lib_lookup(net, iph.daddr(b, inner), udph.dest(b, uh), iph.saddr(b, inner), udph.source(b, uh), 0);
  if (!sk) return;
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
