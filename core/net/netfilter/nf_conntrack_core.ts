// net/netfilter/nf_conntrack_core.c (+ the l4 trackers of
// nf_conntrack_proto_{icmp,udp,tcp,generic}.c): connections as pairs of
// tuples, looked up at PRE_ROUTING/LOCAL_OUT (nf_conntrack_in), created
// unconfirmed and inserted into the table at LOCAL_IN/POST_ROUTING
// (__nf_conntrack_confirm). ICMP errors about a tracked connection are
// RELATED to it. Entries expire lazily, as the gc worker would find them.
import type { Net } from '../net_namespace.js';
import type { SkBuff } from '../core/skbuff.js';
import { iph, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, IP_MF, IP_OFFSET, formatIPv4 } from '../wire/ip.js';
import * as I from '../wire/icmp.js';
import {
  type NfHookOps,
  nf_register_net_hook,
  nf_unregister_net_hook,
  NF_ACCEPT,
  NF_STOLEN,
  NF_INET_PRE_ROUTING,
  NF_INET_LOCAL_IN,
  NF_INET_LOCAL_OUT,
  NF_INET_POST_ROUTING,
  NF_IP_PRI_CONNTRACK,
  NF_IP_PRI_CONNTRACK_CONFIRM,
  NF_IP_PRI_CONNTRACK_DEFRAG,
} from './core.js';
import { nf_ct_netns_hooks } from './x_tables.js';
import { ip_defrag, IP_DEFRAG_CONNTRACK_IN, IP_DEFRAG_CONNTRACK_OUT } from '../ipv4/ip_fragment.js';

// enum ip_conntrack_info
export const IP_CT_ESTABLISHED = 0;
export const IP_CT_RELATED = 1;
export const IP_CT_NEW = 2;
export const IP_CT_IS_REPLY = 3;
export const IP_CT_ESTABLISHED_REPLY = IP_CT_ESTABLISHED + IP_CT_IS_REPLY;
export const IP_CT_RELATED_REPLY = IP_CT_RELATED + IP_CT_IS_REPLY;

export const IP_CT_DIR_ORIGINAL = 0;
export const IP_CT_DIR_REPLY = 1;

// enum ip_conntrack_status bits
export const IPS_EXPECTED = 1 << 0;
export const IPS_SEEN_REPLY = 1 << 1;
export const IPS_ASSURED = 1 << 2;
export const IPS_CONFIRMED = 1 << 3;
export const IPS_SRC_NAT = 1 << 4;
export const IPS_DST_NAT = 1 << 5;
export const IPS_NAT_MASK = IPS_SRC_NAT | IPS_DST_NAT;
export const IPS_SRC_NAT_DONE = 1 << 7;
export const IPS_DST_NAT_DONE = 1 << 8;

/** struct nf_conntrack_tuple. For ICMP, sp is the echo id and dp is
 * type << 8 | code; for protocols without ports both are 0. */
export interface Tuple {
  src: number;
  dst: number;
  proto: number;
  sp: number;
  dp: number;
}

export const TCP_CONNTRACK_NAMES = ['NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE', 'SYN_SENT2'];

/** struct nf_conn. */
export interface NfConn {
  id: number;
  tuple: [Tuple, Tuple];
  status: number;
  /** Absolute expiry (ns). */
  timeout: number;
  tcpState: number;
  udpStreamTs: number;
  /** Device index a MASQUERADE binding used (nf_conn_nat.masq_index). */
  masqIndex: number;
}

/** Default timeouts (net.netfilter.nf_conntrack_*), seconds. */
const TIMEOUTS: Record<string, number> = {
  icmp: 30,
  udp: 30,
  udp_stream: 120,
  generic: 600,
};
const TCP_TIMEOUTS = [0, 120, 60, 432000, 120, 60, 30, 120, 10, 120];

function sysctlTimeout(net: Net, name: string, def: number): number {
  const v = net.sysctl.get(`net.netfilter.nf_conntrack_${name}`);
  return (v === undefined ? def : parseInt(v, 10)) * 1e9;
}

