// net/ipv4/route.c: routing decisions for input (ip_route_input_slow) and
// output (ip_route_output_key), producing an rtable that says where the
// packet goes next: ip_local_deliver, ip_forward, ip_error, or ip_output.
import type { Net } from '../net_namespace.js';
import type { TraceFmt } from '../core/trace.js';
import type { NetDevice } from '../core/netdevice.js';
import {
  type FibResult,
  RTN_BROADCAST,
  RTN_LOCAL,
  RTN_MULTICAST,
  RTN_UNICAST,
  RTN_UNREACHABLE,
  RT_SCOPE_LINK,
  RT_SCOPE_UNIVERSE,
  RT_SCOPE_HOST,
  FIB_PROPS_ERROR,
} from './fib.js';
import { IN_DEV_FORWARD, inet_select_addr, ip_dev_find, in_dev_get } from './devinet.js';
import { ipv4_is_lbcast, ipv4_is_loopback, ipv4_is_multicast, ipv4_is_zeronet } from '../wire/ip.js';
import { COST } from '../../kernel/costs.js';

export const RTCF_NOTIFY = 0x00010000;
export const RTCF_DIRECTDST = 0x00020000;
export const RTCF_REDIRECTED = 0x00040000;
export const RTCF_DOREDIRECT = 0x01000000;
export const RTCF_DIRECTSRC = 0x04000000;
export const RTCF_BROADCAST = 0x10000000;
export const RTCF_MULTICAST = 0x20000000;
export const RTCF_LOCAL = 0x80000000;

export type DstInput = 'ip_local_deliver' | 'ip_forward' | 'ip_error' | 'dst_discard';

/** struct rtable (dst_entry + IPv4 fields). */
export interface Rtable {
  type: number;
  flags: number;
  /** Output device (for input routes to local: the loopback device). */
  dev: NetDevice;
  /** Incoming interface index for input routes, 0 for output routes. */
  iif: number;
  /** Next hop when it is a gateway (rt_gw4), else 0. */
  gw: number;
  input: DstInput;
  /** Errno name for ip_error routes. */
  error: string | null;
  /** Path MTU learnt for this destination (0: use the device MTU). */
  pmtu: number;
  pmtuExpires: number;
  /** The FIB result it came from (null for broadcast and unreachable). */
  res: FibResult | null;
}

/** Result of an output route lookup: the route plus the filled flow. */
export interface Flowi4 {
  daddr: number;
  saddr: number;
  oif: number;
  tos: number;
  scope: number;
  proto: number;
  sport?: number;
  dport?: number;
}

export interface RouteErr {
  err: string;
}

function trace_fib(net: Net, daddr: number, saddr: number, iif: number, oif: number, proto: number, res: FibResult | null, err: string | null): void {
  net.spend(COST.fib_lookup);
  if (!net.tracer.on) return;
  // The common case is formatted only when shown (trace.ts).
  if (res && !err) return net.tracer.fnf(null, 'fib_table_lookup', fmtFibOk, res.table ?? 254, oif, iif, proto, saddr, daddr, res.fa.nh.dev?.name ?? '-', res.fa.nh.gw);
  net.tracer.fn(
    null,
    'fib_table_lookup',
    `table ${res?.table ?? 254} oif ${oif} iif ${iif} proto ${proto} ${fmt(saddr)} -> ${fmt(daddr)} ==> ${
      res ? `dev ${res.fa.nh.dev?.name ?? '-'} gw ${fmt(res.fa.nh.gw)}` : '-'
    } err ${err ? '-' + err : 0}`,
  );
}

const fmtFibOk: TraceFmt = (table, oif, iif, proto, saddr, daddr, dev, gw) => `table ${table} oif ${oif} iif ${iif} proto ${proto} ${fmt(saddr)} -> ${fmt(daddr)} ==> dev ${dev} gw ${fmt(gw)} err 0`;

