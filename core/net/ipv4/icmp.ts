// net/ipv4/icmp.c: receiving ICMP (echo, errors), answering echo requests,
// and sending errors with Linux's rate limits: a global token bucket
// (icmp_msgs_per_sec / icmp_msgs_burst, with a random cost of 0-2 credits)
// and a per-destination bucket (icmp_ratelimit, burst of 6) for the types in
// icmp_ratemask.
import type { Net } from '../net_namespace.js';
import { type SkBuff, consume_skb, kfree_skb, PACKET_HOST } from '../core/skbuff.js';
import type { DropReason } from '../core/dropreason.js';
import { iph, IPPROTO_ICMP, IPPROTO_UDP, IPTOS_PREC_INTERNETCONTROL, IP_OFFSET, put16, put32 } from '../wire/ip.js';
import { csum_fold, csum_partial } from '../wire/checksum.js';
import * as I from '../wire/icmp.js';
import { type Rtable, ip_route_output_key, dst_mtu, ip_rt_update_pmtu, RTCF_BROADCAST, RTCF_MULTICAST, RTCF_LOCAL } from './route.js';
import { ip_alloc_skb, ip_local_out } from './ip_output.js';
import { inet_getpeer } from './ip_input.js';
import { raw_icmp_error } from './raw.js';
import { udp_err } from './udp.js';
import { icmp_err_hooks } from './protocol_err.js';
import { ICMP_INC_STATS, ICMPMSG_INC_STATS } from '../snmp_stats.js';
import { inet_select_addr, in_dev_get } from './devinet.js';
import { RT_SCOPE_LINK } from './fib.js';
import { COST } from '../../kernel/costs.js';

const XRLIM_BURST_FACTOR = 6;
const NR_ICMP_UNREACH = 15;
const ICMP_EXT_ECHO = 42;
const ICMP_EXT_ECHOREPLY = 43;
const IPPROTO_RAW = 255;

/** The 32 bits after type, code and checksum (icmph->un.gateway, host order). */
function icmp_un(b: Uint8Array, o: number): number {
  return ((b[o + 4] << 24) | (b[o + 5] << 16) | (b[o + 6] << 8) | b[o + 7]) >>> 0;
}
const HZ_NS = 1e9;

/** Which types are errors (icmp_pointers[type].error). */
function icmp_is_error(type: number): boolean {
  return type === I.ICMP_DEST_UNREACH || type === I.ICMP_SOURCE_QUENCH || type === I.ICMP_REDIRECT || type === I.ICMP_TIME_EXCEEDED || type === I.ICMP_PARAMETERPROB;
}

/** icmp_err_convert: errno and whether it is a hard error, per unreach code. */
const UNREACH_ERR: [string, boolean][] = [
  ['ENETUNREACH', false],
  ['EHOSTUNREACH', false],
  ['ENOPROTOOPT', true],
  ['ECONNREFUSED', true],
  ['EMSGSIZE', false],
  ['EOPNOTSUPP', false],
  ['ENETUNREACH', true],
  ['EHOSTDOWN', true],
  ['ENONET', true],
  ['ENETUNREACH', true],
  ['EHOSTUNREACH', true],
  ['ENETUNREACH', false],
  ['EHOSTUNREACH', false],
  ['EHOSTUNREACH', true],
  ['EHOSTUNREACH', true],
  ['EHOSTUNREACH', true],
];

export function icmp_err_convert(type: number, code: number): { err: string; fatal: boolean } {
  if (type === I.ICMP_DEST_UNREACH && code < UNREACH_ERR.length) return { err: UNREACH_ERR[code][0], fatal: UNREACH_ERR[code][1] };
  if (type === I.ICMP_TIME_EXCEEDED) return { err: 'EHOSTUNREACH', fatal: false };
  if (type === I.ICMP_PARAMETERPROB) return { err: 'EPROTO', fatal: true };
  return { err: 'EHOSTUNREACH', fatal: false };
}

