// net/ipv4/raw.c: raw sockets get a copy of every packet of their protocol
// (whole IP packet), and ICMP errors about packets they sent.
import type { Net } from '../net_namespace.js';
import type { SkBuff } from '../core/skbuff.js';
import { type Sock, sock_queue_rcv_skb, sock_queue_err, SO_EE_ORIGIN_ICMP } from './sock.js';
import { iph, IPPROTO_ICMP } from '../wire/ip.js';
import { icmph } from '../wire/icmp.js';

function raw_v4_match(sk: Sock, protocol: number, laddr: number, raddr: number, dif: number): boolean {
  return sk.protocol === protocol && (!sk.daddr || sk.daddr === raddr) && (!sk.rcv_saddr || sk.rcv_saddr === laddr) && (!sk.bound_dev_if || sk.bound_dev_if === dif);
}

/** raw_local_deliver: clone to each matching raw socket; true if any matched. */
export function raw_local_deliver(net: Net, skb: SkBuff, protocol: number): boolean {
  const socks = net.socks.raw;
  if (!socks.length) return false;
  const b = skb.buf;
  const o = skb.network_header;
  let delivered = false;
  for (const sk of socks) {
    if (!raw_v4_match(sk, protocol, iph.daddr(b, o), iph.saddr(b, o), skb.dev?.ifindex ?? 0)) continue;
    delivered = true;
    // ICMP_FILTER
    if (protocol === IPPROTO_ICMP && sk.icmp_filter & (1 << icmph.type(b, skb.transport_header))) continue;
    const c = skb.copy();
    c.data = c.network_header; // raw sockets see the IP header
    net.tracer.fn(c, 'raw_rcv');
    sock_queue_rcv_skb(sk, c);
  }
  return delivered;
}

/** raw_icmp_error: an ICMP error about a packet of `protocol` we sent. */
export function raw_icmp_error(net: Net, skb: SkBuff, inner: number, protocol: number, err: string, type: number, code: number, info: number): void {
  const b = skb.buf;
  const outerSaddr = iph.saddr(b, skb.network_header);
  for (const sk of net.socks.raw) {
    if (!raw_v4_match(sk, protocol, iph.saddr(b, inner), iph.daddr(b, inner), 0)) continue;
    if (sk.recverr) {
      const ihl = iph.ihl(b, inner) * 4;
      sock_queue_err(sk, {
        ee_errno: err,
        ee_origin: SO_EE_ORIGIN_ICMP,
        ee_type: type,
        ee_code: code,
        ee_info: info,
        offender: outerSaddr,
        payload: b.slice(inner + ihl, Math.min(skb.tail, inner + ihl + 64)),
        daddr: iph.daddr(b, inner),
        port: 0,
        tstamp: net.now(),
      });
    }
  }
}