export interface CtNet {
  /** Confirmed connections by the key of either tuple. */
  hash: Map<string, { ct: NfConn; dir: number }>;
  all: Set<NfConn>;
  nextId: number;
  ops: NfHookOps[];
}

const pernet = new WeakMap<Net, CtNet>();

export function ct_net(net: Net): CtNet {
  let s = pernet.get(net);
  if (!s) {
    s = { hash: new Map(), all: new Set(), nextId: 1, ops: [] };
    pernet.set(net, s);
  }
  return s;
}

export function tuple_key(t: Tuple): string {
  return `${t.src}|${t.dst}|${t.proto}|${t.sp}|${t.dp}`;
}

export function tuple_equal(a: Tuple, b: Tuple): boolean {
  return a.src === b.src && a.dst === b.dst && a.proto === b.proto && a.sp === b.sp && a.dp === b.dp;
}

/** icmp_invert_tuple's type map: echo <-> echo reply and the other query pairs. */
const ICMP_INVMAP: Record<number, number> = { 8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 17: 18, 18: 17 };

/** nf_ct_invert_tuple: null when the ICMP type has no reply. */
export function nf_ct_invert_tuple(t: Tuple): Tuple | null {
  if (t.proto === IPPROTO_ICMP) {
    const inv = ICMP_INVMAP[t.dp >> 8];
    if (inv === undefined) return null;
    return { src: t.dst, dst: t.src, proto: t.proto, sp: t.sp, dp: (inv << 8) | (t.dp & 0xff) };
  }
  return { src: t.dst, dst: t.src, proto: t.proto, sp: t.dp, dp: t.sp };
}

/** nf_ct_get_tuple from the IP header at nh and the transport header at th. */
export function nf_ct_get_tuple(b: Uint8Array, nh: number, th: number, tail: number): Tuple | null {
  const proto = iph.protocol(b, nh);
  const t: Tuple = { src: iph.saddr(b, nh), dst: iph.daddr(b, nh), proto, sp: 0, dp: 0 };
  if (proto === IPPROTO_UDP || proto === IPPROTO_TCP) {
    if (th + 4 > tail) return null;
    t.sp = (b[th] << 8) | b[th + 1];
    t.dp = (b[th + 2] << 8) | b[th + 3];
  } else if (proto === IPPROTO_ICMP) {
    if (th + 8 > tail) return null;
    t.dp = (b[th] << 8) | b[th + 1];
    t.sp = (b[th + 4] << 8) | b[th + 5];
  }
  return t;
}

export function nf_ct_is_expired(net: Net, ct: NfConn): boolean {
  return ct.timeout <= net.engine.now;
}

function nf_ct_delete(s: CtNet, ct: NfConn): void {
  for (let d = 0; d < 2; d++) {
    const k = tuple_key(ct.tuple[d]);
    if (s.hash.get(k)?.ct === ct) s.hash.delete(k);
  }
  s.all.delete(ct);
}

/** gc_worker: drop what has expired (done before lookups and dumps). */
export function nf_ct_gc(net: Net): void {
  const s = ct_net(net);
  for (const ct of [...s.all]) if (nf_ct_is_expired(net, ct)) nf_ct_delete(s, ct);
}

/** nf_conntrack_find_get. */
export function nf_conntrack_find(net: Net, t: Tuple): { ct: NfConn; dir: number } | null {
  const s = ct_net(net);
  const h = s.hash.get(tuple_key(t));
  if (!h) return null;
  if (nf_ct_is_expired(net, h.ct)) {
    nf_ct_delete(s, h.ct);
    return null;
  }
  return h;
}

/** nf_conntrack_tuple_taken: is this tuple in use by another connection? */
export function nf_conntrack_tuple_taken(net: Net, t: Tuple, ignored: NfConn): boolean {
  const h = nf_conntrack_find(net, t);
  return !!h && h.ct !== ignored;
}

/** nf_ct_get. */
export function nf_ct_get(skb: SkBuff): { ct: NfConn; ctinfo: number } | null {
  return skb.nfct && skb.nfct.ct ? (skb.nfct as { ct: NfConn; ctinfo: number }) : null;
}