// ---- receive --------------------------------------------------------------------

/** icmp_rcv. Consumes skb (data at the ICMP header). */
export function icmp_rcv(net: Net, skb: SkBuff): void {
  net.spend(COST.icmp);
  net.tracer.fn(skb, 'icmp_rcv');
  ICMP_INC_STATS(net, 'InMsgs');
  const b = skb.buf;
  const o = skb.data;
  // skb_checksum_simple_validate runs before the header pull.
  if (csum_fold(csum_partial(b, o, skb.len)) !== 0) {
    ICMP_INC_STATS(net, 'InCsumErrors');
    return icmp_error_drop(net, skb, 'ICMP_CSUM');
  }
  if (skb.len < I.ICMP_HLEN) return icmp_error_drop(net, skb, 'NOT_SPECIFIED');
  const type = I.icmph.type(b, o);
  ICMPMSG_INC_STATS(net, 'In', type);
  // PROBE (RFC 8335) is looked at before the type check: icmp_echo ->
  // icmp_build_probe, which is off by default (icmp_echo_enable_probe=0) and
  // not modelled when on; its reply goes to ping_rcv, with no socket here.
  if (type === ICMP_EXT_ECHO) return consume_skb(skb, 'icmp_rcv');
  if (type === ICMP_EXT_ECHOREPLY) return kfree_skb(skb, 'NO_SOCKET', 'icmp_rcv');
  if (type > I.NR_ICMP_TYPES) return icmp_error_drop(net, skb, 'UNHANDLED_PROTO');
  const rt: Rtable = skb.dst;
  if (rt && rt.flags & (RTCF_BROADCAST | RTCF_MULTICAST)) {
    if ((type === I.ICMP_ECHO || type === I.ICMP_TIMESTAMP) && net.sysctlInt('net.ipv4.icmp_echo_ignore_broadcasts')) return icmp_error_drop(net, skb, 'INVALID_PROTO');
    if (type !== I.ICMP_ECHO && type !== I.ICMP_TIMESTAMP && type !== 17 && type !== 18) return icmp_error_drop(net, skb, 'INVALID_PROTO');
  }
  let reason: DropReason | null = null;
  switch (type) {
    case I.ICMP_ECHO:
      icmp_echo(net, skb);
      break;
    case I.ICMP_ECHOREPLY:
      // ping_rcv: only ping (datagram ICMP) sockets; raw sockets already have their copy.
      reason = 'NO_SOCKET';
      break;
    case I.ICMP_DEST_UNREACH:
    case I.ICMP_TIME_EXCEEDED:
    case I.ICMP_PARAMETERPROB:
    case I.ICMP_SOURCE_QUENCH:
      reason = icmp_unreach(net, skb);
      break;
    case I.ICMP_REDIRECT:
      reason = icmp_redirect(net, skb);
      break;
    case I.ICMP_TIMESTAMP:
      reason = icmp_timestamp(net, skb);
      break;
    default:
      break;
  }
  if (reason) kfree_skb(skb, reason, 'icmp_rcv');
  else consume_skb(skb, 'icmp_rcv');
}

function icmp_error_drop(net: Net, skb: SkBuff, reason: DropReason): void {
  ICMP_INC_STATS(net, 'InErrors');
  kfree_skb(skb, reason, 'icmp_rcv');
}

