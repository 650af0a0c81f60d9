// Kernel halves of the match extensions: xt_tcpudp.c (tcp, udp),
// ip_tables.c's icmp match, xt_multiport.c, xt_conntrack.c and xt_state.c.
import type { SkBuff } from '../core/skbuff.js';
import { get16, IPPROTO_TCP, IPPROTO_UDP } from '../wire/ip.js';
import { xt_matches, type XtActionParam, type IptEntry, XT_INV_PROTO } from './x_tables.js';
import { nf_ct_get, IP_CT_IS_REPLY, IPS_SRC_NAT, IPS_DST_NAT, IP_CT_DIR_REPLY } from './nf_conntrack_core.js';

export const XT_TCP_INV_SRCPT = 0x01;
export const XT_TCP_INV_DSTPT = 0x02;
export const XT_TCP_INV_FLAGS = 0x04;

export interface XtTcpUdp {
  spts: [number, number];
  dpts: [number, number];
  invflags: number;
  /** tcp only: --tcp-flags mask comp (--syn is SYN,RST,ACK,FIN SYN). */
  flg_mask?: number;
  flg_cmp?: number;
}

const port_match = (min: number, max: number, port: number, invert: boolean) => (port >= min && port <= max) !== invert;

function tcpudp_check(proto: number) {
  return (e: IptEntry): string | null => (e.ip.proto === proto && !(e.ip.invflags & XT_INV_PROTO) ? null : 'EINVAL');
}

xt_matches.set('tcp', {
  match(skb: SkBuff, par: XtActionParam, d: XtTcpUdp) {
    if (par.fragoff) return false;
    const b = skb.buf;
    const th = par.thoff;
    if (th + 20 > skb.tail) return false;
    if (!port_match(d.spts[0], d.spts[1], get16(b, th), !!(d.invflags & XT_TCP_INV_SRCPT))) return false;
    if (!port_match(d.dpts[0], d.dpts[1], get16(b, th + 2), !!(d.invflags & XT_TCP_INV_DSTPT))) return false;
    const f = b[th + 13];
    if (d.flg_mask !== undefined && ((f & d.flg_mask) === d.flg_cmp) === !!(d.invflags & XT_TCP_INV_FLAGS)) return false;
    return true;
  },
  checkentry: tcpudp_check(IPPROTO_TCP),
});

xt_matches.set('udp', {
  match(skb: SkBuff, par: XtActionParam, d: XtTcpUdp) {
    if (par.fragoff) return false;
    const b = skb.buf;
    const th = par.thoff;
    if (th + 8 > skb.tail) return false;
    return port_match(d.spts[0], d.spts[1], get16(b, th), !!(d.invflags & XT_TCP_INV_SRCPT)) && port_match(d.dpts[0], d.dpts[1], get16(b, th + 2), !!(d.invflags & XT_TCP_INV_DSTPT));
  },
  checkentry: tcpudp_check(IPPROTO_UDP),
});

export interface IptIcmp {
  /** 0xff: any type. */
  type: number;
  code: [number, number];
  invert: boolean;
}

xt_matches.set('icmp', {
  match(skb: SkBuff, par: XtActionParam, d: IptIcmp) {
    if (par.fragoff) return false;
    const th = par.thoff;
    if (th + 4 > skb.tail) return false;
    const type = skb.buf[th];
    const code = skb.buf[th + 1];
    const m = d.type === 0xff || (type === d.type && code >= d.code[0] && code <= d.code[1]);
    return m !== d.invert;
  },
  checkentry: (e) => (e.ip.proto === 1 && !(e.ip.invflags & XT_INV_PROTO) ? null : 'EINVAL'),
});

export interface XtMultiport {
  /** 1 source, 2 destination, 3 either. */
  flags: number;
  /** Ports or [min, max] ranges. */
  ports: [number, number][];
  invert: boolean;
}

xt_matches.set('multiport', {
  match(skb: SkBuff, par: XtActionParam, d: XtMultiport) {
    if (par.fragoff) return false;
    const th = par.thoff;
    if (th + 4 > skb.tail) return false;
    const sp = get16(skb.buf, th);
    const dp = get16(skb.buf, th + 2);
    const hit = (p: number) => d.ports.some(([a, z]) => p >= a && p <= z);
    const m = (d.flags & 1 && hit(sp)) || (d.flags & 2 && hit(dp));
    return !!m !== d.invert;
  },
  checkentry: (e) => ([IPPROTO_TCP, IPPROTO_UDP, 132, 33, 136].includes(e.ip.proto) && !(e.ip.invflags & XT_INV_PROTO) ? null : 'EINVAL'),
});

// xt_conntrack / xt_state state bits: XT_STATE_BIT(ctinfo) = 1 << (ctinfo % IP_CT_IS_REPLY + 1).
export const XT_STATE_INVALID = 1 << 0;
export const XT_STATE_ESTABLISHED = 1 << 1;
export const XT_STATE_RELATED = 1 << 2;
export const XT_STATE_NEW = 1 << 3;
export const XT_STATE_UNTRACKED = 1 << 6;
export const XT_CONNTRACK_STATE_SNAT = 1 << 7;
export const XT_CONNTRACK_STATE_DNAT = 1 << 8;

function statebit(skb: SkBuff): number {
  const c = nf_ct_get(skb);
  if (!c) return XT_STATE_INVALID;
  return 1 << ((c.ctinfo % IP_CT_IS_REPLY) + 1);
}

export interface XtConntrack {
  state_mask: number;
  invert: boolean;
}

xt_matches.set('conntrack', {
  match(skb: SkBuff, _par: XtActionParam, d: XtConntrack) {
    let bits = statebit(skb);
    const c = nf_ct_get(skb);
    if (c) {
      if (c.ct.tuple[0].src !== c.ct.tuple[IP_CT_DIR_REPLY].dst || c.ct.status & IPS_SRC_NAT) bits |= XT_CONNTRACK_STATE_SNAT;
      if (c.ct.tuple[0].dst !== c.ct.tuple[IP_CT_DIR_REPLY].src || c.ct.status & IPS_DST_NAT) bits |= XT_CONNTRACK_STATE_DNAT;
    }
    return ((bits & d.state_mask) !== 0) !== d.invert;
  },
  conntrack: true,
});

xt_matches.set('state', {
  match(skb: SkBuff, _par: XtActionParam, d: XtConntrack) {
    return ((statebit(skb) & d.state_mask) !== 0) !== d.invert;
  },
  conntrack: true,
});

// xt_comment.c: always matches; the text is for people.
xt_matches.set('comment', { match: () => true });