function nf_ct_refresh(net: Net, ct: NfConn, ns: number): void {
  ct.timeout = net.engine.now + ns;
}

// ---- the l4 trackers ---------------------------------------------------------

const sNO = 0, sSS = 1, sSR = 2, sES = 3, sFW = 4, sCW = 5, sLA = 6, sTW = 7, sCL = 8, sS2 = 9, sIV = 10, sIG = 11;
/** tcp_conntracks[dir][index][state], from nf_conntrack_proto_tcp.c. */
const TCP_CONNTRACKS = [
  [
    [sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2],
    [sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR],
    [sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV],
    [sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV],
    [sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL],
    [sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV],
  ],
  [
    [sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2],
    [sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR],
    [sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV],
    [sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG],
    [sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL],
    [sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV],
  ],
];

/** get_conntrack_index: rst, syn(ack), fin, ack, none. */
function tcp_index(flags: number): number {
  if (flags & 0x04) return 4;
  if (flags & 0x02) return flags & 0x10 ? 1 : 0;
  if (flags & 0x01) return 2;
  if (flags & 0x10) return 3;
  return 5;
}

/** The l4 tracker's packet(): NF_ACCEPT, or -1 for "not valid, untracked". */
function l4_packet(net: Net, skb: SkBuff, ct: NfConn, dir: number): number {
  const b = skb.buf;
  const th = skb.network_header + iph.ihl(b, skb.network_header) * 4;
  const confirmed = (ct.status & IPS_CONFIRMED) !== 0;
  switch (ct.tuple[0].proto) {
    case IPPROTO_ICMP: {
      const type = ct.tuple[0].dp >> 8;
      if (type !== I.ICMP_ECHO && type !== I.ICMP_TIMESTAMP && type !== 15 && type !== 17) return -1;
      nf_ct_refresh(net, ct, sysctlTimeout(net, 'icmp_timeout', TIMEOUTS.icmp));
      return NF_ACCEPT;
    }
    case IPPROTO_UDP: {
      if (!confirmed) ct.udpStreamTs = net.engine.now + 2e9;
      if (ct.status & IPS_SEEN_REPLY) {
        let extra = sysctlTimeout(net, 'udp_timeout', TIMEOUTS.udp);
        let stream = false;
        if (net.engine.now > ct.udpStreamTs) {
          extra = sysctlTimeout(net, 'udp_timeout_stream', TIMEOUTS.udp_stream);
          stream = (ct.status & IPS_ASSURED) === 0;
        }
        nf_ct_refresh(net, ct, extra);
        if (stream) ct.status |= IPS_ASSURED;
      } else nf_ct_refresh(net, ct, sysctlTimeout(net, 'udp_timeout', TIMEOUTS.udp));
      return NF_ACCEPT;
    }
    case IPPROTO_TCP: {
      const flags = b[th + 13] ?? 0;
      const idx = tcp_index(flags);
      const old = ct.tcpState;
      const next = TCP_CONNTRACKS[dir][idx][old];
      if (next === sIV) return -1;
      if (next === sIG) return NF_ACCEPT;
      ct.tcpState = next;
      if (old === sSR && next === sES) ct.status |= IPS_ASSURED;
      nf_ct_refresh(net, ct, sysctlTimeout(net, `tcp_timeout_${TCP_CONNTRACK_NAMES[next].toLowerCase()}`, TCP_TIMEOUTS[next]));
      return NF_ACCEPT;
    }
    default:
      nf_ct_refresh(net, ct, sysctlTimeout(net, 'generic_timeout', TIMEOUTS.generic));
      return NF_ACCEPT;
  }
}

/** l4 new(): may this packet start a connection? */
function l4_new(ct: NfConn, skb: SkBuff): boolean {
  if (ct.tuple[0].proto !== IPPROTO_TCP) return true;
  const b = skb.buf;
  const th = skb.network_header + iph.ihl(b, skb.network_header) * 4;
  const st = TCP_CONNTRACKS[0][tcp_index(b[th + 13] ?? 0)][sNO];
  if (st >= sIV) return false;
  ct.tcpState = sNO;
  return true;
}

