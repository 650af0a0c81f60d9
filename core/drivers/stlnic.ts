// stlnic: the lab's Ethernet NIC, modelled on multi-queue server NICs
// (igb/ixgbe): per queue an RX descriptor ring the NIC DMAs frames into, a TX
// ring the driver fills, and one MSI-X vector ("eth0-TxRx-0") that is masked
// while its NAPI instance polls. The poll cleans TX completions first, then
// receives up to the budget; only when it finishes early does the IRQ come
// back on, which is how NAPI trades interrupts for polling under load.
import type { Net } from '../net/net_namespace.js';
import { NetDevice, NETDEV_TX_BUSY, NETDEV_TX_OK, IFF_UP, type NetDeviceOps } from '../net/core/netdevice.js';
import { type SkBuff, alloc_skb, consume_skb, NET_SKB_PAD, NET_IP_ALIGN } from '../net/core/skbuff.js';
import { NapiStruct } from '../net/core/softnet.js';
import { napi_schedule, napi_complete_done, eth_type_trans, netif_receive_skb, netif_schedule } from '../net/core/dev.js';
import { type IrqDesc, request_irq, generic_handle_irq } from '../kernel/irq.js';
import { COST } from '../kernel/costs.js';
import { ETH_ZLEN } from '../net/wire/ethernet.js';

/** Ethernet overhead on the wire beyond the frame: preamble+SFD 8, FCS 4, IFG 12. */
const WIRE_OVERHEAD = 24;
export const DEFAULT_SPEED_BPS = 10_000_000_000;

interface TxDesc {
  skb: SkBuff;
  len: number;
  done: number;
}

export class NicQueue {
  /** Frames DMA'd into ring buffers, waiting for the poll. */
  readonly rx: SkBuff[] = [];
  readonly tx: TxDesc[] = [];
  txStopped = false;
  irqEnabled = true;
  /** The wire is busy sending until this time. */
  txBusyUntil = 0;
  irq!: IrqDesc;
  napi!: NapiStruct;
  // ethtool -S per-queue counters
  rx_packets = 0;
  rx_bytes = 0;
  tx_packets = 0;
  tx_bytes = 0;
  constructor(readonly index: number) {}
}

export interface NicConfig {
  queues: number;
  rx_ring: number;
  tx_ring: number;
  mtu: number;
  mac: Uint8Array;
  /** Line rate (bits/s) the NIC serialises at. */
  speedBps: number;
}

export class StlNic {
  readonly queues: NicQueue[];
  rx_ring: number;
  tx_ring: number;
  speedBps: number;
  // ethtool -S device counters
  rx_missed_errors = 0;
  tx_restart_queue = 0;

  constructor(
    readonly net: Net,
    readonly dev: NetDevice,
    cfg: NicConfig,
  ) {
    this.rx_ring = cfg.rx_ring;
    this.tx_ring = cfg.tx_ring;
    this.speedBps = cfg.speedBps;
    this.queues = [];
    for (let i = 0; i < cfg.queues; i++) this.queues.push(this.setupQueue(i));
  }

  private setupQueue(i: number): NicQueue {
    const q = new NicQueue(i);
    const dev = this.dev;
    q.napi = new NapiStruct(`${dev.name}-${i}`, dev, (n, budget) => this.poll(q, budget), 64);
    q.irq = request_irq(this.net, `${dev.name}-TxRx-${i}`, 'PCI-MSIX-0000:00:0' + (dev.ifindex + 1) + '.0', i + 1, () => this.irqHandler(q));
    return q;
  }

  /** Receive-side scaling: which queue a frame lands on. */
  private selectRxQueue(bytes: Uint8Array): NicQueue {
    if (this.queues.length === 1) return this.queues[0];
    return this.queues[rss_hash(bytes) % this.queues.length];
  }

  /** A frame arrived from the wire: DMA it into a free RX descriptor or
   * count it missed when the ring is full. */
  receiveFrame(bytes: Uint8Array): void {
    const net = this.net;
    const dev = this.dev;
    if (!dev.up) return;
    const q = this.selectRxQueue(bytes);
    if (q.rx.length >= this.rx_ring) {
      this.rx_missed_errors++;
      dev.stats.rx_missed_errors++;
      return;
    }
    const skb = alloc_skb(net, bytes.length, NET_SKB_PAD + NET_IP_ALIGN);
    skb.buf.set(bytes, skb.skb_put(bytes.length));
    skb.queue_mapping = q.index;
    skb.tstamp = net.now();
    skb.dev = dev;
    q.rx.push(skb);
    net.tracer.fn(skb, 'nic_rx_dma', `dev=${dev.name} queue=${q.index} len=${bytes.length} ring=${q.rx.length}/${this.rx_ring}`);
    if (q.irqEnabled) this.raiseIrq(q);
  }

