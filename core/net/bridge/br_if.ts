// net/bridge/br_if.c and br.c's netdevice notifier: enslaving a device
// (ip link set X master br0: br_add_if), releasing it (nomaster, or the
// device going away: br_del_if), and following its state: up/down and
// carrier enable or disable the port, an address change moves its local
// FDB entry and may change the bridge ID.
import type { Net } from '../net_namespace.js';
import type { NetDevice } from '../core/netdevice.js';
import { call_netdevice_notifiers, register_netdevice_notifier, type NetdevEvent } from '../core/dev.js';
import { br_fdb_add_local, br_fdb_changeaddr, br_fdb_delete_by_port } from './br_fdb.js';
import { br_handle_frame } from './br_input.js';
import { br_stp_enable_port, br_stp_disable_port, br_stp_recalculate_bridge_id, br_set_state } from './br_stp_if.js';
import { printk } from '../../kernel/printk.js';
import { type NetBridge, NetBridgePort, BR_STATE_BLOCKING, BR_STATE_DISABLED, br_port_get, is_valid_ether_addr, netif_is_bridge_master } from './br_private.js';

/** An rtnetlink failure: errno, and the extack message if the kernel gives one. */
export interface BrError {
  errno: string;
  extack?: string;
}

/** The link speed ethtool would report, in Mb/s; -1 when unknown. */
function dev_speed_mbps(dev: NetDevice): number {
  if (dev.kind === 'veth') return 10000; // veth reports SPEED_10000
  const bps = (dev.priv as { speedBps?: unknown } | null)?.speedBps;
  return typeof bps === 'number' ? Math.round(bps / 1e6) : -1;
}

/** port_cost: the 802.1D path cost for the port's speed. */
export function port_cost(dev: NetDevice): number {
  const speed = dev_speed_mbps(dev);
  switch (speed) {
    case 10000:
      return 2;
    case 5000:
      return 3;
    case 2500:
      return 4;
    case 1000:
      return 5;
    case 100:
      return 19;
    case 10:
    case -1:
      return 100;
  }
  return speed > 10000 ? 1 : 100;
}

/** br_mtu_auto_adjust: the smallest port MTU (1500 without ports). */
export function br_mtu_auto_adjust(br: NetBridge): void {
  if (br.mtu_set_by_user) return;
  let mtu = 0;
  for (const p of br.port_list) if (!mtu || mtu > p.dev.mtu) mtu = p.dev.mtu;
  br.dev.mtu = mtu || 1500;
}

/** br_add_if. */
export function br_add_if(br: NetBridge, dev: NetDevice): BrError | null {
  const net = br.dev.net;
  // Don't allow bridging non-ethernet like devices.
  if (dev.isLoopback || dev.type !== 1 || dev.addr_len !== 6 || !is_valid_ether_addr(dev.dev_addr)) return { errno: 'EINVAL' };
  if (netif_is_bridge_master(dev)) return { errno: 'ELOOP', extack: 'Can not enslave a bridge to a bridge' };
  if (dev.master) return { errno: 'EBUSY' };
  let port_no = 1;
  while (br.port_list.some((q) => q.port_no === port_no)) port_no++;
  const p = new NetBridgePort(br, dev, port_no, port_cost(dev));
  // new_nbp: br_init_port (blocking), then disabled until enabled.
  br_set_state(p, BR_STATE_BLOCKING);
  br_set_state(p, BR_STATE_DISABLED);
  // dev_set_allmulti, then promiscuous for learning (br_manage_promisc).
  printk(net, KERN_INFO, `${dev.name}: entered allmulticast mode`);
  printk(net, KERN_INFO, `${dev.name}: entered promiscuous mode`);
  dev.rx_handler = (skb) => br_handle_frame(p, skb);
  dev.rx_handler_data = p;
  dev.master = br.dev;
  br.port_list.unshift(p);
  br_fdb_add_local(br, p, dev.dev_addr);
  const changed_addr = br_stp_recalculate_bridge_id(br);
  if (dev.up && dev.carrier && br.dev.up) br_stp_enable_port(p);
  net.tracer.fn(null, 'br_add_if', `${br.dev.name}: port ${port_no}(${dev.name})`);
  if (changed_addr) call_netdevice_notifiers(net, 'NETDEV_CHANGEADDR', br.dev);
  br_mtu_auto_adjust(br);
  return null;
}

/** del_nbp: the port leaves; its FDB entries go with it. */
function del_nbp(p: NetBridgePort): void {
  const br = p.br;
  const dev = p.dev;
  const net = dev.net;
  printk(net, KERN_INFO, `${dev.name}: left allmulticast mode`);
  printk(net, KERN_INFO, `${dev.name}: left promiscuous mode`);
  br_stp_disable_port(p);
  br.port_list.splice(br.port_list.indexOf(p), 1);
  br_fdb_delete_by_port(br, p, true);
  dev.master = null;
  dev.rx_handler = null;
  dev.rx_handler_data = null;
}

/** br_del_if. */
export function br_del_if(br: NetBridge, dev: NetDevice): BrError | null {
  const p = br_port_get(dev);
  if (!p || p.br !== br) return { errno: 'EINVAL' };
  del_nbp(p);
  br_mtu_auto_adjust(br);
  if (br_stp_recalculate_bridge_id(br)) call_netdevice_notifiers(br.dev.net, 'NETDEV_CHANGEADDR', br.dev);
  return null;
}

/** Remove every port (the bridge is being deleted: br_dev_delete). */
export function br_del_all_ports(br: NetBridge): void {
  for (const p of [...br.port_list]) del_nbp(p);
}

/** br_port_carrier_check: NETDEV_CHANGE on a port. */
function br_port_carrier_check(p: NetBridgePort): void {
  const dev = p.dev;
  const oper_up = dev.up && dev.carrier;
  if (oper_up) p.path_cost = port_cost(dev);
  if (!p.br.dev.up) return;
  if (oper_up) {
    if (p.state === BR_STATE_DISABLED) br_stp_enable_port(p);
  } else if (p.state !== BR_STATE_DISABLED) br_stp_disable_port(p);
}

/** br_device_event: what the bridge does when one of its ports changes. */
function br_device_event(event: NetdevEvent, dev: NetDevice): void {
  const p = br_port_get(dev);
  if (!p) return;
  const br = p.br;
  switch (event) {
    case 'NETDEV_CHANGEADDR':
      br_fdb_changeaddr(p, dev.dev_addr);
      if (br_stp_recalculate_bridge_id(br)) call_netdevice_notifiers(dev.net, 'NETDEV_CHANGEADDR', br.dev);
      break;
    case 'NETDEV_CHANGE':
      br_port_carrier_check(p);
      break;
    case 'NETDEV_DOWN':
      if (br.dev.up) br_stp_disable_port(p);
      break;
    case 'NETDEV_UP':
      if (br.dev.up && dev.carrier) br_stp_enable_port(p);
      break;
    case 'NETDEV_UNREGISTER':
      br_del_if(br, dev);
      break;
  }
}

const KERN_INFO = 6;
const registered = new WeakSet<Net>();

/** br_init's register_netdevice_notifier, once per namespace. */
export function br_notifier_init(net: Net): void {
  if (registered.has(net)) return;
  registered.add(net);
  register_netdevice_notifier(net, br_device_event);
}
