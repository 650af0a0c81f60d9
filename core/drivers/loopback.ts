// drivers/net/loopback.c: lo. Transmit is receive: the packet goes to this
// CPU's backlog (netif_rx) and is processed in NET_RX softirq.
import type { Net } from '../net/net_namespace.js';
import { NetDevice, IFF_LOOPBACK, IFF_UP, IFF_RUNNING, NETDEV_TX_OK } from '../net/core/netdevice.js';
import type { SkBuff } from '../net/core/skbuff.js';
import { eth_type_trans, netif_rx } from '../net/core/dev.js';
import { ETH_P_IP, eth } from '../net/wire/ethernet.js';
import { netdev_init_features, LOOPBACK_FEATURES } from '../net/core/netdev_features.js';

export function loopback_xmit(net: Net, skb: SkBuff, dev: NetDevice): number {
  const len = skb.len;
  skb.sk = null;
  skb.dst = null; // re-routed on input
  eth_type_trans(skb, dev);
  dev.stats.tx_packets++;
  dev.stats.tx_bytes += len;
  dev.stats.rx_packets++;
  dev.stats.rx_bytes += len;
  netif_rx(net, skb, net.curCpu ?? net.cpus[0]);
  return NETDEV_TX_OK;
}

export function create_loopback(net: Net): NetDevice {
  let dev: NetDevice;
  dev = new NetDevice(net, 'lo', net.allocIfindex(), { ndo_start_xmit: (skb) => loopback_xmit(net, skb, dev) });
  dev.flags = IFF_LOOPBACK | IFF_UP | IFF_RUNNING;
  dev.mtu = 65536;
  dev.type = 772; // ARPHRD_LOOPBACK
  dev.tx_queue_len = 1000;
  netdev_init_features(dev, LOOPBACK_FEATURES);
  net.devices.set(dev.ifindex, dev);
  return dev;
}

/** dev_loopback_xmit: our own copy of a broadcast we send. */
export function dev_loopback_xmit(net: Net, skb: SkBuff): void {
  const o = skb.skb_push(14);
  const dev = skb.dev!;
  eth.write(skb.buf, o, dev.broadcast, dev.dev_addr, ETH_P_IP);
  skb.skb_pull(14);
  skb.skb_reset_mac_header();
  skb.pkt_type = 0;
  // The route stays attached: input sees RTCF_BROADCAST.
  netif_rx(net, skb, net.curCpu ?? net.cpus[0]);
}
