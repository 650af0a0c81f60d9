// struct net_device and its flags (include/linux/netdevice.h, if.h).
import type { SkBuff } from './skbuff.js';
import type { Net } from '../net_namespace.js';
import type { Qdisc } from '../sched/sch_generic.js';
import type { InDevice } from '../ipv4/devinet.js';
import type { Mac } from '../wire/ethernet.js';
import type { NetdevRxQueue } from './softnet.js';

export const IFF_UP = 0x1;
export const IFF_BROADCAST = 0x2;
export const IFF_LOOPBACK = 0x8;
export const IFF_POINTOPOINT = 0x10;
export const IFF_RUNNING = 0x40;
export const IFF_NOARP = 0x80;
export const IFF_PROMISC = 0x100;
export const IFF_MULTICAST = 0x1000;
export const IFF_LOWER_UP = 0x10000;

export const NETDEV_TX_OK = 0;
export const NETDEV_TX_BUSY = 0x10;

/** struct rtnl_link_stats64, the counters of /proc/net/dev and ip -s link. */
export class LinkStats {
  rx_packets = 0;
  tx_packets = 0;
  rx_bytes = 0;
  tx_bytes = 0;
  rx_errors = 0;
  tx_errors = 0;
  rx_dropped = 0;
  tx_dropped = 0;
  multicast = 0;
  collisions = 0;
  rx_length_errors = 0;
  rx_over_errors = 0;
  rx_crc_errors = 0;
  rx_frame_errors = 0;
  rx_fifo_errors = 0;
  rx_missed_errors = 0;
  tx_aborted_errors = 0;
  tx_carrier_errors = 0;
  tx_fifo_errors = 0;
  tx_heartbeat_errors = 0;
  tx_window_errors = 0;
  rx_compressed = 0;
  tx_compressed = 0;
  rx_nohandler = 0;
}

/** net_device_ops: what a driver provides. */
export interface NetDeviceOps {
  /** Consumes the skb on NETDEV_TX_OK; leaves it to the caller on NETDEV_TX_BUSY. */
  ndo_start_xmit(skb: SkBuff, dev: NetDevice): number;
  ndo_open?(dev: NetDevice): void;
  ndo_stop?(dev: NetDevice): void;
  /** Queue state for the qdisc: false while the driver's ring is full. */
  tx_queue_stopped?(dev: NetDevice, queue: number): boolean;
  /** Set the hardware address (bridge: also its FDB); default: copy it. */
  ndo_set_mac_address?(dev: NetDevice, addr: Mac): void;
}

export class NetDevice {
  flags = IFF_BROADCAST | IFF_MULTICAST;
  mtu = 1500;
  min_mtu = 68;
  max_mtu = 65535;
  type = 1; // ARPHRD_ETHER
  addr_len = 6;
  hard_header_len = 14;
  dev_addr: Mac = new Uint8Array(6);
  broadcast: Mac = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  tx_queue_len = 1000;
  carrier = true;
  stats = new LinkStats();
  qdisc: Qdisc | null = null;
  ip_ptr: InDevice | null = null;
  /** Bridge or other master (ip link set X master br0). */
  master: NetDevice | null = null;
  /** rx_handler (bridge port): takes the skb before the protocol layers. */
  rx_handler: ((skb: SkBuff) => 'consumed' | 'pass') | null = null;
  /** rx_handler_data: the handler's own state (the bridge port). */
  rx_handler_data: unknown = null;
  num_tx_queues = 1;
  real_num_rx_queues = 1;
  /** dev->_rx: the receive queues' RPS settings (softnet.ts), made on first use. */
  _rx: NetdevRxQueue[] | null = null;
  /** Link layer kind as `ip -d link` would name it (veth, bridge, ...). */
  kind = '';
  /** Driver-private state. */
  priv: any = null;
  /** Peer ifindex for @ifN display (veth); 0 when none. */
  iflink = 0;
  group = 0;
  gso_max_size = 65536;
  /** dev->features, hw_features, wanted_features by ethtool name (see netdev_features.ts).
   * features is replaced as a whole (netdev_update_features), never changed
   * in place: the receive path's per-packet tests are kept as booleans. */
  get features(): Set<string> {
    return this._features;
  }
  set features(f: Set<string>) {
    this._features = f;
    this.rx_hashing = f.has('rx-hashing');
    this.rx_gro = f.has('rx-gro');
  }
  private _features = new Set<string>();
  /** features.has('rx-hashing') and features.has('rx-gro'). */
  rx_hashing = false;
  rx_gro = false;
  hw_features = new Set<string>();
  wanted_features = new Set<string>();

  constructor(
    readonly net: Net,
    public name: string,
    readonly ifindex: number,
    readonly ops: NetDeviceOps,
  ) {}

  get up(): boolean {
    return (this.flags & IFF_UP) !== 0;
  }

  /** netif_running && netif_carrier_ok: what routes and ARP care about. */
  get operational(): boolean {
    return this.up && this.carrier;
  }

  get isLoopback(): boolean {
    return (this.flags & IFF_LOOPBACK) !== 0;
  }
}
