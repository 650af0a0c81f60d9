// net/ipv4/ip_forward.c: forwarding a packet that is not for us.
import type { Net } from '../net_namespace.js';
import { type SkBuff, kfree_skb, PACKET_HOST } from '../core/skbuff.js';
import { iph, ip_decrease_ttl, IP_DF } from '../wire/ip.js';
import { NF_HOOK, NF_INET_FORWARD } from '../netfilter/core.js';
import { type Rtable, ip_dst_mtu_maybe_forward, RTCF_DOREDIRECT } from './route.js';
import { icmp_send } from './icmp.js';
import { ip_output } from './ip_output.js';
import { IP_INC_STATS } from '../snmp_stats.js';
import { IPSTATS_MIB } from '../mib.js';
import { ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL } from '../wire/icmp.js';
import { COST } from '../../kernel/costs.js';

/** ip_forward. Consumes skb. */
export function ip_forward(net: Net, skb: SkBuff): void {
  net.spend(COST.ip_forward);
  net.tracer.fn(skb, 'ip_forward');
  if (skb.pkt_type !== PACKET_HOST) {
    kfree_skb(skb, 'OTHERHOST', 'ip_forward');
    return;
  }
  const b = skb.buf;
  const o = skb.network_header;
  if (iph.ttl(b, o) <= 1) {
    // too_many_hops: tell the sender its packet died.
    IP_INC_STATS(net, 'InHdrErrors');
    icmp_send(net, skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
    kfree_skb(skb, 'IP_INHDR', 'ip_forward');
    return;
  }
  const rt: Rtable = skb.dst;
  // Counted before the MTU check and FORWARD: those drops count as forwarded.
  net.mib.ip[IPSTATS_MIB.IPSTATS_MIB_OUTFORWDATAGRAMS]++;
  skb.cb.forwarded = 1; // IPSKB_FORWARDED
  const mtu = ip_dst_mtu_maybe_forward(net, rt, true);
  if (ip_exceeds_mtu(skb, mtu)) {
    IP_INC_STATS(net, 'FragFails');
    icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu);
    kfree_skb(skb, 'PKT_TOO_BIG', 'ip_forward');
    return;
  }
  ip_decrease_ttl(b, o);
  if (rt.flags & RTCF_DOREDIRECT) skb.cb.doredirect = 1;
  if (!net.nf_hooks[NF_INET_FORWARD].length) ip_forward_finish(net, skb);
  else ip_forward_hook(net, skb, rt);
}

// Apart from ip_forward: a closure there would allocate its context per packet.
function ip_forward_hook(net: Net, skb: SkBuff, rt: Rtable): void {
  NF_HOOK(net, NF_INET_FORWARD, skb, skb.dev, rt.dev, (s) => ip_forward_finish(net, s));
}

/** ip_exceeds_mtu: DF set and too big for the next hop (a reassembled
 * packet is judged by its largest original fragment). */
function ip_exceeds_mtu(skb: SkBuff, mtu: number): boolean {
  if (skb.len <= mtu) return false;
  if (!(iph.frag_off(skb.buf, skb.network_header) & IP_DF)) return false;
  if ((skb.cb.frag_max_size ?? 0) > mtu) return true;
  return !skb.cb.ignore_df;
}

function ip_forward_finish(net: Net, skb: SkBuff): void {
  ip_output(net, skb);
}
