// net/ipv4/ip_input.c: ip_rcv's header checks, the routing decision, and
// local delivery to raw sockets and the transport protocols.
import type { Net } from '../net_namespace.js';
import type { NetDevice } from '../core/netdevice.js';
import { type SkBuff, kfree_skb, consume_skb, PACKET_OTHERHOST } from '../core/skbuff.js';
import { ip_fast_csum } from '../wire/checksum.js';
import { iph, IPPROTO_ICMP, IPPROTO_UDP, IPPROTO_TCP, IP_MF, IP_OFFSET } from '../wire/ip.js';
import { NF_HOOK, NF_INET_LOCAL_IN, NF_INET_PRE_ROUTING } from '../netfilter/core.js';
import { ip_route_input, type Rtable, RTCF_BROADCAST, RTCF_MULTICAST } from './route.js';
import { RTN_BROADCAST, RTN_MULTICAST } from './fib.js';
import { ip_forward } from './ip_forward.js';
import { icmp_rcv, icmp_send } from './icmp.js';
import { udp_rcv } from './udp.js';
import { raw_local_deliver } from './raw.js';
import { ip_defrag } from './ip_fragment.js';
import { ip_rcv_options } from './ip_options.js';
import { IP_INC_STATS, IP_EXT_INC_STATS } from '../snmp_stats.js';
import { IPSTATS_MIB } from '../mib.js';
import { ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, ICMP_NET_UNREACH, ICMP_PROT_UNREACH, ICMP_PKT_FILTERED } from '../wire/icmp.js';
import { COST } from '../../kernel/costs.js';
import { IN_DEV_FORWARD } from './devinet.js';
import { tcp_v4_rcv_hook } from './protocol.js';
import { SYSCTL_HZ } from '../../kernel/sysctl_defaults.js';

/** ip_rcv: validate the header (ip_rcv_core), then PRE_ROUTING. Consumes skb. */
export function ip_rcv(net: Net, skb: SkBuff, dev: NetDevice): void {
  net.spend(COST.ip_rcv);
  net.tracer.fn(skb, 'ip_rcv');
  if (skb.pkt_type === PACKET_OTHERHOST) {
    kfree_skb(skb, 'OTHERHOST', 'ip_rcv_core');
    return;
  }
  const mib = net.mib.ip;
  mib[IPSTATS_MIB.IPSTATS_MIB_INPKTS]++;
  mib[IPSTATS_MIB.IPSTATS_MIB_INOCTETS] += skb.len;
  const b = skb.buf;
  const o = skb.data;
  if (skb.len < 20 || iph.ihl(b, o) < 5 || iph.version(b, o) !== 4) return inhdr_error(net, skb, 'IP_INHDR');
  // The ECN class is counted before the whole header is known to be there
  // (InNoECTPkts, InECT1Pkts, InECT0Pkts, InCEPkts follow each other).
  mib[IPSTATS_MIB.IPSTATS_MIB_NOECTPKTS + (iph.tos(b, o) & 3)]++;
  if (skb.len < iph.ihl(b, o) * 4) return inhdr_error(net, skb, 'IP_INHDR');
  if (ip_fast_csum(b, o, iph.ihl(b, o)) !== 0) {
    IP_EXT_INC_STATS(net, 'InCsumErrors');
    return inhdr_error(net, skb, 'IP_CSUM');
  }
  const len = iph.tot_len(b, o);
  if (skb.len < len) {
    IP_EXT_INC_STATS(net, 'InTruncatedPkts');
    kfree_skb(skb, 'PKT_TOO_SMALL', 'ip_rcv_core');
    return;
  }
  if (len < iph.ihl(b, o) * 4) return inhdr_error(net, skb, 'IP_INHDR');
  skb.skb_trim(len); // strip Ethernet padding
  skb.transport_header = o + iph.ihl(b, o) * 4;
  // No hook registered (nf_hook_entries_head empty): straight on, as NF_HOOK would.
  if (!net.nf_hooks[NF_INET_PRE_ROUTING].length) ip_rcv_finish(net, skb, dev);
  else ip_rcv_hook(net, skb, dev);
}

// The hooks' paths are apart from the hot functions: a closure there would
// have those allocate its context on every call, hooks or not.
function ip_rcv_hook(net: Net, skb: SkBuff, dev: NetDevice): void {
  NF_HOOK(net, NF_INET_PRE_ROUTING, skb, dev, null, (s) => ip_rcv_finish(net, s, dev));
}

function inhdr_error(net: Net, skb: SkBuff, reason: 'IP_INHDR' | 'IP_CSUM'): void {
  IP_INC_STATS(net, 'InHdrErrors');
  kfree_skb(skb, reason, 'ip_rcv_core');
}

/** ip_rcv_finish: route the packet and follow its dst's input function. */
export function ip_rcv_finish(net: Net, skb: SkBuff, dev: NetDevice): void {
  const b = skb.buf;
  const o = skb.network_header;
  if (!skb.dst) {
    const rt = ip_route_input(net, iph.daddr(b, o), iph.saddr(b, o), iph.tos(b, o), dev);
    if ('err' in rt) {
      // ip_rcv_finish_core's drop_error: martians count in no SNMP counter.
      kfree_skb(skb, 'IP_INVALID_SOURCE', 'ip_route_input_slow');
      return;
    }
    skb.dst = rt;
  }
  if (iph.ihl(b, o) > 5 && ip_rcv_options(net, skb, dev)) {
    kfree_skb(skb, 'NOT_SPECIFIED', 'ip_rcv_options');
    return;
  }
  const rt: Rtable = skb.dst;
  if (rt.type === RTN_MULTICAST) IP_EXT_INC_STATS(net, 'InMcastPkts');
  else if (rt.type === RTN_BROADCAST) IP_EXT_INC_STATS(net, 'InBcastPkts');
  switch (rt.input) {
    case 'ip_local_deliver':
      return ip_local_deliver(net, skb);
    case 'ip_forward':
      return ip_forward(net, skb);
    case 'ip_error':
      return ip_error(net, skb);
    default:
      kfree_skb(skb, 'NOT_SPECIFIED', 'dst_discard');
  }
}