/** icmp_unreach / icmp_socket_deliver: tell the socket that sent the packet. */
function icmp_unreach(net: Net, skb: SkBuff): DropReason | null {
  const b = skb.buf;
  const o = skb.data;
  const type = I.icmph.type(b, o);
  const code = I.icmph.code(b, o);
  const inner = o + I.ICMP_HLEN;
  if (skb.tail - inner < 20) {
    ICMP_INC_STATS(net, 'InErrors');
    return 'NOT_SPECIFIED';
  }
  if (iph.ihl(b, inner) < 5) {
    ICMP_INC_STATS(net, 'InErrors'); // mangled quoted header
    return 'IP_INHDR';
  }
  // Unknown unreachable codes and reassembly timeouts go no further.
  if (type === I.ICMP_DEST_UNREACH && code > NR_ICMP_UNREACH) return null;
  if (type === I.ICMP_TIME_EXCEEDED && code === I.ICMP_EXC_FRAGTIME) return null;
  let info = 0;
  if (type === I.ICMP_DEST_UNREACH && code === I.ICMP_FRAG_NEEDED) {
    info = I.icmph.frag_mtu(b, o);
    // ipv4_update_pmtu for the destination of the quoted packet.
    const daddr = iph.daddr(b, inner);
    const fl = { daddr, saddr: 0, oif: 0, tos: 0, scope: 0, proto: 0 };
    const rt = ip_route_output_key(net, fl);
    if (!('err' in rt)) ip_rt_update_pmtu(net, rt, daddr, info);
  }
  if (type === I.ICMP_PARAMETERPROB) info = icmp_un(b, o) >>> 24;
  icmp_socket_deliver(net, skb, inner, type, code, info);
  return null;
}

/** icmp_socket_deliver: hand the error to the protocol of the quoted packet,
 * which needs its IP header and 8 bytes of its own header. */
function icmp_socket_deliver(net: Net, skb: SkBuff, inner: number, type: number, code: number, info: number): void {
  const b = skb.buf;
  const protocol = iph.protocol(b, inner);
  if (skb.tail - inner < iph.ihl(b, inner) * 4 + 8 || protocol === IPPROTO_RAW) {
    ICMP_INC_STATS(net, 'InErrors');
    return;
  }
  const { err } = icmp_err_convert(type, code);
  raw_icmp_error(net, skb, inner, protocol, err, type, code, info);
  if (protocol === IPPROTO_UDP) udp_err(net, skb, inner, type, code, info);
  else icmp_err_hooks[protocol]?.(net, skb, inner, type, code, info);
}

/** icmp_redirect: the quoted header must be there; routes are not changed here. */
function icmp_redirect(net: Net, skb: SkBuff): DropReason | null {
  const inner = skb.data + I.ICMP_HLEN;
  if (skb.tail - inner < 20) {
    ICMP_INC_STATS(net, 'InErrors');
    return 'PKT_TOO_SMALL';
  }
  icmp_socket_deliver(net, skb, inner, I.ICMP_REDIRECT, I.icmph.code(skb.buf, skb.data), icmp_un(skb.buf, skb.data));
  return null;
}

/** icmp_timestamp: answer with the originate time and ours (ms since
 * midnight UT; the simulated clock starts at midnight). */
function icmp_timestamp(net: Net, skb: SkBuff): DropReason | null {
  const b = skb.buf;
  const o = skb.data;
  if (skb.len - I.ICMP_HLEN < 4) {
    ICMP_INC_STATS(net, 'InErrors');
    return 'PKT_TOO_SMALL';
  }
  const rt: Rtable = skb.dst;
  const nh = skb.network_header;
  const fl = { daddr: iph.saddr(b, nh), saddr: iph.daddr(b, nh), oif: 0, tos: iph.tos(b, nh), scope: 0, proto: IPPROTO_ICMP };
  if (rt.flags & (RTCF_BROADCAST | RTCF_MULTICAST)) fl.saddr = inet_select_addr(net, skb.dev, fl.daddr, RT_SCOPE_LINK);
  const ort = ip_route_output_key(net, fl);
  if ('err' in ort) return null;
  const ms = Math.floor(net.now() / 1e6) % 86_400_000;
  const rest = new Uint8Array(16);
  rest.set(b.subarray(o + 4, o + 8), 0); // identifier and sequence
  rest.set(b.subarray(o + 8, o + 12), 4); // originate timestamp
  put32(rest, 8, ms);
  put32(rest, 12, ms);
  icmp_push_reply(net, ort, fl.saddr, fl.daddr, iph.tos(b, nh), I.ICMP_TIMESTAMPREPLY, 0, rest, true);
  return null;
}

