// net/bridge/br_input.c: the rx_handler a port device gets (br_handle_frame).
// __netif_receive_skb_core hands it every frame the port receives; it
// learns the source, then forwards to the port the FDB knows, floods what
// it does not know (and broadcasts and multicasts), and passes frames for
// the bridge itself up through the bridge device (br_pass_frame_up ->
// netif_receive_skb on br0), where IP and ARP see them.
import { type SkBuff, kfree_skb, PACKET_HOST } from '../core/skbuff.js';
import { IFF_PROMISC } from '../core/netdevice.js';
import { netif_receive_skb } from '../core/dev.js';
import { eth, ether_addr_equal, is_broadcast_ether_addr, is_multicast_ether_addr } from '../wire/ethernet.js';
import { COST } from '../../kernel/costs.js';
import { br_fdb_find, br_fdb_update } from './br_fdb.js';
import { br_forward, br_flood } from './br_forward.js';
import { nbp_state_should_learn } from './br_stp_if.js';
import { br_loop_guard_pass } from './br_loop_guard.js';
import {
  type NetBridgePort,
  BrPktType,
  BR_FDB_LOCAL,
  BR_LEARNING,
  BR_NO_STP,
  BR_STATE_DISABLED,
  BR_STATE_FORWARDING,
  BR_STATE_LEARNING,
  is_link_local_ether_addr,
  is_valid_ether_addr,
} from './br_private.js';

/** br_pass_frame_up: the frame is for the bridge device itself. Consumes skb. */
function br_pass_frame_up(p: NetBridgePort, skb: SkBuff): void {
  const brdev = p.br.dev;
  brdev.stats.rx_packets++; // dev_sw_netstats_rx_add
  brdev.stats.rx_bytes += skb.len;
  brdev.net.tracer.fn(skb, 'br_pass_frame_up', `${skb.dev!.name} -> ${brdev.name}`);
  skb.dev = brdev;
  // NF_BR_LOCAL_IN, then br_netif_receive_skb: another round of the core.
  netif_receive_skb(brdev.net, skb);
}

/** br_handle_frame_finish: learn, then forward, flood and/or pass up. Consumes skb. */
function br_handle_frame_finish(p: NetBridgePort, skb: SkBuff): void {
  const br = p.br;
  const net = br.dev.net;
  if (p.state === BR_STATE_DISABLED) {
    kfree_skb(skb, 'BRIDGE_INGRESS_STP_STATE', 'br_handle_frame_finish');
    return;
  }
  const b = skb.buf;
  const dest = eth.dest(b, skb.mac_header);
  // Insert into the forwarding database after filtering, to avoid spoofing.
  if (p.flags & BR_LEARNING) br_fdb_update(br, p, eth.source(b, skb.mac_header), 0);
  if (!br_loop_guard_pass(br, skb)) {
    kfree_skb(skb, 'STACKLAB_LOOP_GUARD', 'br_handle_frame_finish');
    return;
  }
  const promisc = (br.dev.flags & IFF_PROMISC) !== 0;
  let local_rcv = promisc;
  let pkt_type = BrPktType.UNICAST;
  if (is_multicast_ether_addr(dest)) {
    // By definition the broadcast is also a multicast address.
    if (is_broadcast_ether_addr(dest)) {
      pkt_type = BrPktType.BROADCAST;
      local_rcv = true;
    } else pkt_type = BrPktType.MULTICAST;
  }
  if (p.state === BR_STATE_LEARNING) {
    kfree_skb(skb, 'BRIDGE_INGRESS_STP_STATE', 'br_handle_frame_finish');
    return;
  }
  let dst = undefined;
  if (pkt_type === BrPktType.MULTICAST) {
    // No querier, no multicast database: every group floods and is received.
    local_rcv = true;
    br.dev.stats.multicast++;
  } else if (pkt_type === BrPktType.UNICAST) dst = br_fdb_find(br, dest);
  if (dst) {
    if (dst.flags & BR_FDB_LOCAL) return br_pass_frame_up(p, skb);
    dst.used = net.now();
    br_forward(dst.dst, skb, local_rcv, false);
  } else br_flood(br, skb, pkt_type, local_rcv, false);
  if (local_rcv) br_pass_frame_up(p, skb);
}

/** br_handle_local_finish: link-local frames are not bridged but still teach
 * the FDB. */
function br_handle_local_finish(p: NetBridgePort, skb: SkBuff): void {
  if (p.flags & BR_LEARNING && nbp_state_should_learn(p)) br_fdb_update(p.br, p, eth.source(skb.buf, skb.mac_header), 0);
}

/** br_handle_frame: the port's rx_handler. */
export function br_handle_frame(p: NetBridgePort, skb: SkBuff): 'consumed' | 'pass' {
  const net = p.dev.net;
  const br = p.br;
  const b = skb.buf;
  const dest = eth.dest(b, skb.mac_header);
  net.spend(COST.bridge);
  net.tracer.fn(skb, 'br_handle_frame', `${skb.dev!.name} (${br.dev.name})`);
  if (!is_valid_ether_addr(eth.source(b, skb.mac_header))) {
    kfree_skb(skb, 'MAC_INVALID_SOURCE', 'br_handle_frame');
    return 'consumed';
  }
  if (is_link_local_ether_addr(dest)) {
    // IEEE 802.1D reserved group addresses; no group_fwd_mask bits are set.
    switch (dest[5]) {
      case 0x00: // Bridge Group Address: without STP, forward to keep loop detection
        if (br.stp_enabled === BR_NO_STP) break;
        br_handle_local_finish(p, skb);
        return 'pass';
      case 0x01: // IEEE MAC (Pause)
        kfree_skb(skb, 'NOT_SPECIFIED', 'br_handle_frame');
        return 'consumed';
      default:
        br_handle_local_finish(p, skb);
        return 'pass';
    }
  }
  if (p.state === BR_STATE_FORWARDING || p.state === BR_STATE_LEARNING) {
    if (ether_addr_equal(br.dev.dev_addr, dest)) skb.pkt_type = PACKET_HOST;
    br_handle_frame_finish(p, skb); // NF_BR_PRE_ROUTING has no rules
    return 'consumed';
  }
  kfree_skb(skb, 'BRIDGE_INGRESS_STP_STATE', 'br_handle_frame');
  return 'consumed';
}