/** ip_error: the route said unreachable. Count it, maybe tell the sender. */
function ip_error(net: Net, skb: SkBuff): void {
  const rt: Rtable = skb.dst;
  const dev = skb.dev!;
  net.tracer.fn(skb, 'ip_error', rt.error ?? '');
  if (!IN_DEV_FORWARD(net, dev)) {
    if (rt.error === 'EHOSTUNREACH') {
      IP_INC_STATS(net, 'InAddrErrors');
      kfree_skb(skb, 'IP_INADDRERRORS', 'ip_error');
    } else {
      IP_EXT_INC_STATS(net, 'InNoRoutes');
      kfree_skb(skb, 'IP_INNOROUTES', 'ip_error');
    }
    return;
  }
  let code: number;
  let reason: 'IP_INADDRERRORS' | 'IP_INNOROUTES' | 'NOT_SPECIFIED' = 'NOT_SPECIFIED';
  switch (rt.error) {
    case 'EHOSTUNREACH':
      code = ICMP_HOST_UNREACH;
      break;
    case 'ENETUNREACH':
      code = ICMP_NET_UNREACH;
      reason = 'IP_INNOROUTES';
      IP_EXT_INC_STATS(net, 'InNoRoutes');
      break;
    case 'EACCES':
      code = ICMP_PKT_FILTERED;
      break;
    default:
      kfree_skb(skb, 'NOT_SPECIFIED', 'ip_error');
      return;
  }
  // Token bucket per source (ip_rt_error_cost, ip_rt_error_burst), in the inet_peer.
  const saddr = iph.saddr(skb.buf, skb.network_header);
  if (ip_error_ratelimit(net, saddr)) icmp_send(net, skb, ICMP_DEST_UNREACH, code, 0);
  kfree_skb(skb, reason, 'ip_error');
}

function ip_error_ratelimit(net: Net, saddr: number): boolean {
  // ip_rt_error_cost / ip_rt_error_burst are in jiffies; the bucket is the
  // inet_peer's rate_tokens, shared with the ICMP per-host limit.
  const jiffy = 1e9 / SYSCTL_HZ;
  const cost = net.sysctlInt('net.ipv4.route.error_cost') * jiffy;
  const burst = net.sysctlInt('net.ipv4.route.error_burst') * jiffy;
  const peer = inet_getpeer(net, saddr);
  const now = net.engine.now;
  peer.rate_tokens = Math.min(burst, peer.rate_tokens + (now - peer.rate_last));
  peer.rate_last = now;
  if (peer.rate_tokens >= cost) {
    peer.rate_tokens -= cost;
    return true;
  }
  return false;
}

/** inet_getpeer_v4: per-destination long-lived state (rate limits). */
export function inet_getpeer(net: Net, addr: number) {
  let p = net.ipv4.peers.get(addr);
  if (!p) {
    // rate_last starts 60 s in the past so the first bucket is full.
    const now = net.engine.now;
    p = { rate_tokens: 0, rate_last: now - 60e9 };
    net.ipv4.peers.set(addr, p);
  }
  return p;
}

/** ip_local_deliver: reassemble fragments, then LOCAL_IN. */
export function ip_local_deliver(net: Net, skb: SkBuff): void {
  net.tracer.fn(skb, 'ip_local_deliver');
  const b = skb.buf;
  const o = skb.network_header;
  if (iph.frag_off(b, o) & (IP_MF | IP_OFFSET)) {
    const whole = ip_defrag(net, skb);
    if (!whole) return;
    skb = whole;
  }
  if (!net.nf_hooks[NF_INET_LOCAL_IN].length) ip_local_deliver_finish(net, skb);
  else ip_local_deliver_hook(net, skb);
}

function ip_local_deliver_hook(net: Net, skb: SkBuff): void {
  NF_HOOK(net, NF_INET_LOCAL_IN, skb, skb.dev, null, (s) => ip_local_deliver_finish(net, s));
}

/** ip_local_deliver_finish / ip_protocol_deliver_rcu. */
function ip_local_deliver_finish(net: Net, skb: SkBuff): void {
  const b = skb.buf;
  const o = skb.network_header;
  const protocol = iph.protocol(b, o);
  skb.skb_pull(iph.ihl(b, o) * 4);
  skb.skb_reset_transport_header();
  const raw = raw_local_deliver(net, skb, protocol);
  switch (protocol) {
    case IPPROTO_ICMP:
      icmp_rcv(net, skb);
      break;
    case IPPROTO_UDP:
      udp_rcv(net, skb);
      break;
    default:
      if (protocol === IPPROTO_TCP && tcp_v4_rcv_hook.fn) {
        tcp_v4_rcv_hook.fn(net, skb);
        break;
      }
      if (!raw) {
        IP_INC_STATS(net, 'InUnknownProtos');
        icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, 0);
        kfree_skb(skb, 'IP_NOPROTO', 'ip_protocol_deliver_rcu');
      } else {
        IP_INC_STATS(net, 'InDelivers');
        consume_skb(skb, 'ip_protocol_deliver_rcu');
      }
      return;
  }
  net.mib.ip[IPSTATS_MIB.IPSTATS_MIB_INDELIVERS]++;
}

export { RTCF_BROADCAST, RTCF_MULTICAST };