/** icmp_echo / icmp_reply: answer with the same id, sequence and data. */
function icmp_echo(net: Net, skb: SkBuff): void {
  if (net.sysctlInt('net.ipv4.icmp_echo_ignore_all')) return;
  const b = skb.buf;
  const nh = skb.network_header;
  const rt: Rtable = skb.dst;
  const daddr = iph.saddr(b, nh);
  // fib_compute_spec_dst: the address the request was sent to, if local.
  let saddr = iph.daddr(b, nh);
  if (rt.flags & (RTCF_BROADCAST | RTCF_MULTICAST)) saddr = inet_select_addr(net, skb.dev, daddr, RT_SCOPE_LINK);
  const fl = { daddr, saddr, oif: 0, tos: iph.tos(b, nh), scope: 0, proto: IPPROTO_ICMP };
  const ort = ip_route_output_key(net, fl);
  if ('err' in ort) return;
  icmp_push_reply(net, ort, fl.saddr, daddr, iph.tos(b, nh), I.ICMP_ECHOREPLY, 0, b.subarray(skb.data + 4, skb.tail), true);
}

// ---- send -----------------------------------------------------------------------

/** icmp_send (__icmp_send): send an error about skb_in (network header set). */
export function icmp_send(net: Net, skb_in: SkBuff, type: number, code: number, info: number): void {
  const rt0: Rtable | null = skb_in.dst;
  if (!rt0) return;
  const b = skb_in.buf;
  const nh = skb_in.network_header;
  if (nh < 0 || nh + 20 > skb_in.tail) return;
  if (skb_in.pkt_type !== PACKET_HOST) return;
  if (rt0.flags & (RTCF_BROADCAST | RTCF_MULTICAST)) return;
  if (iph.frag_off(b, nh) & IP_OFFSET) return;
  const ihl = iph.ihl(b, nh) * 4;
  if (icmp_is_error(type) && iph.protocol(b, nh) === IPPROTO_ICMP) {
    const it = nh + ihl < skb_in.tail ? b[nh + ihl] : 255;
    if (it > I.NR_ICMP_TYPES || icmp_is_error(it)) return;
  }
  let applyRatelimit = false;
  if (!(skb_in.dev && skb_in.dev.isLoopback)) {
    const g = icmpv4_global_allow(net, type, code);
    if (g === 'deny') return;
    applyRatelimit = g === 'limited';
  }
  let saddr = iph.daddr(b, nh);
  if (!(rt0.flags & RTCF_LOCAL)) {
    saddr = 0;
    if (rt0.iif && net.sysctlInt('net.ipv4.icmp_errors_use_inbound_ifaddr')) {
      const d = net.dev_get_by_index(rt0.iif);
      if (d) saddr = inet_select_addr(net, d, iph.saddr(b, nh), RT_SCOPE_LINK);
    }
  }
  const tos = icmp_is_error(type) ? (iph.tos(b, nh) & 0x1e) | IPTOS_PREC_INTERNETCONTROL : iph.tos(b, nh);
  const fl = { daddr: iph.saddr(b, nh), saddr, oif: 0, tos, scope: 0, proto: IPPROTO_ICMP };
  const rt = ip_route_output_key(net, fl);
  if ('err' in rt) return;
  if (applyRatelimit && !icmpv4_xrlim_allow(net, rt, fl.daddr)) return;
  let room = Math.min(dst_mtu(net, rt), 576) - 20 - I.ICMP_HLEN;
  if (room <= 20) return;
  const dataLen = Math.min(skb_in.tail - nh, room);
  const body = new Uint8Array(4 + dataLen);
  put32(body, 0, info >>> 0);
  if (type === I.ICMP_DEST_UNREACH && code === I.ICMP_FRAG_NEEDED) {
    put16(body, 0, 0);
    put16(body, 2, info);
  }
  body.set(b.subarray(nh, nh + dataLen), 4);
  net.tracer.fn(skb_in, 'icmp_send', `type ${type} code ${code}`);
  icmp_push_reply(net, rt, fl.saddr || 0xc0000008, fl.daddr, tos, type, code, body, false);
}