// ---- nf_conntrack_in -----------------------------------------------------------

const ICMP_ERRORS = new Set([I.ICMP_DEST_UNREACH, I.ICMP_SOURCE_QUENCH, I.ICMP_REDIRECT, I.ICMP_TIME_EXCEEDED, I.ICMP_PARAMETERPROB]);

/** nf_conntrack_icmpv4_error / nf_conntrack_inet_error: is it about one of ours? */
function icmp_error(net: Net, skb: SkBuff): boolean {
  const b = skb.buf;
  const nh = skb.network_header;
  const th = nh + iph.ihl(b, nh) * 4;
  if (th + 8 > skb.tail) return true;
  const type = b[th];
  if (type > I.NR_ICMP_TYPES) return true;
  if (!ICMP_ERRORS.has(type)) return false;
  const inner = th + 8;
  if (inner + 20 > skb.tail) return true;
  const orig = nf_ct_get_tuple(b, inner, inner + iph.ihl(b, inner) * 4, skb.tail);
  const inv = orig && nf_ct_invert_tuple(orig);
  const h = inv && nf_conntrack_find(net, inv);
  if (!h) return true;
  // The outer destination must be the connection's end that sent the quoted packet.
  if (h.ct.tuple[h.dir].dst !== iph.daddr(b, nh)) return true;
  skb.nfct = { ct: h.ct, ctinfo: IP_CT_RELATED + (h.dir === IP_CT_DIR_REPLY ? IP_CT_IS_REPLY : 0) };
  return true;
}

/** nf_conntrack_in. */
export function nf_conntrack_in(net: Net, skb: SkBuff): number {
  if (skb.nfct) return NF_ACCEPT; // seen before (loopback)
  const b = skb.buf;
  const nh = skb.network_header;
  // A fragment that defrag did not gather (it should have): untracked.
  if (iph.frag_off(b, nh) & (IP_MF | IP_OFFSET)) return NF_ACCEPT;
  const proto = iph.protocol(b, nh);
  if (proto === IPPROTO_ICMP && icmp_error(net, skb)) return NF_ACCEPT;
  const tuple = nf_ct_get_tuple(b, nh, nh + iph.ihl(b, nh) * 4, skb.tail);
  if (!tuple) return NF_ACCEPT;
  let h = nf_conntrack_find(net, tuple);
  let ct: NfConn;
  let dir: number;
  let ctinfo: number;
  if (!h) {
    // init_conntrack
    const reply = nf_ct_invert_tuple(tuple);
    if (!reply) return NF_ACCEPT;
    const s = ct_net(net);
    ct = { id: s.nextId++, tuple: [tuple, reply], status: 0, timeout: 0, tcpState: 0, udpStreamTs: 0, masqIndex: 0 };
    if (!l4_new(ct, skb)) return NF_ACCEPT;
    dir = IP_CT_DIR_ORIGINAL;
    ctinfo = IP_CT_NEW;
  } else {
    ct = h.ct;
    dir = h.dir;
    if (dir === IP_CT_DIR_REPLY) ctinfo = IP_CT_ESTABLISHED_REPLY;
    else if (ct.status & IPS_SEEN_REPLY) ctinfo = IP_CT_ESTABLISHED;
    else if (ct.status & IPS_EXPECTED) ctinfo = IP_CT_RELATED;
    else ctinfo = IP_CT_NEW;
  }
  skb.nfct = { ct, ctinfo };
  if (l4_packet(net, skb, ct, dir) !== NF_ACCEPT) {
    skb.nfct = null; // invalid: the packet goes on untracked
    return NF_ACCEPT;
  }
  if (ctinfo === IP_CT_ESTABLISHED_REPLY) ct.status |= IPS_SEEN_REPLY;
  net.tracer.fn(skb, 'nf_conntrack_in', `${CTINFO_NAMES[ctinfo]} ${ct_tuple_str(ct.tuple[0])}`);
  return NF_ACCEPT;
}

