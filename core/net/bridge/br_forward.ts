// net/bridge/br_forward.c: sending a frame out of one port (br_forward) or
// flooding it to every port that floods (br_flood): never back out of the
// port it came in on (unless hairpin), only through forwarding ports; all
// but the last get a clone. The bridge netfilter hooks (NF_BR_FORWARD,
// LOCAL_OUT, POST_ROUTING) have no rules here and pass.
import { type SkBuff, kfree_skb } from '../core/skbuff.js';
import { dev_queue_xmit } from '../core/dev.js';
import { ETH_HLEN } from '../wire/ethernet.js';
import { COST } from '../../kernel/costs.js';
import {
  type NetBridge,
  type NetBridgePort,
  BrPktType,
  BR_HAIRPIN_MODE,
  BR_STATE_FORWARDING,
  BR_FLOOD,
  BR_MCAST_FLOOD,
  BR_BCAST_FLOOD,
  BR_PROXYARP,
} from './br_private.js';

/** should_deliver: not back where it came from, and only when forwarding. */
function should_deliver(p: NetBridgePort, skb: SkBuff): boolean {
  return ((p.flags & BR_HAIRPIN_MODE) !== 0 || skb.dev !== p.dev) && p.state === BR_STATE_FORWARDING;
}

/** br_dev_queue_push_xmit: put the Ethernet header back and queue it on the
 * port device. Consumes skb. */
function br_dev_queue_push_xmit(skb: SkBuff): void {
  const dev = skb.dev!;
  skb.skb_push(ETH_HLEN);
  // is_skb_forwardable: up, and not longer than the port's MTU allows.
  if (!dev.up || skb.len > dev.mtu + dev.hard_header_len + 4) {
    kfree_skb(skb, 'NOT_SPECIFIED', 'br_dev_queue_push_xmit');
    return;
  }
  skb.dst = null; // br_drop_fake_rtable
  dev_queue_xmit(dev.net, skb);
}

/** __br_forward: out through port `to` (FORWARD or LOCAL_OUT hook, then
 * br_forward_finish's POST_ROUTING). Consumes skb. */
function __br_forward(to: NetBridgePort, skb: SkBuff, local_orig: boolean): void {
  const net = to.dev.net;
  net.spend(COST.bridge);
  net.tracer.fn(skb, '__br_forward', `${to.br.dev.name} to ${to.dev.name}`);
  skb.dev = to.dev;
  skb.tstamp = 0; // skb_clear_tstamp
  br_dev_queue_push_xmit(skb);
}

/** deliver_clone: a copy goes out of `prev`; the original stays with us. */
function deliver_clone(prev: NetBridgePort, skb: SkBuff, local_orig: boolean): void {
  __br_forward(prev, skb.copy(), local_orig);
}

/** br_forward: to one known port. Consumes skb unless local_rcv (then the
 * caller still passes it up). */
export function br_forward(to: NetBridgePort | null, skb: SkBuff, local_rcv: boolean, local_orig: boolean): void {
  if (to && should_deliver(to, skb)) {
    if (local_rcv) deliver_clone(to, skb, local_orig);
    else __br_forward(to, skb, local_orig);
    return;
  }
  if (!local_rcv) kfree_skb(skb, 'NOT_SPECIFIED', 'br_forward');
}

function maybe_deliver(prev: NetBridgePort | null, p: NetBridgePort, skb: SkBuff, local_orig: boolean): NetBridgePort | null {
  if (!should_deliver(p, skb)) return prev;
  if (prev) deliver_clone(prev, skb, local_orig);
  return p;
}

/** br_flood: to every port that floods this kind of frame, in port_list
 * order (newest port first). Consumes skb unless local_rcv. */
export function br_flood(br: NetBridge, skb: SkBuff, pkt_type: BrPktType, local_rcv: boolean, local_orig: boolean): void {
  br.dev.net.tracer.fn(skb, 'br_flood', `${br.dev.name} ${BrPktType[pkt_type].toLowerCase()}`);
  let prev: NetBridgePort | null = null;
  for (const p of br.port_list) {
    if (pkt_type === BrPktType.UNICAST && !(p.flags & BR_FLOOD)) continue;
    if (pkt_type === BrPktType.MULTICAST && !(p.flags & BR_MCAST_FLOOD) && skb.dev !== br.dev) continue;
    if (pkt_type === BrPktType.BROADCAST && !(p.flags & BR_BCAST_FLOOD) && skb.dev !== br.dev) continue;
    if (p.flags & BR_PROXYARP) continue;
    prev = maybe_deliver(prev, p, skb, local_orig);
  }
  if (!prev) {
    if (!local_rcv) kfree_skb(skb, 'NOT_SPECIFIED', 'br_flood');
    return;
  }
  if (local_rcv) deliver_clone(prev, skb, local_orig);
  else __br_forward(prev, skb, local_orig);
}
