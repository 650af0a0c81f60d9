// net/ipv4/ip_output.c: from a built IP packet to the neighbour layer.
// ip_local_out -> LOCAL_OUT -> ip_output -> POST_ROUTING -> ip_finish_output
// (fragment if needed) -> ip_finish_output2 -> neighbour.
import type { Net } from '../net_namespace.js';
import { type SkBuff, alloc_skb, kfree_skb, MAX_HEADER } from '../core/skbuff.js';
import { ETH_P_IP } from '../wire/ethernet.js';
import { iph, ip_send_check, IP_DF, put16, put32 } from '../wire/ip.js';
import { NF_HOOK, NF_INET_LOCAL_OUT, NF_INET_POST_ROUTING } from '../netfilter/core.js';
import { type Rtable, ip_skb_dst_mtu, RTCF_BROADCAST, RTCF_LOCAL } from './route.js';
import { RTN_BROADCAST, RTN_MULTICAST } from './fib.js';
import { neigh_output_for } from '../core/neighbour.js';
import { ip_fragment } from './ip_fragment.js';
import { IP_EXT_INC_STATS } from '../snmp_stats.js';
import { IPSTATS_MIB } from '../mib.js';
import { COST } from '../../kernel/costs.js';
import { dev_loopback_xmit } from '../../drivers/loopback.js';

export interface IpHeaderFields {
  saddr: number;
  daddr: number;
  protocol: number;
  ttl: number;
  tos: number;
  df: boolean;
  id?: number;
}

/** Allocate an skb for an IPv4 packet with `payloadLen` bytes after a 20-byte
 * header, with headroom for the link layer. Returns the skb (data at the IP
 * header) and the payload offset. */
export function ip_alloc_skb(net: Net, payloadLen: number, h: IpHeaderFields): { skb: SkBuff; off: number } {
  const skb = ip_alloc_skb_hdr(net, payloadLen, h.saddr, h.daddr, h.protocol, h.ttl, h.tos, h.df, h.id);
  return { skb, off: skb.transport_header };
}

/** ip_alloc_skb with the header fields as arguments (no objects per
 * packet): the payload goes at skb.transport_header. */
export function ip_alloc_skb_hdr(net: Net, payloadLen: number, saddr: number, daddr: number, protocol: number, ttl: number, tos: number, df: boolean, id?: number): SkBuff {
  const skb = alloc_skb(net, 20 + payloadLen, MAX_HEADER);
  const o = skb.skb_put(20 + payloadLen);
  skb.skb_reset_network_header();
  // iph.write: a 20-byte header with a valid checksum.
  const b = skb.buf;
  b[o] = 0x45;
  b[o + 1] = tos;
  put16(b, o + 2, 20 + payloadLen);
  put16(b, o + 4, id ?? ip_select_ident(net, df));
  put16(b, o + 6, df ? IP_DF : 0);
  b[o + 8] = ttl;
  b[o + 9] = protocol;
  put16(b, o + 10, 0);
  put32(b, o + 12, saddr);
  put32(b, o + 16, daddr);
  ip_send_check(b, o);
  skb.transport_header = o + 20;
  skb.protocol = ETH_P_IP;
  return skb;
}

/** IP IDs: a per-namespace counter (ip_idents), 0 never used for fragments. */
export function ip_select_ident(net: Net, _df: boolean): number {
  const id = net.ipv4.ip_id_next & 0xffff;
  net.ipv4.ip_id_next = (net.ipv4.ip_id_next + 1) & 0xffff;
  return id;
}

/** ip_local_out / __ip_local_out: count, checksum, LOCAL_OUT, dst_output.
 * Returns 0, or -1 (EPERM) when netfilter dropped the packet. */
export function ip_local_out(net: Net, skb: SkBuff, rt: Rtable): number {
  net.mib.ip[IPSTATS_MIB.IPSTATS_MIB_OUTREQUESTS]++;
  skb.dst = rt;
  const o = skb.network_header;
  put16(skb.buf, o + 2, skb.tail - o);
  ip_send_check(skb.buf, o);
  net.tracer.fn(skb, 'ip_local_out');
  if (!net.nf_hooks[NF_INET_LOCAL_OUT].length) {
    dst_output(net, skb);
    return 0;
  }
  return ip_local_out_hook(net, skb, rt);
}