function fmt(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** Nexthop exception (cached PMTU) for daddr via this result, if still valid. */
function nh_exception(net: Net, res: FibResult | null, daddr: number): { pmtu: number; expires: number } | null {
  if (!res || !res.fa.nh.exceptions.size) return null;
  const e = res.fa.nh.exceptions.get(daddr);
  if (!e) return null;
  if (e.expires <= net.engine.now) {
    res.fa.nh.exceptions.delete(daddr);
    return null;
  }
  return e;
}

function mkrt(net: Net, type: number, flags: number, dev: NetDevice, iif: number, res: FibResult | null, input: DstInput, daddr: number): Rtable {
  let gw = 0;
  if (res && res.fa.nh.gw && res.type === RTN_UNICAST) gw = res.fa.nh.gw;
  const e = nh_exception(net, res, daddr);
  return { type, flags, dev, iif, gw, input, error: null, pmtu: e?.pmtu ?? 0, pmtuExpires: e?.expires ?? 0, res };
}

/** The input routes a nexthop made (nhc_rth_input), reused while they are
 * what would be made again (rt_cache_valid): a flood builds no rtable per
 * packet. Input routes are not changed once made; a nexthop with per-
 * destination PMTU exceptions (fnhe) makes fresh ones. */
const RTH_INPUT = Symbol('nhc_rth_input');
type NhCache = FibResult['fa']['nh'] & { [RTH_INPUT]?: Rtable[] };

function rth_input(net: Net, type: number, flags: number, dev: NetDevice, iif: number, res: FibResult, input: DstInput, daddr: number): Rtable {
  const nh = res.fa.nh as NhCache;
  if (nh.exceptions.size) return mkrt(net, type, flags, dev, iif, res, input, daddr);
  const gw = nh.gw && res.type === RTN_UNICAST ? nh.gw : 0;
  const list = nh[RTH_INPUT];
  if (list !== undefined) {
    for (const rt of list) {
      const r = rt.res!;
      if (rt.iif === iif && rt.flags === flags && rt.type === type && rt.dev === dev && rt.input === input && rt.gw === gw && r.fa === res.fa && r.type === res.type && r.prefixlen === res.prefixlen && r.table === res.table) return rt;
    }
  }
  const rt = mkrt(net, type, flags, dev, iif, res, input, daddr);
  const l = (nh[RTH_INPUT] ??= []);
  if (l.length >= 8) l.shift();
  l.push(rt);
  return rt;
}

/** ip_route_input_noref / ip_route_input_slow. Returns the route or an
 * errno name for martians and bad input (packet is then dropped). */
export function ip_route_input(net: Net, daddr: number, saddr: number, tos: number, dev: NetDevice): Rtable | RouteErr {
  const lo = net.dev_get_by_index(1)!;
  // Martians (ip_route_input_slow's early checks).
  if (ipv4_is_multicast(saddr) || ipv4_is_lbcast(saddr)) return { err: 'EINVAL' }; // martian source
  if (ipv4_is_lbcast(daddr) || (saddr === 0 && daddr === 0)) {
    return mkrt(net, RTN_BROADCAST, RTCF_BROADCAST | RTCF_LOCAL, lo, dev.ifindex, null, 'ip_local_deliver', daddr);
  }
  if (ipv4_is_zeronet(saddr)) return { err: 'EINVAL' };
  if (ipv4_is_zeronet(daddr)) return { err: 'EINVAL' }; // martian destination
  if (ipv4_is_loopback(daddr) || ipv4_is_loopback(saddr)) {
    if (!dev.isLoopback && !net.sysctlInt(`net.ipv4.conf.${dev.name}.route_localnet`)) return { err: 'EINVAL' };
  }
  if (ipv4_is_multicast(daddr)) return mkrt(net, RTN_MULTICAST, RTCF_MULTICAST | RTCF_LOCAL, lo, dev.ifindex, null, 'ip_local_deliver', daddr);

  const res = net.fib.lookup(daddr, RT_SCOPE_UNIVERSE, 0);
  trace_fib(net, daddr, saddr, dev.ifindex, 0, 0, res, res ? null : 'ENETUNREACH');
  const fwd = IN_DEV_FORWARD(net, dev);
  let err: string;
  if (!res || FIB_PROPS_ERROR[res.type]) {
    err = res ? FIB_PROPS_ERROR[res.type]! : fwd ? 'ENETUNREACH' : 'EHOSTUNREACH';
    if (!fwd && !res) err = 'EHOSTUNREACH';
    return unreachable(net, lo, dev, err);
  }
  if (res.type === RTN_BROADCAST) return mkrt(net, RTN_BROADCAST, RTCF_BROADCAST | RTCF_LOCAL, lo, dev.ifindex, res, 'ip_local_deliver', daddr);
  if (res.type === RTN_LOCAL) {
    // fib_validate_source: a packet from one of our own addresses is a martian.
    if (ip_dev_find(net, saddr) && !dev.isLoopback) return { err: 'EINVAL' };
    return rth_input(net, RTN_LOCAL, RTCF_LOCAL, lo, dev.ifindex, res, 'ip_local_deliver', daddr);
  }
  if (!fwd) return unreachable(net, lo, dev, 'EHOSTUNREACH');
  if (res.type !== RTN_UNICAST) return { err: 'EINVAL' };
  // ip_mkroute_input / __mkroute_input
  const out = res.fa.nh.dev!;
  let flags = 0;
  if (out === dev && !res.fa.nh.gw && onLink(dev, saddr)) flags |= RTCF_DOREDIRECT;
  else if (out === dev && onLink(dev, saddr)) flags |= RTCF_DOREDIRECT;
  return rth_input(net, RTN_UNICAST, flags, out, dev.ifindex, res, 'ip_forward', daddr);
}

function onLink(dev: NetDevice, addr: number): boolean {
  return in_dev_get(dev).ifa_list.some((ifa) => ((ifa.address ^ addr) & ifa.mask) === 0);
}

function unreachable(net: Net, lo: NetDevice, dev: NetDevice, err: string): Rtable {
  const rt = mkrt(net, RTN_UNREACHABLE, 0, lo, dev.ifindex, null, 'ip_error', 0);
  rt.error = err;
  return rt;
}

/** ip_route_output_key: route a locally generated packet; fills fl.saddr. */
export function ip_route_output_key(net: Net, fl: Flowi4): Rtable | RouteErr {
  const lo = net.dev_get_by_index(1)!;
  let devOut: NetDevice | null = null;
  if (fl.saddr) {
    if (ipv4_is_multicast(fl.saddr) || ipv4_is_lbcast(fl.saddr) || ipv4_is_zeronet(fl.saddr)) return { err: 'EINVAL' };
    if (!ip_dev_find(net, fl.saddr)) return { err: 'EINVAL' };
  }
  if (fl.oif) {
    devOut = net.dev_get_by_index(fl.oif) ?? null;
    if (!devOut) return { err: 'ENODEV' };
    if (!devOut.up) return { err: 'ENETUNREACH' };
    if (ipv4_is_lbcast(fl.daddr) || ipv4_is_multicast(fl.daddr)) {
      if (!fl.saddr) fl.saddr = inet_select_addr(net, devOut, 0, RT_SCOPE_LINK);
      return finishOut(net, fl, null, devOut, 0);
    }
  }
  if (!fl.daddr) {
    fl.daddr = fl.saddr || 0x7f000001;
    if (!fl.saddr) fl.saddr = 0x7f000001;
    return mkrt(net, RTN_LOCAL, RTCF_LOCAL, lo, 0, null, 'ip_local_deliver', fl.daddr);
  }
  if (ipv4_is_lbcast(fl.daddr)) {
    // Limited broadcast without an interface: needs a route to pick one.
  }
  const res = net.fib.lookup(fl.daddr, RT_SCOPE_UNIVERSE, fl.oif);
  trace_fib(net, fl.daddr, fl.saddr, 1, fl.oif ?? 0, fl.proto ?? 0, res, res ? null : 'ENETUNREACH');
  if (!res) {
    if (fl.oif && devOut) {
      // Assume on-link when the caller named the interface.
      if (!fl.saddr) fl.saddr = inet_select_addr(net, devOut, 0, RT_SCOPE_LINK);
      return finishOut(net, fl, null, devOut, 0);
    }
    return { err: 'ENETUNREACH' };
  }
  const perr = FIB_PROPS_ERROR[res.type];
  if (perr) return { err: perr };
  if (res.type === RTN_LOCAL) {
    if (!fl.saddr) fl.saddr = res.fa.prefsrc || fl.daddr;
    fl.oif = lo.ifindex;
    return mkrt(net, RTN_LOCAL, RTCF_LOCAL, lo, 0, res, 'ip_local_deliver', fl.daddr);
  }
  devOut = res.fa.nh.dev!;
  if (!fl.saddr) fl.saddr = fib_result_prefsrc(net, res);
  return finishOut(net, fl, res, devOut, 0);
}

/** __mkroute_output. */
function finishOut(net: Net, fl: Flowi4, res: FibResult | null, dev: NetDevice, flags: number): Rtable {
  let type = res ? res.type : RTN_UNICAST;
  if (ipv4_is_lbcast(fl.daddr)) type = RTN_BROADCAST;
  else if (ipv4_is_multicast(fl.daddr)) type = RTN_MULTICAST;
  if (dev.isLoopback) flags |= RTCF_LOCAL;
  if (type === RTN_BROADCAST) {
    flags |= RTCF_BROADCAST | RTCF_LOCAL;
    res = res && res.type === RTN_BROADCAST ? res : null;
  } else if (type === RTN_MULTICAST) flags |= RTCF_MULTICAST | RTCF_LOCAL;
  return mkrt(net, type, flags, dev, 0, res, 'ip_local_deliver', fl.daddr);
}

/** fib_result_prefsrc: the route's src, else the nexthop device's address. */
export function fib_result_prefsrc(net: Net, res: FibResult): number {
  if (res.fa.prefsrc) return res.fa.prefsrc;
  const scope = res.fa.nh.gw ? RT_SCOPE_LINK : res.fa.scope === RT_SCOPE_HOST ? RT_SCOPE_HOST : RT_SCOPE_LINK;
  return inet_select_addr(net, res.fa.nh.dev, res.fa.nh.gw, res.fa.nh.gw ? RT_SCOPE_UNIVERSE : scope);
}

/** dst_mtu for an IPv4 route (ipv4_mtu): a learnt PMTU, a route mtu metric, or the device MTU. */
export function dst_mtu(net: Net, rt: Rtable): number {
  return ip_dst_mtu_maybe_forward(net, rt, false);
}

/** ip_dst_mtu_maybe_forward: forwarding ignores learnt PMTUs unless
 * ip_forward_use_pmtu is set (RFC 1191's routers use their link MTU). */
export function ip_dst_mtu_maybe_forward(net: Net, rt: Rtable, forwarding: boolean): number {
  let mtu = 0;
  if (!forwarding || net.sysctl.hot().ip_forward_use_pmtu) {
    if (rt.pmtu && rt.pmtuExpires > net.engine.now) mtu = rt.pmtu;
  }
  if (!mtu) mtu = rt.res?.fa.mtu || rt.dev.mtu;
  return Math.min(mtu, 0xffff);
}

/** ip_skb_dst_mtu: IP_PMTUDISC_PROBE sockets use the device MTU. */
export function ip_skb_dst_mtu(net: Net, skb: { sk: any; cb: Record<string, number> }, rt: Rtable): number {
  if (skb.sk && skb.sk.pmtudisc === 'probe') return Math.min(rt.dev.mtu, 0xffff);
  return ip_dst_mtu_maybe_forward(net, rt, !!skb.cb.forwarded);
}

/** __ip_rt_update_pmtu: remember a smaller path MTU for ip_rt_mtu_expires
 * in a nexthop exception (fib_nh_exception), as update_or_create_fnhe. */
export function ip_rt_update_pmtu(net: Net, rt: Rtable, daddr: number, mtu: number): void {
  if (!rt.res) return;
  const old = dst_mtu(net, rt);
  if (old < mtu) return;
  const min = net.sysctlInt('net.ipv4.route.min_pmtu');
  let lock = false;
  if (mtu < min) {
    lock = true;
    mtu = Math.min(old, min);
  }
  const mtuExpires = net.sysctlInt('net.ipv4.route.mtu_expires') * 1e9;
  if (rt.pmtu === mtu && !lock && net.engine.now < rt.pmtuExpires - mtuExpires / 2) return;
  const expires = net.engine.now + mtuExpires;
  rt.res.fa.nh.exceptions.set(daddr, { pmtu: mtu, expires, lock });
  rt.pmtu = mtu;
  rt.pmtuExpires = expires;
}

export { RT_SCOPE_LINK };
