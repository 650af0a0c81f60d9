// net/netfilter/nf_nat_core.c and nf_nat_proto.c: NAT bindings on a
// connection. The first packet of a connection runs the nat table's chain
// for its hook; a SNAT/DNAT/MASQUERADE rule (or the null binding) picks a
// unique tuple and alters the connection's reply tuple. Every packet of the
// connection is then rewritten from the tuples (nf_nat_packet), with the IP
// and transport checksums fixed up incrementally, and ICMP errors about it
// have their quoted packet translated too (nf_nat_icmp_reply_translation).
import type { Net } from '../net_namespace.js';
import type { SkBuff } from '../core/skbuff.js';
import { iph, put16, put32, get16, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from '../wire/ip.js';
import { csum_fold, csum_partial } from '../wire/checksum.js';
import * as I from '../wire/icmp.js';
import {
  type NfHookOps,
  type NfHookState,
  nf_register_net_hook,
  NF_ACCEPT,
  NF_DROP,
  NF_INET_PRE_ROUTING,
  NF_INET_LOCAL_IN,
  NF_INET_LOCAL_OUT,
  NF_INET_POST_ROUTING,
  NF_IP_PRI_NAT_DST,
  NF_IP_PRI_NAT_SRC,
} from './core.js';
import { type XtTable, ipt_do_table, nat_table_hooks, nf_ct_netns_get } from './x_tables.js';
import {
  type NfConn,
  type Tuple,
  nf_ct_get,
  nf_ct_invert_tuple,
  nf_conntrack_tuple_taken,
  tuple_equal,
  IP_CT_NEW,
  IP_CT_RELATED,
  IP_CT_RELATED_REPLY,
  IP_CT_IS_REPLY,
  IP_CT_DIR_REPLY,
  IPS_SRC_NAT,
  IPS_DST_NAT,
  IPS_NAT_MASK,
  IPS_SRC_NAT_DONE,
  IPS_DST_NAT_DONE,
} from './nf_conntrack_core.js';
import { ip_route_output_key } from '../ipv4/route.js';

export const NF_NAT_MANIP_SRC = 0;
export const NF_NAT_MANIP_DST = 1;

export const NF_NAT_RANGE_MAP_IPS = 1 << 0;
export const NF_NAT_RANGE_PROTO_SPECIFIED = 1 << 1;
export const NF_NAT_RANGE_PROTO_RANDOM = 1 << 2;
export const NF_NAT_RANGE_PERSISTENT = 1 << 3;
export const NF_NAT_RANGE_PROTO_RANDOM_FULLY = 1 << 4;
export const NF_NAT_RANGE_PROTO_RANDOM_ALL = NF_NAT_RANGE_PROTO_RANDOM | NF_NAT_RANGE_PROTO_RANDOM_FULLY;

/** struct nf_nat_range2 (IPv4 part). */
export interface NfNatRange {
  flags: number;
  minIp: number;
  maxIp: number;
  minProto: number;
  maxProto: number;
}

/** HOOK2MANIP: POST_ROUTING and LOCAL_IN change the source. */
export function HOOK2MANIP(hook: number): number {
  return hook === NF_INET_POST_ROUTING || hook === NF_INET_LOCAL_IN ? NF_NAT_MANIP_SRC : NF_NAT_MANIP_DST;
}

function nf_nat_initialized(ct: NfConn, manip: number): boolean {
  return (ct.status & (manip === NF_NAT_MANIP_SRC ? IPS_SRC_NAT_DONE : IPS_DST_NAT_DONE)) !== 0;
}

/** nf_nat_used_tuple: would this original tuple's reply clash? */
function nf_nat_used_tuple(net: Net, t: Tuple, ct: NfConn): boolean {
  const reply = nf_ct_invert_tuple(t);
  return !!reply && nf_conntrack_tuple_taken(net, reply, ct);
}

function in_range(t: Tuple, range: NfNatRange, manip: number): boolean {
  const ip = manip === NF_NAT_MANIP_SRC ? t.src : t.dst;
  if (range.flags & NF_NAT_RANGE_MAP_IPS && (ip < range.minIp || ip > range.maxIp)) return false;
  if (!(range.flags & NF_NAT_RANGE_PROTO_SPECIFIED)) return true;
  return l4proto_in_range(t, manip, range);
}

function l4proto_in_range(t: Tuple, manip: number, range: NfNatRange): boolean {
  let port: number;
  if (t.proto === IPPROTO_ICMP) port = t.sp;
  else if (t.proto === IPPROTO_UDP || t.proto === IPPROTO_TCP) port = manip === NF_NAT_MANIP_SRC ? t.sp : t.dp;
  else return true;
  return port >= range.minProto && port <= range.maxProto;
}

/** jhash2 (lib/jhash.h) over 32-bit words: find_best_ips_proto's spread. */
function jhash2(k: number[], initval: number): number {
  const rol = (x: number, s: number) => ((x << s) | (x >>> (32 - s))) >>> 0;
  let a = (0xdeadbeef + (k.length << 2) + initval) >>> 0;
  let b = a;
  let c = a;
  let i = 0;
  let len = k.length;
  const mix = () => {
    a = (a - c) >>> 0; a = (a ^ rol(c, 4)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rol(a, 6)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rol(b, 8)) >>> 0; b = (b + a) >>> 0;
    a = (a - c) >>> 0; a = (a ^ rol(c, 16)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rol(a, 19)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rol(b, 4)) >>> 0; b = (b + a) >>> 0;
  };
  while (len > 3) {
    a = (a + k[i]) >>> 0; b = (b + k[i + 1]) >>> 0; c = (c + k[i + 2]) >>> 0;
    mix();
    len -= 3;
    i += 3;
  }
  if (len === 3) c = (c + k[i + 2]) >>> 0;
  if (len >= 2) b = (b + k[i + 1]) >>> 0;
  if (len >= 1) {
    a = (a + k[i]) >>> 0;
    c = (c ^ b) >>> 0; c = (c - rol(b, 14)) >>> 0;
    a = (a ^ c) >>> 0; a = (a - rol(c, 11)) >>> 0;
    b = (b ^ a) >>> 0; b = (b - rol(a, 25)) >>> 0;
    c = (c ^ b) >>> 0; c = (c - rol(b, 16)) >>> 0;
    a = (a ^ c) >>> 0; a = (a - rol(c, 4)) >>> 0;
    b = (b ^ a) >>> 0; b = (b - rol(a, 14)) >>> 0;
    c = (c ^ b) >>> 0; c = (c - rol(b, 24)) >>> 0;
  }
  return c >>> 0;
}

/** find_best_ips_proto: a hash of the addresses picks one in the range. */
function find_best_ips_proto(t: Tuple, range: NfNatRange, manip: number): void {
  if (!(range.flags & NF_NAT_RANGE_MAP_IPS)) return;
  const set = (ip: number) => (manip === NF_NAT_MANIP_SRC ? (t.src = ip) : (t.dst = ip));
  if (range.minIp === range.maxIp) return void set(range.minIp);
  const j = jhash2([t.src], range.flags & NF_NAT_RANGE_PERSISTENT ? 0 : t.dst);
  const dist = range.maxIp - range.minIp + 1;
  set((range.minIp + Math.floor((j * dist) / 2 ** 32)) >>> 0);
}

/** nf_nat_l4proto_unique_tuple: search the port (or ICMP id) range. */
function nf_nat_l4proto_unique_tuple(net: Net, t: Tuple, range: NfNatRange, manip: number, ct: NfConn): void {
  let min: number;
  let size: number;
  let key: 'sp' | 'dp';
  if (t.proto === IPPROTO_ICMP) {
    key = 'sp';
    if (!(range.flags & NF_NAT_RANGE_PROTO_SPECIFIED)) (min = 0), (size = 65536);
    else (min = range.minProto), (size = range.maxProto - range.minProto + 1);
  } else if (t.proto === IPPROTO_UDP || t.proto === IPPROTO_TCP) {
    key = manip === NF_NAT_MANIP_SRC ? 'sp' : 'dp';
    if (!(range.flags & NF_NAT_RANGE_PROTO_SPECIFIED)) {
      if (manip === NF_NAT_MANIP_DST) return;
      const p = t[key];
      if (p < 1024) {
        if (p < 512) (min = 1), (size = 511);
        else (min = 600), (size = 1023 - 600 + 1);
      } else (min = 1024), (size = 65535 - 1024 + 1);
    } else {
      const lo = Math.min(range.minProto, range.maxProto);
      const hi = Math.max(range.minProto, range.maxProto);
      (min = lo), (size = hi - lo + 1);
    }
  } else return;
  let off = range.flags & NF_NAT_RANGE_PROTO_RANDOM_ALL || manip !== NF_NAT_MANIP_DST ? net.prng.below(65536) : 0;
  const attempts = Math.min(size, 128);
  for (let i = 0; i < attempts; i++, off++) {
    t[key] = min + (off % size);
    if (!nf_nat_used_tuple(net, t, ct)) return;
  }
}

/** get_unique_tuple. */
function get_unique_tuple(net: Net, orig: Tuple, range: NfNatRange, ct: NfConn, manip: number): Tuple {
  if (manip === NF_NAT_MANIP_SRC && !(range.flags & NF_NAT_RANGE_PROTO_RANDOM_ALL)) {
    if (in_range(orig, range, manip) && !nf_nat_used_tuple(net, orig, ct)) return { ...orig };
  }
  const t = { ...orig };
  find_best_ips_proto(t, range, manip);
  if (!(range.flags & NF_NAT_RANGE_PROTO_RANDOM_ALL)) {
    if (range.flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
      if (l4proto_in_range(t, manip, range) && (range.minProto === range.maxProto || !nf_nat_used_tuple(net, t, ct))) return t;
    } else if (!nf_nat_used_tuple(net, t, ct)) return t;
  }
  nf_nat_l4proto_unique_tuple(net, t, range, manip, ct);
  return t;
}

/** nf_nat_setup_info: bind the connection to a tuple in range. */
export function nf_nat_setup_info(net: Net, ct: NfConn, range: NfNatRange, manip: number): number {
  if (nf_nat_initialized(ct, manip)) return NF_ACCEPT;
  const curr = nf_ct_invert_tuple(ct.tuple[IP_CT_DIR_REPLY])!;
  const nt = get_unique_tuple(net, curr, range, ct, manip);
  if (!tuple_equal(nt, curr)) {
    ct.tuple[IP_CT_DIR_REPLY] = nf_ct_invert_tuple(nt)!; // nf_conntrack_alter_reply
    ct.status |= manip === NF_NAT_MANIP_SRC ? IPS_SRC_NAT : IPS_DST_NAT;
  }
  ct.status |= manip === NF_NAT_MANIP_SRC ? IPS_SRC_NAT_DONE : IPS_DST_NAT_DONE;
  return NF_ACCEPT;
}

/** nf_nat_alloc_null_binding: no rule matched; keep the addresses. */
function nf_nat_alloc_null_binding(net: Net, ct: NfConn, hook: number): number {
  const manip = HOOK2MANIP(hook);
  const ip = manip === NF_NAT_MANIP_SRC ? ct.tuple[IP_CT_DIR_REPLY].dst : ct.tuple[IP_CT_DIR_REPLY].src;
  return nf_nat_setup_info(net, ct, { flags: NF_NAT_RANGE_MAP_IPS, minIp: ip, maxIp: ip, minProto: 0, maxProto: 0 }, manip);
}

// ---- packet rewriting ------------------------------------------------------------

/** inet_proto_csum_replace: RFC 1624 incremental update of a 16-bit checksum field. */
function csum_replace(b: Uint8Array, at: number, from: number[], to: number[]): void {
  let sum = ~get16(b, at) & 0xffff;
  for (const w of from) sum += ~w & 0xffff;
  for (const w of to) sum += w;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  put16(b, at, ~sum & 0xffff);
}

const words = (a: number) => [a >>> 16, a & 0xffff];

/** l4proto_manip_pkt + nf_nat_ipv4_manip_pkt for the IP header at nh. */
function manip_pkt(b: Uint8Array, nh: number, tail: number, target: Tuple, manip: number): void {
  const th = nh + iph.ihl(b, nh) * 4;
  const proto = target.proto;
  const oldAddr = manip === NF_NAT_MANIP_SRC ? iph.saddr(b, nh) : iph.daddr(b, nh);
  const newAddr = manip === NF_NAT_MANIP_SRC ? target.src : target.dst;
  const fragoff = iph.frag_off(b, nh) & 0x1fff;
  if (!fragoff && (proto === IPPROTO_UDP || proto === IPPROTO_TCP) && th + 8 <= tail) {
    const portAt = manip === NF_NAT_MANIP_SRC ? th : th + 2;
    const oldPort = get16(b, portAt);
    const newPort = manip === NF_NAT_MANIP_SRC ? target.sp : target.dp;
    const csumAt = proto === IPPROTO_UDP ? th + 6 : th + 16;
    const hasCsum = proto === IPPROTO_UDP ? get16(b, csumAt) !== 0 : csumAt + 2 <= tail;
    if (hasCsum) {
      csum_replace(b, csumAt, [...words(oldAddr), oldPort], [...words(newAddr), newPort]);
      if (proto === IPPROTO_UDP && get16(b, csumAt) === 0) put16(b, csumAt, 0xffff); // CSUM_MANGLED_0
    }
    put16(b, portAt, newPort);
  } else if (!fragoff && proto === IPPROTO_ICMP && th + 8 <= tail) {
    const type = b[th];
    if (type === 0 || type === 8 || type === 13 || type === 14 || type === 15 || type === 16 || type === 17 || type === 18) {
      csum_replace(b, th + 2, [get16(b, th + 4)], [target.sp]);
      put16(b, th + 4, target.sp);
    }
  }
  csum_replace(b, nh + 10, words(oldAddr), words(newAddr));
  put32(b, manip === NF_NAT_MANIP_SRC ? nh + 12 : nh + 16, newAddr);
}

/** nf_nat_manip_pkt: rewrite toward the other direction's inverted tuple. */
function nf_nat_manip_pkt(skb: SkBuff, ct: NfConn, manip: number, dir: number): number {
  const target = nf_ct_invert_tuple(ct.tuple[1 - dir])!;
  manip_pkt(skb.buf, skb.network_header, skb.tail, target, manip);
  return NF_ACCEPT;
}

/** nf_nat_packet. */
function nf_nat_packet(skb: SkBuff, ct: NfConn, ctinfo: number, hook: number): number {
  const manip = HOOK2MANIP(hook);
  const dir = ctinfo >= IP_CT_IS_REPLY ? 1 : 0;
  let bit = manip === NF_NAT_MANIP_SRC ? IPS_SRC_NAT : IPS_DST_NAT;
  if (dir === IP_CT_DIR_REPLY) bit ^= IPS_NAT_MASK;
  if (ct.status & bit) return nf_nat_manip_pkt(skb, ct, manip, dir);
  return NF_ACCEPT;
}

/** nf_nat_icmp_reply_translation: an ICMP error about a NATed connection. */
function nf_nat_icmp_reply_translation(skb: SkBuff, ct: NfConn, ctinfo: number, hook: number): boolean {
  const b = skb.buf;
  const nh = skb.network_header;
  const hdrlen = iph.ihl(b, nh) * 4;
  const dir = ctinfo >= IP_CT_IS_REPLY ? 1 : 0;
  const manip = HOOK2MANIP(hook);
  if (nh + hdrlen + 8 + 20 > skb.tail) return false;
  if (b[nh + hdrlen] === I.ICMP_REDIRECT) {
    if ((ct.status & (IPS_SRC_NAT_DONE | IPS_DST_NAT_DONE)) !== (IPS_SRC_NAT_DONE | IPS_DST_NAT_DONE)) return false;
    if (ct.status & IPS_NAT_MASK) return false;
  }
  let bit = manip === NF_NAT_MANIP_SRC ? IPS_SRC_NAT : IPS_DST_NAT;
  if (dir === IP_CT_DIR_REPLY) bit ^= IPS_NAT_MASK;
  if (!(ct.status & bit)) return true;
  // The quoted packet went the other way: the opposite manip.
  manip_pkt(b, nh + hdrlen + 8, skb.tail, ct.tuple[1 - dir], 1 - manip);
  const ic = nh + hdrlen;
  put16(b, ic + 2, 0);
  put16(b, ic + 2, csum_fold(csum_partial(b, ic, skb.tail - ic)));
  const target = nf_ct_invert_tuple(ct.tuple[1 - dir]) ?? ct.tuple[1 - dir];
  manip_pkt(b, nh, skb.tail, { ...target, proto: IPPROTO_ICMP }, manip);
  return true;
}

/** nf_nat_ipv4_fn / nf_nat_inet_fn. */
function nf_nat_ipv4_fn(net: Net, skb: SkBuff, state: NfHookState, table: XtTable): number {
  const c = nf_ct_get(skb);
  if (!c) return NF_ACCEPT;
  const { ct, ctinfo } = c;
  if ((ctinfo === IP_CT_RELATED || ctinfo === IP_CT_RELATED_REPLY) && iph.protocol(skb.buf, skb.network_header) === IPPROTO_ICMP) {
    return nf_nat_icmp_reply_translation(skb, ct, ctinfo, state.hook) ? NF_ACCEPT : NF_DROP;
  }
  const manip = HOOK2MANIP(state.hook);
  if (ctinfo === IP_CT_NEW || ctinfo === IP_CT_RELATED || ctinfo === IP_CT_RELATED_REPLY) {
    if (!nf_nat_initialized(ct, manip)) {
      const v = ipt_do_table(net, skb, state, table);
      if (v !== NF_ACCEPT) return v;
      if (!nf_nat_initialized(ct, manip)) {
        const r = nf_nat_alloc_null_binding(net, ct, state.hook);
        if (r !== NF_ACCEPT) return r;
      }
    }
  }
  return nf_nat_packet(skb, ct, ctinfo, state.hook);
}

/** nf_nat_ipv4_local_fn: a DNAT of a local packet needs a new route. */
function nf_nat_ipv4_local_fn(net: Net, skb: SkBuff, state: NfHookState, table: XtTable): number {
  const daddr = iph.daddr(skb.buf, skb.network_header);
  const v = nf_nat_ipv4_fn(net, skb, state, table);
  if (v === NF_ACCEPT && daddr !== iph.daddr(skb.buf, skb.network_header)) {
    // ip_route_me_harder
    const b = skb.buf;
    const o = skb.network_header;
    const rt = ip_route_output_key(net, { daddr: iph.daddr(b, o), saddr: iph.saddr(b, o), oif: 0, tos: iph.tos(b, o), scope: 0, proto: iph.protocol(b, o) });
    if ('err' in rt) return NF_DROP;
    skb.dst = rt;
  }
  return v;
}

/** Register nf_nat's hooks for a nat table (nf_nat_ipv4_ops). */
function nat_register(net: Net, t: XtTable): void {
  nf_ct_netns_get(net);
  const ops: NfHookOps[] = [
    { hook: NF_INET_PRE_ROUTING, priority: NF_IP_PRI_NAT_DST, fn: (n, skb, st) => nf_nat_ipv4_fn(n, skb, st, t) },
    { hook: NF_INET_POST_ROUTING, priority: NF_IP_PRI_NAT_SRC, fn: (n, skb, st) => nf_nat_ipv4_fn(n, skb, st, t) },
    { hook: NF_INET_LOCAL_OUT, priority: NF_IP_PRI_NAT_DST, fn: (n, skb, st) => nf_nat_ipv4_local_fn(n, skb, st, t) },
    { hook: NF_INET_LOCAL_IN, priority: NF_IP_PRI_NAT_SRC, fn: (n, skb, st) => nf_nat_ipv4_fn(n, skb, st, t) },
  ];
  for (const o of ops) {
    t.ops.push(o);
    nf_register_net_hook(net, o);
  }
}
nat_table_hooks.register = nat_register;