/** Build, count and send an ICMP message whose bytes after type/code/csum are `rest`. */
function icmp_push_reply(net: Net, rt: Rtable, saddr: number, daddr: number, tos: number, type: number, code: number, rest: Uint8Array, _reply: boolean): void {
  const { skb, off } = ip_alloc_skb(net, 4 + rest.length, {
    saddr,
    daddr,
    protocol: IPPROTO_ICMP,
    ttl: net.sysctlInt('net.ipv4.ip_default_ttl'),
    tos,
    df: false,
  });
  const p = skb.buf;
  p[off] = type;
  p[off + 1] = code;
  put16(p, off + 2, 0);
  p.set(rest, off + 4);
  put16(p, off + 2, csum_fold(csum_partial(p, off, 4 + rest.length)));
  // icmp_out_count
  ICMPMSG_INC_STATS(net, 'Out', type);
  ICMP_INC_STATS(net, 'OutMsgs');
  ip_local_out(net, skb, rt);
}

/** icmpv4_global_allow: 'free' (type not rate limited), 'limited' (allowed,
 * peer limit applies), or 'deny'. */
function icmpv4_global_allow(net: Net, type: number, code: number): 'free' | 'limited' | 'deny' {
  if (icmpv4_mask_allow(net, type, code)) return 'free';
  if (icmp_global_allow(net)) return 'limited';
  ICMP_INC_STATS(net, 'OutRateLimitGlobal');
  return 'deny';
}

function icmpv4_mask_allow(net: Net, type: number, code: number): boolean {
  if (type > I.NR_ICMP_TYPES) return true;
  if (type === I.ICMP_DEST_UNREACH && code === I.ICMP_FRAG_NEEDED) return true;
  return !((1 << type) & net.sysctlInt('net.ipv4.icmp_ratemask'));
}

/** icmp_global_allow: refill at most once per 20 ms, up to icmp_msgs_burst. */
function icmp_global_allow(net: Net): boolean {
  const s = net.ipv4;
  if (s.icmp_global_credit > 0) return true;
  const now = net.engine.now;
  const delta = Math.min(now - s.icmp_global_stamp, HZ_NS);
  if (delta < HZ_NS / 50) return false;
  const incr = Math.floor((net.sysctlInt('net.ipv4.icmp_msgs_per_sec') * delta) / HZ_NS);
  if (!incr) return false;
  s.icmp_global_stamp = now;
  s.icmp_global_credit = Math.min(s.icmp_global_credit + incr, net.sysctlInt('net.ipv4.icmp_msgs_burst'));
  return true;
}

/** icmpv4_xrlim_allow: per-destination token bucket (inet_peer_xrlim_allow). */
function icmpv4_xrlim_allow(net: Net, rt: Rtable, daddr: number): boolean {
  if (rt.dev.isLoopback) return true;
  const timeout = net.sysctlInt('net.ipv4.icmp_ratelimit') * 1e6;
  const peer = inet_getpeer(net, daddr);
  const now = net.engine.now;
  let token = peer.rate_tokens + (now - peer.rate_last);
  peer.rate_last = now;
  if (token > XRLIM_BURST_FACTOR * timeout) token = XRLIM_BURST_FACTOR * timeout;
  let rc = false;
  if (token >= timeout) {
    token -= timeout;
    rc = true;
  }
  peer.rate_tokens = token;
  if (!rc) ICMP_INC_STATS(net, 'OutRateLimitHost');
  else {
    // icmp_global_consume: a random 0..2 credits, so bursts are not exact.
    net.ipv4.icmp_global_credit -= net.prng.below(3);
  }
  return rc;
}

export { in_dev_get };