// The hooks' paths are apart from the hot functions: a closure there would
// have those allocate its context on every call, hooks or not.
function ip_local_out_hook(net: Net, skb: SkBuff, rt: Rtable): number {
  return NF_HOOK(net, NF_INET_LOCAL_OUT, skb, null, rt.dev, (s) => dst_output(net, s));
}

function ip_output_hook(net: Net, skb: SkBuff, rt: Rtable): void {
  NF_HOOK(net, NF_INET_POST_ROUTING, skb, null, rt.dev, (s) => ip_finish_output(net, s));
}

function ip_fragment_output(net: Net, skb: SkBuff, mtu: number): void {
  ip_fragment(net, skb, mtu, (frag) => ip_finish_output2(net, frag));
}

function dst_output(net: Net, skb: SkBuff): void {
  const rt: Rtable = skb.dst;
  if (rt.type === RTN_BROADCAST || rt.type === RTN_MULTICAST) ip_mc_output(net, skb);
  else ip_output(net, skb);
}

const fmtDev = (dev: string) => `dev=${dev}`;

/** ip_output: POST_ROUTING, then ip_finish_output. Consumes skb. */
export function ip_output(net: Net, skb: SkBuff): void {
  const rt: Rtable = skb.dst;
  net.spend(COST.ip_output);
  if (net.tracer.active) net.tracer.fnf(skb, 'ip_output', fmtDev, rt.dev.name);
  skb.dev = rt.dev;
  skb.protocol = ETH_P_IP;
  if (!net.nf_hooks[NF_INET_POST_ROUTING].length) ip_finish_output(net, skb);
  else ip_output_hook(net, skb, rt);
}

/** ip_mc_output for broadcasts: a copy loops back to us, the original goes out. */
function ip_mc_output(net: Net, skb: SkBuff): void {
  const rt: Rtable = skb.dst;
  skb.dev = rt.dev;
  skb.protocol = ETH_P_IP;
  if (rt.flags & RTCF_BROADCAST && rt.flags & RTCF_LOCAL && !rt.dev.isLoopback) {
    const c = skb.copy();
    NF_HOOK(net, NF_INET_POST_ROUTING, c, null, rt.dev, (s) => dev_loopback_xmit(net, s));
  }
  if (iph.ttl(skb.buf, skb.network_header) === 0) {
    kfree_skb(skb, 'NOT_SPECIFIED', 'ip_mc_output');
    return;
  }
  NF_HOOK(net, NF_INET_POST_ROUTING, skb, null, rt.dev, (s) => ip_finish_output(net, s));
}

/** ip_finish_output / __ip_finish_output: fragment what exceeds the MTU. */
function ip_finish_output(net: Net, skb: SkBuff): void {
  const rt: Rtable = skb.dst;
  const mtu = ip_skb_dst_mtu(net, skb, rt);
  if (skb.len > mtu || skb.cb.frag_max_size) {
    ip_fragment_output(net, skb, mtu);
    return;
  }
  ip_finish_output2(net, skb);
}

/** ip_finish_output2: count the packet out and hand it to the neighbour. */
export function ip_finish_output2(net: Net, skb: SkBuff): void {
  const rt: Rtable = skb.dst;
  if (rt.type === RTN_MULTICAST) IP_EXT_INC_STATS(net, 'OutMcastPkts');
  else if (rt.type === RTN_BROADCAST) IP_EXT_INC_STATS(net, 'OutBcastPkts');
  const mib = net.mib.ip;
  mib[IPSTATS_MIB.IPSTATS_MIB_OUTPKTS]++;
  mib[IPSTATS_MIB.IPSTATS_MIB_OUTOCTETS] += skb.len;
  const nexthop = rt.gw || iph.daddr(skb.buf, skb.network_header);
  neigh_output_for(net, rt.dev, nexthop, skb);
}