const CTINFO_NAMES = ['ESTABLISHED', 'RELATED', 'NEW', 'ESTABLISHED_REPLY', 'RELATED_REPLY'];

function ct_tuple_str(t: Tuple): string {
  return `proto ${t.proto} ${formatIPv4(t.src)}:${t.sp} -> ${formatIPv4(t.dst)}:${t.dp}`;
}

/** __nf_conntrack_confirm: the first packet made it through; insert. */
export function nf_conntrack_confirm(net: Net, skb: SkBuff): number {
  const c = nf_ct_get(skb);
  if (!c || c.ct.status & IPS_CONFIRMED) return NF_ACCEPT;
  if (c.ctinfo !== IP_CT_NEW && c.ctinfo !== IP_CT_RELATED) return NF_ACCEPT;
  const s = ct_net(net);
  const ct = c.ct;
  // A clash with a connection confirmed meanwhile: that one wins.
  if (s.hash.has(tuple_key(ct.tuple[0])) || s.hash.has(tuple_key(ct.tuple[1]))) return NF_ACCEPT;
  ct.status |= IPS_CONFIRMED;
  s.hash.set(tuple_key(ct.tuple[0]), { ct, dir: IP_CT_DIR_ORIGINAL });
  s.hash.set(tuple_key(ct.tuple[1]), { ct, dir: IP_CT_DIR_REPLY });
  s.all.add(ct);
  return NF_ACCEPT;
}

/** ipv4_conntrack_defrag: gather fragments before tracking. */
function ipv4_conntrack_defrag(net: Net, skb: SkBuff, hook: number): number {
  if (skb.nfct) return NF_ACCEPT;
  const b = skb.buf;
  const nh = skb.network_header;
  if (!(iph.frag_off(b, nh) & (IP_MF | IP_OFFSET))) return NF_ACCEPT;
  const whole = ip_defrag(net, skb, hook === NF_INET_PRE_ROUTING ? IP_DEFRAG_CONNTRACK_IN : IP_DEFRAG_CONNTRACK_OUT);
  if (!whole) return NF_STOLEN;
  whole.cb.ignore_df = 1;
  return NF_ACCEPT;
}

function register(net: Net): void {
  const s = ct_net(net);
  if (!s.ops.length) {
    s.ops = [
      { hook: NF_INET_PRE_ROUTING, priority: NF_IP_PRI_CONNTRACK_DEFRAG, fn: (n, skb, st) => ipv4_conntrack_defrag(n, skb, st.hook) },
      { hook: NF_INET_LOCAL_OUT, priority: NF_IP_PRI_CONNTRACK_DEFRAG, fn: (n, skb, st) => ipv4_conntrack_defrag(n, skb, st.hook) },
      { hook: NF_INET_PRE_ROUTING, priority: NF_IP_PRI_CONNTRACK, fn: (n, skb) => nf_conntrack_in(n, skb) },
      { hook: NF_INET_LOCAL_OUT, priority: NF_IP_PRI_CONNTRACK, fn: (n, skb) => nf_conntrack_in(n, skb) },
      { hook: NF_INET_POST_ROUTING, priority: NF_IP_PRI_CONNTRACK_CONFIRM, fn: (n, skb) => nf_conntrack_confirm(n, skb) },
      { hook: NF_INET_LOCAL_IN, priority: NF_IP_PRI_CONNTRACK_CONFIRM, fn: (n, skb) => nf_conntrack_confirm(n, skb) },
    ];
  }
  for (const o of s.ops) nf_register_net_hook(net, o);
}

function unregister(net: Net): void {
  for (const o of ct_net(net).ops) nf_unregister_net_hook(net, o);
}

nf_ct_netns_hooks.get = register;
nf_ct_netns_hooks.put = unregister;

/** Remaining seconds of a connection, as /proc/net/nf_conntrack prints. */
export function nf_ct_expires(net: Net, ct: NfConn): number {
  return Math.max(0, Math.floor((ct.timeout - net.engine.now) / 1e9));
}
