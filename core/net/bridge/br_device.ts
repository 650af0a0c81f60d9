// net/bridge/br_device.c and br_netlink.c's newlink/dellink: the bridge as a
// network device. `ip link add br0 type bridge` makes one with a random MAC,
// no carrier and no queue (IFF_NO_QUEUE); what the host sends through it
// (br_dev_xmit) goes to the port the FDB knows or is flooded.
import { netdev_init_features, BRIDGE_FEATURES } from '../core/netdev_features.js';
import type { Net } from '../net_namespace.js';
import { NetDevice, NETDEV_TX_OK } from '../core/netdevice.js';
import { type SkBuff, kfree_skb } from '../core/skbuff.js';
import { eth_random_addr, register_netdevice, unregister_netdevice } from '../core/dev.js';
import { ETH_HLEN, eth, formatMac, is_broadcast_ether_addr, is_multicast_ether_addr, type Mac } from '../wire/ethernet.js';
import { timer_setup } from '../../kernel/timer.js';
import { COST } from '../../kernel/costs.js';
import { br_fdb_change_mac_address, br_fdb_cleanup, br_fdb_delete_by_port, br_fdb_find } from './br_fdb.js';
import { br_forward, br_flood } from './br_forward.js';
import { br_del_all_ports, br_notifier_init } from './br_if.js';
import { br_stp_change_bridge_id, br_stp_disable_bridge, br_stp_enable_bridge, br_set_ageing_time } from './br_stp_if.js';
import { LoopGuard } from './br_loop_guard.js';
import { NetBridge, BrPktType, is_valid_ether_addr } from './br_private.js';

/** br_dev_xmit: the host sends through the bridge. Consumes skb. */
function br_dev_xmit(br: NetBridge, skb: SkBuff): number {
  const dev = br.dev;
  const net = dev.net;
  if (skb.len < ETH_HLEN) {
    kfree_skb(skb, 'PKT_TOO_SMALL', 'br_dev_xmit');
    return NETDEV_TX_OK;
  }
  net.spend(COST.bridge);
  dev.stats.tx_packets++; // dev_sw_netstats_tx_add
  dev.stats.tx_bytes += skb.len;
  net.tracer.fn(skb, 'br_dev_xmit', dev.name);
  skb.skb_reset_mac_header();
  skb.skb_pull(ETH_HLEN);
  const dest = eth.dest(skb.buf, skb.mac_header);
  if (is_broadcast_ether_addr(dest)) br_flood(br, skb, BrPktType.BROADCAST, false, true);
  else if (is_multicast_ether_addr(dest)) br_flood(br, skb, BrPktType.MULTICAST, false, true);
  else {
    const dst = br_fdb_find(br, dest);
    if (dst) br_forward(dst.dst, skb, false, true);
    else br_flood(br, skb, BrPktType.UNICAST, false, true);
  }
  return NETDEV_TX_OK;
}

/** br_set_mac_address: the user sets the bridge's address; the bridge ID
 * follows and ports no longer choose it (NET_ADDR_SET). */
function br_set_mac_address(br: NetBridge, addr: Mac): void {
  if (!is_valid_ether_addr(addr)) return;
  br.addr_set = true;
  const a = br.dev.dev_addr;
  if (a.some((x, i) => x !== addr[i])) br_stp_change_bridge_id(br, addr);
}

export interface BridgeOptions {
  address?: Mac;
  mtu?: number;
  /** ageing_time in ns. */
  ageing_time?: number;
}

/** br_dev_setup + register + br_dev_newlink. */
export function br_dev_newlink(net: Net, name: string, opts: BridgeOptions = {}): NetDevice {
  let br: NetBridge;
  const dev = new NetDevice(net, name, net.allocIfindex(), {
    ndo_start_xmit: (skb) => br_dev_xmit(br, skb),
    ndo_open: () => br_stp_enable_bridge(br),
    ndo_stop: () => br_stp_disable_bridge(br),
    ndo_set_mac_address: (_d, addr) => br_set_mac_address(br, addr),
  });
  dev.kind = 'bridge';
  netdev_init_features(dev, BRIDGE_FEATURES);
  dev.carrier = false;
  dev.dev_addr = opts.address ? new Uint8Array(opts.address) : eth_random_addr(net);
  if (opts.mtu) dev.mtu = opts.mtu;
  br = new NetBridge(dev);
  br.addr_set = !!opts.address;
  if (opts.mtu) br.mtu_set_by_user = true;
  br.gc_timer = timer_setup(net, () => br_fdb_cleanup(br));
  br.loop_guard = new LoopGuard();
  dev.priv = br;
  br_notifier_init(net);
  register_netdevice(net, dev);
  br_fdb_change_mac_address(br, dev.dev_addr); // br_device_event(NETDEV_REGISTER)
  if (opts.address) br_stp_change_bridge_id(br, opts.address);
  if (opts.ageing_time !== undefined) br_set_ageing_time(br, opts.ageing_time); // br_changelink
  net.tracer.fn(null, 'br_dev_newlink', `${name} ${formatMac(dev.dev_addr)}`);
  return dev;
}

/** br_dev_delete (dellink): release the ports, flush, unregister. */
export function br_dev_delete(br: NetBridge): void {
  br_del_all_ports(br);
  br_fdb_delete_by_port(br, null, true);
  br.gc_timer.del();
  unregister_netdevice(br.dev.net, br.dev);
}

export function br_from_dev(dev: NetDevice): NetBridge | null {
  return dev.kind === 'bridge' ? (dev.priv as NetBridge) : null;
}
