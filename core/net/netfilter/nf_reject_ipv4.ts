// net/ipv4/netfilter/nf_reject_ipv4.c: what REJECT sends back, an ICMP
// destination unreachable (nf_send_unreach) or a TCP reset (nf_send_reset).
import type { Net } from '../net_namespace.js';
import { type SkBuff, alloc_skb, MAX_HEADER } from '../core/skbuff.js';
import { iph, get16, get32, put16, put32, IPPROTO_TCP, IP_DF, IP_OFFSET } from '../wire/ip.js';
import { csum_fold, csum_partial, csum_tcpudp } from '../wire/checksum.js';
import { ETH_P_IP } from '../wire/ethernet.js';
import { icmp_send } from '../ipv4/icmp.js';
import { ip_route_output_key, RTCF_BROADCAST, RTCF_MULTICAST } from '../ipv4/route.js';
import { ip_local_out } from '../ipv4/ip_output.js';
import { ICMP_DEST_UNREACH } from '../wire/icmp.js';

/** nf_send_unreach: only for first fragments. */
export function nf_send_unreach(net: Net, skb: SkBuff, code: number): void {
  if (iph.frag_off(skb.buf, skb.network_header) & IP_OFFSET) return;
  icmp_send(net, skb, ICMP_DEST_UNREACH, code, 0);
}

/** nf_send_reset: answer a TCP segment (not itself a RST) with a RST. */
export function nf_send_reset(net: Net, old: SkBuff): void {
  const b = old.buf;
  const nh = old.network_header;
  if (iph.frag_off(b, nh) & IP_OFFSET || iph.protocol(b, nh) !== IPPROTO_TCP) return;
  const th = nh + iph.ihl(b, nh) * 4;
  if (th + 20 > old.tail) return;
  const flags = b[th + 13];
  if (flags & 0x04) return; // no RST for a RST
  if (old.dst && old.dst.flags & (RTCF_BROADCAST | RTCF_MULTICAST)) return;
  const saddr = iph.daddr(b, nh);
  const daddr = iph.saddr(b, nh);
  // ip_route_me_harder for the reply
  const rt = ip_route_output_key(net, { daddr, saddr, oif: 0, tos: 0, scope: 0, proto: IPPROTO_TCP });
  if ('err' in rt) return;
  const nskb = alloc_skb(net, 40, MAX_HEADER);
  const o = nskb.skb_put(40);
  nskb.skb_reset_network_header();
  nskb.transport_header = o + 20;
  nskb.protocol = ETH_P_IP;
  // nf_reject_iphdr_put
  iph.write(nskb.buf, o, { tos: 0, tot_len: 40, id: 0, frag_off: IP_DF, ttl: net.sysctlInt('net.ipv4.ip_default_ttl'), protocol: IPPROTO_TCP, saddr, daddr });
  // nf_reject_ip_tcphdr_put
  const t = o + 20;
  const nb = nskb.buf;
  put16(nb, t, get16(b, th + 2));
  put16(nb, t + 2, get16(b, th));
  nb[t + 12] = 5 << 4;
  if (flags & 0x10) {
    put32(nb, t + 4, get32(b, th + 8));
    nb[t + 13] = 0x04;
  } else {
    const seglen = old.tail - th - (b[th + 12] >> 4) * 4;
    put32(nb, t + 8, (get32(b, th + 4) + (flags & 0x02 ? 1 : 0) + (flags & 0x01 ? 1 : 0) + seglen) >>> 0);
    nb[t + 13] = 0x14;
  }
  put16(nb, t + 16, csum_fold(csum_partial(nb, t, 20, csum_tcpudp(saddr, daddr, 20, IPPROTO_TCP))));
  // nf_ct_attach: the reset belongs to the connection, RELATED the other way.
  if (old.nfct) nskb.nfct = { ct: old.nfct.ct, ctinfo: old.nfct.ctinfo >= 3 ? 1 : 4 };
  ip_local_out(net, nskb, rt);
}
