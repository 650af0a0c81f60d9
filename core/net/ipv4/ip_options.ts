// net/ipv4/ip_options.c and ip_rcv_options (ip_input.c): validate the options
// of a received IPv4 header. A bad option is answered with a parameter
// problem pointing at it and counted in InHdrErrors; a source route is
// refused unless accept_source_route is set on `all` and the device.
// Options are validated, not acted on: record-route and timestamp slots are
// not filled in, and an accepted source route is only followed as far as
// the local hops (ip_options_rcv_srr), without rewriting the header.
import type { Net } from '../net_namespace.js';
import type { NetDevice } from '../core/netdevice.js';
import { type SkBuff, PACKET_HOST } from '../core/skbuff.js';
import { iph } from '../wire/ip.js';
import { ICMP_PARAMETERPROB } from '../wire/icmp.js';
import { icmp_send } from './icmp.js';
import { ip_route_input, type Rtable } from './route.js';
import { RTN_LOCAL, RTN_UNICAST } from './fib.js';
import { IP_INC_STATS } from '../snmp_stats.js';

export const IPOPT_END = 0;
export const IPOPT_NOOP = 1;
export const IPOPT_RR = 7;
export const IPOPT_TIMESTAMP = 68;
export const IPOPT_LSRR = 131;
export const IPOPT_SSRR = 137;
export const IPOPT_RA = 148;
export const IPOPT_CIPSO = 134;
const IPOPT_TS_PRESPEC = 3;

/** struct ip_options, the parts received packets use (offsets from the IP header). */
export interface IpOptions {
  optlen: number;
  srr: number;
  rr: number;
  ts: number;
  router_alert: number;
  cipso: number;
  is_strictroute: boolean;
}

/**
 * __ip_options_compile for a received packet (skb set): returns the parsed
 * options, or the offset from the IP header of the offending byte.
 */
export function __ip_options_compile(b: Uint8Array, nh: number): IpOptions | { pp: number } {
  const opt: IpOptions = { optlen: iph.ihl(b, nh) * 4 - 20, srr: 0, rr: 0, ts: 0, router_alert: 0, cipso: 0, is_strictroute: false };
  let p = nh + 20;
  const err = (at: number) => ({ pp: at - nh });
  for (let l = opt.optlen; l > 0; ) {
    const t = b[p];
    if (t === IPOPT_END) break;
    if (t === IPOPT_NOOP) {
      l--;
      p++;
      continue;
    }
    if (l < 2) return err(p);
    const optlen = b[p + 1];
    if (optlen < 2 || optlen > l) return err(p);
    switch (t) {
      case IPOPT_SSRR:
      case IPOPT_LSRR:
        if (optlen < 3) return err(p + 1);
        if (b[p + 2] < 4) return err(p + 2);
        if (opt.srr) return err(p); // RFC 1812 5.2.4.1: one source route only
        opt.is_strictroute = t === IPOPT_SSRR;
        opt.srr = p - nh;
        break;
      case IPOPT_RR:
        if (opt.rr) return err(p);
        if (optlen < 3) return err(p + 1);
        if (b[p + 2] < 4) return err(p + 2);
        if (b[p + 2] <= optlen && b[p + 2] + 3 > optlen) return err(p + 2);
        opt.rr = p - nh;
        break;
      case IPOPT_TIMESTAMP:
        if (opt.ts) return err(p);
        if (optlen < 4) return err(p + 1);
        if (b[p + 2] < 5) return err(p + 2);
        if (b[p + 2] <= optlen) {
          if (b[p + 2] + 3 > optlen) return err(p + 2);
          const flag = b[p + 3] & 0xf;
          if ((flag === 1 || flag === IPOPT_TS_PRESPEC) && b[p + 2] + 7 > optlen) return err(p + 2);
        } else if ((b[p + 3] & 0xf) !== IPOPT_TS_PRESPEC && b[p + 3] >> 4 === 15) return err(p + 3); // overflow counter full
        opt.ts = p - nh;
        break;
      case IPOPT_RA:
        if (optlen < 4) return err(p + 1);
        if (b[p + 2] === 0 && b[p + 3] === 0) opt.router_alert = p - nh;
        break;
      case IPOPT_CIPSO:
        // cipso_v4_validate is not modelled: a second CIPSO option is the error we see.
        if (opt.cipso) return err(p);
        opt.cipso = p - nh;
        break;
      default:
        break; // unknown options are accepted on received packets
    }
    l -= optlen;
    p += optlen;
  }
  return opt;
}

/** IN_DEV_SOURCE_ROUTE: IN_DEV_ANDCONF, i.e. set on `all` and on the device. */
function IN_DEV_SOURCE_ROUTE(net: Net, dev: NetDevice): boolean {
  return net.sysctlInt('net.ipv4.conf.all.accept_source_route') !== 0 && net.sysctlInt(`net.ipv4.conf.${dev.name}.accept_source_route`) !== 0;
}

/** ip_rcv_options: true when the packet must be dropped (already counted). */
export function ip_rcv_options(net: Net, skb: SkBuff, dev: NetDevice): boolean {
  const b = skb.buf;
  const nh = skb.network_header;
  const opt = __ip_options_compile(b, nh);
  if ('pp' in opt) {
    // ip_options_compile: tell the sender where, then ip_rcv_options counts it.
    icmp_send(net, skb, ICMP_PARAMETERPROB, 0, (opt.pp << 24) >>> 0);
    IP_INC_STATS(net, 'InHdrErrors');
    return true;
  }
  if (opt.srr) {
    if (!IN_DEV_SOURCE_ROUTE(net, dev)) return true;
    if (ip_options_rcv_srr(net, skb, dev, opt)) return true;
  }
  return false;
}

/** ip_options_rcv_srr: follow the source route through our own addresses. Nonzero: drop. */
function ip_options_rcv_srr(net: Net, skb: SkBuff, dev: NetDevice, opt: IpOptions): number {
  const rt: Rtable | null = skb.dst;
  if (!rt) return 0;
  if (skb.pkt_type !== PACKET_HOST) return -1;
  const b = skb.buf;
  const nh = skb.network_header;
  if (rt.type === RTN_UNICAST) {
    if (!opt.is_strictroute) return 0;
    icmp_send(net, skb, ICMP_PARAMETERPROB, 0, (16 << 24) >>> 0);
    return -1;
  }
  if (rt.type !== RTN_LOCAL) return -1;
  const o = nh + opt.srr;
  const space = b[o + 1];
  for (let ptr = b[o + 2]; ptr <= space; ptr += 4) {
    if (ptr + 3 > space) {
      icmp_send(net, skb, ICMP_PARAMETERPROB, 0, ((opt.srr + 2) << 24) >>> 0);
      return -1;
    }
    const nexthop = ((b[o + ptr - 1] << 24) | (b[o + ptr] << 16) | (b[o + ptr + 1] << 8) | b[o + ptr + 2]) >>> 0;
    const rt2 = ip_route_input(net, nexthop, iph.saddr(b, nh), iph.tos(b, nh), dev);
    if ('err' in rt2 || (rt2.type !== RTN_UNICAST && rt2.type !== RTN_LOCAL)) return -1;
    skb.dst = rt2;
    if (rt2.type !== RTN_LOCAL) break;
  }
  return 0;
}