  private raiseIrq(q: NicQueue): void {
    q.irqEnabled = false; // auto-masked (EIAM) until NAPI completes
    generic_handle_irq(this.net, q.irq);
  }

  private irqHandler(q: NicQueue): void {
    napi_schedule(this.net, q.napi, this.net.curCpu!);
  }

  /** The NAPI poll: TX completions, then up to `budget` received frames. */
  private poll(q: NicQueue, budget: number): number {
    const net = this.net;
    this.cleanTx(q);
    let work = 0;
    while (work < budget && q.rx.length) {
      const skb = q.rx.shift()!;
      net.spend(COST.driver_rx);
      q.rx_packets++;
      q.rx_bytes += skb.len;
      this.dev.stats.rx_packets++;
      this.dev.stats.rx_bytes += skb.len;
      net.tracer.fn(skb, `${this.dev.kind || 'stlnic'}_clean_rx_irq`, `queue=${q.index}`);
      eth_type_trans(skb, this.dev);
      netif_receive_skb(net, skb);
      work++;
    }
    if (work < budget) {
      napi_complete_done(q.napi);
      q.irqEnabled = true;
      // Anything that arrived or completed meanwhile raises the IRQ again.
      if (q.rx.length || this.txCompleted(q)) this.raiseIrq(q);
    }
    return work;
  }

  private txCompleted(q: NicQueue): boolean {
    return q.tx.length > 0 && q.tx[0].done <= this.net.now();
  }

  /** Free transmitted buffers, wake the queue when there is room again. */
  private cleanTx(q: NicQueue): void {
    const net = this.net;
    const now = net.now();
    while (q.tx.length && q.tx[0].done <= now) {
      const d = q.tx.shift()!;
      net.spend(COST.driver_tx_clean);
      q.tx_packets++;
      q.tx_bytes += d.len;
      this.dev.stats.tx_packets++;
      this.dev.stats.tx_bytes += d.len;
      net.tracer.fn(d.skb, 'napi_consume_skb', `tx completion queue=${q.index}`);
      consume_skb(d.skb, 'stlnic_clean_tx_irq');
    }
    if (q.txStopped && this.tx_ring - q.tx.length >= Math.min(32, this.tx_ring / 2)) {
      q.txStopped = false;
      this.tx_restart_queue++;
      netif_schedule(net, this.dev);
    }
  }

  /** ndo_start_xmit: put the frame on the TX ring; the NIC sends it at line
   * rate and signals completion through the queue's IRQ. */
  xmit(skb: SkBuff): number {
    const net = this.net;
    const q = this.queues[skb.queue_mapping % this.queues.length];
    if (q.tx.length >= this.tx_ring) {
      q.txStopped = true;
      return NETDEV_TX_BUSY;
    }
    net.spend(COST.driver_xmit);
    // The MAC pads runts to the Ethernet minimum on the wire.
    // Byte counters count the frame as the stack built it (skb->len).
    const len = skb.len;
    const wire = new Uint8Array(Math.max(len, ETH_ZLEN));
    wire.set(skb.bytes());
    const start = Math.max(net.now(), q.txBusyUntil);
    const done = start + Math.ceil(((wire.length + WIRE_OVERHEAD) * 8 * 1e9) / this.speedBps);
    q.txBusyUntil = done;
    q.tx.push({ skb, len, done });
    net.wire?.transmit(this.dev, wire, done);
    net.engine.at(done, () => this.txDone(q));
    if (q.tx.length >= this.tx_ring) q.txStopped = true;
    return NETDEV_TX_OK;
  }

  private txDone(q: NicQueue): void {
    if (q.irqEnabled && q.tx.length && q.tx[0].done <= this.net.engine.now) this.raiseIrq(q);
  }

  tx_queue_stopped(queue: number): boolean {
    return this.queues[queue % this.queues.length].txStopped;
  }
}

/** A simple flow hash over the IPv4 addresses and ports (Toeplitz comes with RSS). */
export function rss_hash(b: Uint8Array): number {
  let h = 0;
  for (let i = 26; i < Math.min(b.length, 38); i++) h = (Math.imul(h, 31) + b[i]) >>> 0;
  return h;
}

export function create_stlnic(net: Net, name: string, cfg: NicConfig): NetDevice {
  let nic: StlNic;
  const ops: NetDeviceOps = {
    ndo_start_xmit: (skb) => nic.xmit(skb),
    tx_queue_stopped: (_d, queue) => nic.tx_queue_stopped(queue),
  };
  const dev = new NetDevice(net, name, net.allocIfindex(), ops);
  dev.dev_addr = cfg.mac;
  dev.mtu = cfg.mtu;
  dev.num_tx_queues = cfg.queues;
  dev.real_num_rx_queues = cfg.queues;
  dev.flags |= IFF_UP;
  nic = new StlNic(net, dev, cfg);
  dev.priv = nic;
  net.devices.set(dev.ifindex, dev);
  return dev;
}
