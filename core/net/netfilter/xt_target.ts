// Kernel halves of the target extensions: ipt_REJECT.c, xt_LOG.c,
// xt_nat.c (SNAT, DNAT) and xt_MASQUERADE.c.
import type { SkBuff } from '../core/skbuff.js';
import { iph, IPPROTO_TCP } from '../wire/ip.js';
import { NF_DROP, NF_ACCEPT, NF_INET_LOCAL_IN, NF_INET_FORWARD, NF_INET_LOCAL_OUT, NF_INET_PRE_ROUTING, NF_INET_POST_ROUTING } from './core.js';
import { xt_targets, type XtActionParam, XT_CONTINUE, XT_INV_PROTO } from './x_tables.js';
import { nf_send_unreach, nf_send_reset } from './nf_reject_ipv4.js';
import { nf_log_ip_packet, type NfLogInfo } from './nf_log_syslog.js';
import { nf_ct_get } from './nf_conntrack_core.js';
import { type NfNatRange, nf_nat_setup_info, NF_NAT_MANIP_SRC, NF_NAT_MANIP_DST, NF_NAT_RANGE_MAP_IPS } from './nf_nat_core.js';
import { inet_select_addr } from '../ipv4/devinet.js';
import { RT_SCOPE_UNIVERSE } from '../ipv4/fib.js';

/** --reject-with names and their ICMP unreachable codes (-1: TCP reset). */
export const REJECT_TYPES: [string, number][] = [
  ['icmp-net-unreachable', 0],
  ['icmp-host-unreachable', 1],
  ['icmp-prot-unreachable', 2],
  ['icmp-port-unreachable', 3],
  ['icmp-net-prohibited', 9],
  ['icmp-host-prohibited', 10],
  ['tcp-reset', -1],
  ['icmp-admin-prohibited', 13],
];

xt_targets.set('REJECT', {
  target(skb: SkBuff, par: XtActionParam, d: { with: string }) {
    const code = REJECT_TYPES.find(([n]) => n === d.with)?.[1] ?? 3;
    par.net.tracer.fn(skb, 'reject_tg', d.with);
    if (code < 0) nf_send_reset(par.net, skb);
    else nf_send_unreach(par.net, skb, code);
    return NF_DROP;
  },
  hooks: [NF_INET_LOCAL_IN, NF_INET_FORWARD, NF_INET_LOCAL_OUT],
  tables: ['filter', 'mangle', 'raw'],
  checkentry: (e, d: { with: string }) => (d.with === 'tcp-reset' && (e.ip.proto !== IPPROTO_TCP || e.ip.invflags & XT_INV_PROTO) ? 'EINVAL' : null),
});

xt_targets.set('LOG', {
  target(skb: SkBuff, par: XtActionParam, d: NfLogInfo) {
    nf_log_ip_packet(par.net, skb, par.in, par.out, d);
    return XT_CONTINUE;
  },
});

function nat_target(manip: number) {
  return (skb: SkBuff, par: XtActionParam, d: { range: NfNatRange }) => {
    const c = nf_ct_get(skb);
    if (!c) return NF_ACCEPT;
    return nf_nat_setup_info(par.net, c.ct, d.range, manip);
  };
}

xt_targets.set('SNAT', { target: nat_target(NF_NAT_MANIP_SRC), tables: ['nat'], hooks: [NF_INET_POST_ROUTING, NF_INET_LOCAL_IN], conntrack: true });
xt_targets.set('DNAT', { target: nat_target(NF_NAT_MANIP_DST), tables: ['nat'], hooks: [NF_INET_PRE_ROUTING, NF_INET_LOCAL_OUT], conntrack: true });

xt_targets.set('MASQUERADE', {
  // nf_nat_masquerade_ipv4: the out device's address toward the next hop.
  target(skb: SkBuff, par: XtActionParam, d: { range: NfNatRange }) {
    const c = nf_ct_get(skb);
    if (!c || !par.out) return NF_ACCEPT;
    if (c.ct.tuple[0].src === 0) return NF_ACCEPT;
    const rt = skb.dst;
    const nh = rt?.gw || iph.daddr(skb.buf, skb.network_header);
    const newsrc = inet_select_addr(par.net, par.out, nh, RT_SCOPE_UNIVERSE);
    if (!newsrc) return NF_DROP;
    c.ct.masqIndex = par.out.ifindex;
    const range: NfNatRange = { ...d.range, flags: d.range.flags | NF_NAT_RANGE_MAP_IPS, minIp: newsrc, maxIp: newsrc };
    return nf_nat_setup_info(par.net, c.ct, range, NF_NAT_MANIP_SRC);
  },
  tables: ['nat'],
  hooks: [NF_INET_POST_ROUTING],
  conntrack: true,
});
