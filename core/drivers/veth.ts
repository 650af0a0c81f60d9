// drivers/net/veth.c: a virtual Ethernet pair. What one end transmits, the
// other receives: veth_xmit hands the skb to the peer (__dev_forward_skb:
// scrub, eth_type_trans) and queues it on the current CPU's backlog with
// __netif_rx, so it is processed in NET_RX softirq by process_backlog on the
// sending CPU. There is no ring, no DMA and no interrupt: a veth never shows
// in /proc/interrupts. An end has carrier only while both ends are up.
import { netdev_init_features, VETH_FEATURES } from '../net/core/netdev_features.js';
import type { Net } from '../net/net_namespace.js';
import { NetDevice, NETDEV_TX_OK } from '../net/core/netdevice.js';
import { type SkBuff, kfree_skb, PACKET_HOST } from '../net/core/skbuff.js';
import {
  eth_type_trans,
  netif_rx,
  netif_carrier_on,
  netif_carrier_off,
  eth_random_addr,
  dev_alloc_name,
  register_netdevice,
  unregister_netdevice,
  NET_RX_SUCCESS,
  NET_XMIT_DROP,
} from '../net/core/dev.js';
import { ETH_HLEN, type Mac } from '../net/wire/ethernet.js';
import { COST } from '../kernel/costs.js';

/** struct veth_priv. */
export class VethPriv {
  peer: NetDevice | null = null;
  /** priv->dropped: transmits the peer did not take (tx_dropped). */
  dropped = 0;
}

/** veth_xmit (ndo_start_xmit). Consumes skb. */
function veth_xmit(dev: NetDevice, skb: SkBuff): number {
  const net = dev.net;
  const priv = dev.priv as VethPriv;
  const rcv = priv.peer;
  const length = skb.len;
  net.spend(COST.veth_xmit);
  net.tracer.fn(skb, 'veth_xmit', `dev=${dev.name} peer=${rcv?.name ?? '-'} len=${length}`);
  if (!rcv || length < ETH_HLEN) {
    kfree_skb(skb, 'NOT_SPECIFIED', 'veth_xmit');
    priv.dropped++;
    dev.stats.tx_dropped++;
    return NET_XMIT_DROP;
  }
  // __dev_forward_skb: is_skb_forwardable (peer up, frame fits its MTU).
  if (!rcv.up || length > rcv.mtu + rcv.hard_header_len + 4) {
    rcv.stats.rx_dropped++; // dev_core_stats_rx_dropped_inc
    kfree_skb(skb, 'NOT_SPECIFIED', '__dev_forward_skb');
    priv.dropped++;
    dev.stats.tx_dropped++;
    return NET_XMIT_DROP;
  }
  // skb_scrub_packet: it arrives as a new packet on the peer.
  skb.pkt_type = PACKET_HOST;
  skb.dst = null;
  skb.sk = null;
  skb.nfct = null;
  skb.cb = {};
  eth_type_trans(skb, rcv);
  const cpu = net.curCpu ?? net.cpus[0];
  if (netif_rx(net, skb, cpu) !== NET_RX_SUCCESS) {
    priv.dropped++;
    dev.stats.tx_dropped++;
    return NET_XMIT_DROP;
  }
  // dev_sw_netstats_tx_add; the peer's rx counters are our tx ones (veth_get_stats64).
  dev.stats.tx_packets++;
  dev.stats.tx_bytes += length;
  rcv.stats.rx_packets++;
  rcv.stats.rx_bytes += length;
  return NETDEV_TX_OK;
}

/** veth_open: carrier on both ends once the peer is up too. */
function veth_open(dev: NetDevice): void {
  const peer = (dev.priv as VethPriv).peer;
  if (peer && peer.up) {
    netif_carrier_on(dev.net, dev);
    netif_carrier_on(dev.net, peer);
  }
}

/** veth_close: both ends lose carrier. */
function veth_close(dev: NetDevice): void {
  const peer = (dev.priv as VethPriv).peer;
  netif_carrier_off(dev.net, dev);
  if (peer) netif_carrier_off(dev.net, peer);
}

function veth_setup(net: Net, name: string, addr: Mac | undefined, mtu: number | undefined): NetDevice {
  const dev: NetDevice = new NetDevice(net, name, net.allocIfindex(), {
    ndo_start_xmit: (skb) => veth_xmit(dev, skb),
    ndo_open: () => veth_open(dev),
    ndo_stop: () => veth_close(dev),
  });
  dev.kind = 'veth';
  netdev_init_features(dev, VETH_FEATURES);
  dev.priv = new VethPriv();
  dev.carrier = false;
  dev.dev_addr = addr ? new Uint8Array(addr) : eth_random_addr(net);
  if (mtu) dev.mtu = mtu;
  // IFF_NO_QUEUE: no qdisc, dev_queue_xmit calls veth_xmit directly.
  dev.qdisc = null;
  return dev;
}

export interface VethEnd {
  /** Omitted: the first free veth%d. */
  name?: string;
  address?: Mac;
  mtu?: number;
}

/** veth_newlink: the peer is registered first (it gets the lower ifindex),
 * then the device; both start down without carrier. Returns [dev, peer]. */
export function veth_newlink(net: Net, end: VethEnd, peerEnd: VethEnd): [NetDevice, NetDevice] {
  const peer = veth_setup(net, peerEnd.name ?? dev_alloc_name(net, 'veth%d'), peerEnd.address, peerEnd.mtu);
  register_netdevice(net, peer);
  const dev = veth_setup(net, end.name ?? dev_alloc_name(net, 'veth%d'), end.address, end.mtu);
  register_netdevice(net, dev);
  (dev.priv as VethPriv).peer = peer;
  (peer.priv as VethPriv).peer = dev;
  dev.iflink = peer.ifindex;
  peer.iflink = dev.ifindex;
  return [dev, peer];
}

/** veth_dellink: deleting either end deletes the pair. */
export function veth_dellink(net: Net, dev: NetDevice): void {
  const priv = dev.priv as VethPriv;
  const peer = priv.peer;
  priv.peer = null;
  unregister_netdevice(net, dev);
  if (peer) {
    (peer.priv as VethPriv).peer = null;
    unregister_netdevice(net, peer);
  }
}
