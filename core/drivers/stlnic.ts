// stlnic: the lab's Ethernet NIC, modelled on multi-queue server NICs
// (igb/ixgbe). Per queue pair ("combined channel"): an RX descriptor ring the
// NIC DMAs frames into, a TX ring the driver fills, one MSI-X vector
// ("eth0-TxRx-0") masked while its NAPI instance polls, and counters. RSS
// picks the RX queue from a Toeplitz hash of the flow (rss.ts). The poll
// cleans TX completions first, then receives up to its budget; only when it
// finishes early does the IRQ come back on, which is how NAPI trades
// interrupts for polling under load. A full ring drops the frame in the NIC
// (SRRCTL.DROP_EN, as igb sets it): rx_queue_N_drops and rx_fifo_errors.
import type { Net } from '../net/net_namespace.js';
import type { TraceFmt } from '../net/core/trace.js';
import { NetDevice, NETDEV_TX_BUSY, NETDEV_TX_OK, IFF_UP, type NetDeviceOps } from '../net/core/netdevice.js';
import { type SkBuff, alloc_skb, consume_skb, kfree_skb, NET_SKB_PAD, NET_IP_ALIGN, frame_copy } from '../net/core/skbuff.js';
import { NapiStruct } from '../net/core/softnet.js';
import { napi_schedule, napi_complete_done, eth_type_trans, netif_schedule } from '../net/core/dev.js';
import { napi_gro_receive, napi_gro_flush } from '../net/core/gro.js';
import { netdev_update_features, netdev_init_features, NETDEV_FEATURE_NAMES } from '../net/core/netdev_features.js';
import { type IrqDesc, request_irq, free_irq, irq_alloc_descs, generic_handle_irq } from '../kernel/irq.js';
import { run_on_cpu_arg, softirq_continue } from '../kernel/softirq.js';
import { COST } from '../kernel/costs.js';
import { ETH_ZLEN } from '../net/wire/ethernet.js';
import { RssConfig } from './rss.js';

/** Ethernet overhead on the wire beyond the frame: preamble+SFD 8, FCS 4, IFG 12. */
const WIRE_OVERHEAD = 24;
export const DEFAULT_SPEED_BPS = 10_000_000_000;
/** Descriptor ring limits (igb/ixgbe: 64..4096 in multiples of 8). */
export const STLNIC_MIN_RXD = 64;
export const STLNIC_MAX_RXD = 4096;
const RING_MULTIPLE = 8;
/** Most queue pairs the hardware has (ixgbe's RSS limit). */
export const STLNIC_MAX_QUEUES = 64;
/** sizeof(struct sk_buff) rounded to a cache line: part of every truesize. */
const SKB_STRUCT_SIZE = 256;

/** Features the hardware offers and the user may toggle (hw_features). */
const HW_FEATURES = [
  'tx-scatter-gather', 'tx-checksum-ipv4', 'tx-checksum-ipv6', 'tx-checksum-sctp', 'tx-tcp-segmentation',
  'tx-tcp-mangleid-segmentation', 'tx-tcp6-segmentation', 'tx-generic-segmentation', 'rx-gro', 'rx-checksum',
  'rx-hashing', 'rx-ntuple-filter', 'rx-vlan-hw-parse', 'tx-vlan-hw-insert', 'tx-nocache-copy',
  'rx-gro-list', 'rx-udp-gro-forwarding', 'rx-fcs', 'rx-all', 'loopback',
];
/** On after probe; everything else starts off (rx-ntuple, rx-fcs, ...). */
const DEFAULT_ON = [
  'tx-scatter-gather', 'tx-checksum-ipv4', 'tx-checksum-ipv6', 'tx-checksum-sctp', 'tx-tcp-segmentation',
  'tx-tcp-mangleid-segmentation', 'tx-tcp6-segmentation', 'tx-generic-segmentation', 'rx-gro', 'rx-checksum',
  'rx-hashing', 'rx-vlan-hw-parse', 'tx-vlan-hw-insert', 'highdma', 'rx-vlan-filter',
];

// Trace details, formatted only when a record is shown (trace.ts).
const fmtRxDma: TraceFmt = (dev, q, len, used, ring) => `dev=${dev} queue=${q} len=${len} ring=${used}/${ring}`;
const fmtQueue: TraceFmt = (q) => `queue=${q}`;
const fmtTxCompletion: TraceFmt = (q) => `tx completion queue=${q}`;

interface TxDesc {
  /** null once the descriptor is back on the driver's free list. */
  skb: SkBuff | null;
  len: number;
  /** When the wire finished sending it (Infinity until the MAC takes it). */
  done: number;
  /** When the driver posted it (CPU time). */
  ready: number;
  /** Its queue, and the frame as the MAC sends it (until it does). */
  q: NicQueue;
  wire: Uint8Array | null;
}

// Engine events take a handler and one argument: no closure per frame.
const startTxEvent = (d: TxDesc): void => d.q.nic.startTx(d.q, d, d.wire!);
const txDoneEvent = (q: NicQueue): void => q.nic.txDone(q);
const recheckEvent = (q: NicQueue): void => q.nic.recheck(q);

export class NicQueue {
  /** Frames DMA'd into ring buffers, waiting for the poll. */
  readonly rx: SkBuff[] = [];
  readonly tx: TxDesc[] = [];
  txStopped = false;
  irqEnabled = true;
  /** The poll that re-enabled the IRQ ends at this time (its CPU's clock). */
  unmaskAt = 0;
  /** A check for frames that came while the poll was still running is pending. */
  recheckPending = false;
  /** CPU that last polled this queue. */
  pollCpu = 0;
  /** The wire is busy sending until this time. */
  txBusyUntil = 0;
  irq!: IrqDesc;
  napi!: NapiStruct;
  nic!: StlNic;
  // ethtool -S per-queue counters (igb's names)
  rx_packets = 0;
  rx_bytes = 0;
  rx_drops = 0;
  rx_csum_err = 0;
  rx_alloc_failed = 0;
  tx_packets = 0;
  tx_bytes = 0;
  tx_restart = 0;
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

/** recheck's poll, on the queue's CPU: part of the softirq run that was going on. */
function repoll(q: NicQueue): void {
  const net = q.nic.net;
  const cpu = net.curCpu!;
  napi_schedule(net, q.napi, cpu);
  softirq_continue(net, cpu);
}

export class StlNic {
  queues: NicQueue[] = [];
  rx_ring: number;
  tx_ring: number;
  speedBps: number;
  readonly max_combined: number;
  readonly rss: RssConfig;
  /** PCI function, for bus-info and the MSI-X chip name. */
  readonly pciSlot: string;
  // device-wide ethtool -S counters
  rx_missed_errors = 0;
  tx_timeout_count = 0;
  rx_broadcast = 0;
  rx_multicast = 0;
  tx_broadcast = 0;
  tx_multicast = 0;
  /** Frames lost when a reconfiguration reset the rings. */
  reset_drops = 0;
  /** TX descriptors done with, for the next frames (no object per frame). */
  private txFree: TxDesc[] = [];

  constructor(
    readonly net: Net,
    readonly dev: NetDevice,
    cfg: NicConfig,
  ) {
    this.rx_ring = cfg.rx_ring;
    this.tx_ring = cfg.tx_ring;
    this.speedBps = cfg.speedBps;
    this.max_combined = Math.min(STLNIC_MAX_QUEUES, Math.max(cfg.queues, net.cpus.length));
    this.pciSlot = `0000:00:${(dev.ifindex + 1).toString(16).padStart(2, '0')}.0`;
    this.rss = new RssConfig(cfg.queues);
    this.setupQueues(cfg.queues);
  }

  private setupQueues(n: number): void {
    const dev = this.dev;
    const base = irq_alloc_descs(this.net, n);
    for (let i = 0; i < n; i++) {
      const q = new NicQueue(i);
      q.nic = this;
      q.napi = new NapiStruct(`${dev.name}-${i}`, dev, (_n, budget) => this.poll(q, budget), 64);
      q.irq = request_irq(this.net, `${dev.name}-TxRx-${i}`, 'PCI-MSIX-' + this.pciSlot, i + 1, () => this.irqHandler(q), base + i);
      q.pollCpu = q.irq.effective;
      this.queues.push(q);
    }
    dev.num_tx_queues = n;
    dev.real_num_rx_queues = n;
  }

  /** Stop the queues as a driver reset does (ixgbe_down): the rings'
   * buffers are freed, their frames lost, the vectors released. */
  private teardownQueues(): void {
    for (const q of this.queues) {
      for (const skb of q.rx.splice(0)) {
        this.reset_drops++;
        kfree_skb(skb, 'DEV_READY', 'stlnic_clean_rx_ring');
      }
      // Frames already handed to the MAC finish; their buffers are freed.
      for (const d of q.tx.splice(0)) {
        q.tx_packets++;
        q.tx_bytes += d.len;
        this.dev.stats.tx_packets++;
        this.dev.stats.tx_bytes += d.len;
        consume_skb(d.skb!, 'stlnic_clean_tx_ring');
      }
      q.napi.scheduled = false;
      const sd = this.net.softnet[q.napi.cpu];
      if (sd) {
        const i = sd.poll_list.indexOf(q.napi);
        if (i >= 0) sd.poll_list.splice(i, 1);
      }
      free_irq(this.net, q.irq);
    }
    this.queues = [];
  }

  /** ethtool -L combined N (set_channels). */
  set_channels(n: number): void {
    this.teardownQueues();
    this.setupQueues(n);
    // Drivers re-spread the table unless the user configured it.
    if (!this.rss.userConfigured) this.rss.setDefault(n);
  }

  /** ethtool -G (set_ringparam): sizes are clamped and rounded as ixgbe does. */
  set_ringparam(rx: number, tx: number): void {
    const fit = (v: number) => Math.ceil(Math.min(STLNIC_MAX_RXD, Math.max(STLNIC_MIN_RXD, v)) / RING_MULTIPLE) * RING_MULTIPLE;
    const nrx = fit(rx);
    const ntx = fit(tx);
    if (nrx === this.rx_ring && ntx === this.tx_ring) return;
    const n = this.queues.length;
    this.teardownQueues();
    this.rx_ring = nrx;
    this.tx_ring = ntx;
    this.setupQueues(n);
  }

  /** ethtool -K: apply wanted features. */
  set_features(): void {
    netdev_update_features(this.dev);
  }

  /** Receive-side scaling: the hash (left in rxHash, rxL4), and through
   * the table the queue. */
  private selectRxQueue(bytes: Uint8Array, hashing: boolean): NicQueue {
    if (!hashing && this.queues.length === 1) {
      this.rxHash = 0;
      this.rxL4 = false;
      return this.queues[0];
    }
    const hash = this.rss.hashFrame(bytes);
    this.rxHash = hash;
    this.rxL4 = this.rss.l4;
    const qi = this.rss.queueFor(hash);
    return this.queues[qi < this.queues.length ? qi : 0];
  }
  private rxHash = 0;
  private rxL4 = false;

  /** Bytes of buffer per frame: a half page up to 1536 bytes (igb's
   * 2048-byte buffers with build_skb), 3072 beyond, whole pages for jumbos. */
  private rxBufSize(len: number): number {
    const need = len + NET_SKB_PAD + NET_IP_ALIGN + 320;
    if (need <= 2048) return 2048;
    if (need <= 3072) return 3072;
    return Math.ceil(need / 4096) * 4096;
  }

  /** A frame arrived from the wire: DMA it into a free RX descriptor, or
   * drop it in the NIC when the ring is full. */
  receiveFrame(bytes: Uint8Array): void {
    const net = this.net;
    const dev = this.dev;
    if (!dev.up || !this.queues.length) return;
    if (bytes.length < 14) {
      // A runt without a whole Ethernet header: the MAC never DMAs it.
      dev.stats.rx_length_errors++;
      dev.stats.rx_errors++;
      return;
    }
    const hashing = dev.rx_hashing;
    const q = this.selectRxQueue(bytes, hashing);
    if (q.rx.length >= this.rx_ring) {
      q.rx_drops++;
      dev.stats.rx_fifo_errors++;
      net.tracer.fn(null, 'stlnic_rx_ring_full', `dev=${dev.name} queue=${q.index} ring=${this.rx_ring}`);
      return;
    }
    const skb = alloc_skb(net, bytes.length, NET_SKB_PAD + NET_IP_ALIGN);
    skb.buf.set(bytes, skb.skb_put(bytes.length));
    skb.truesize = this.rxBufSize(bytes.length) + SKB_STRUCT_SIZE;
    skb.queue_mapping = q.index;
    if (hashing) {
      skb.hash = this.rxHash;
      skb.cb.l4_hash = this.rxL4 ? 1 : 0;
    }
    skb.tstamp = net.now();
    skb.dev = dev;
    if (bytes[0] & 1) {
      if (bytes[0] === 0xff && bytes[1] === 0xff) this.rx_broadcast++;
      else this.rx_multicast++;
    }
    q.rx.push(skb);
    if (net.tracer.active) net.tracer.fnf(skb, 'nic_rx_dma', fmtRxDma, dev.name, q.index, bytes.length, q.rx.length, this.rx_ring);
    this.kick(q);
  }

  /** Something for the queue's vector: interrupt, unless masked. A poll
   * that ended later than now (its CPU ran ahead) still had the vector
   * masked at this moment: it would have seen this work itself, so it is
   * polled again without a new interrupt once it has ended. */
  private kick(q: NicQueue): void {
    if (!q.irqEnabled) return;
    const now = this.net.engine.now;
    if (now >= q.unmaskAt) {
      this.raiseIrq(q);
      return;
    }
    if (q.recheckPending) return;
    q.recheckPending = true;
    this.net.engine.at(q.unmaskAt, recheckEvent, q);
  }

  recheck(q: NicQueue): void {
    q.recheckPending = false;
    if (!q.irqEnabled || !this.queues.includes(q)) return;
    if (!q.rx.length && !this.txCompleted(q)) return;
    q.irqEnabled = false;
    const net = this.net;
    const cpu = net.cpus[q.pollCpu];
    // The poll goes on: part of the same softirq run, under its limits.
    run_on_cpu_arg(net, cpu, 'softirq', repoll, q);
  }

  private raiseIrq(q: NicQueue): void {
    q.irqEnabled = false; // auto-masked (EIAM) until NAPI completes
    generic_handle_irq(this.net, q.irq);
  }

  private irqHandler(q: NicQueue): void {
    q.pollCpu = this.net.curCpu!.id;
    napi_schedule(this.net, q.napi, this.net.curCpu!);
  }

  /** The NAPI poll: TX completions, then up to `budget` received frames. */
  private poll(q: NicQueue, budget: number): number {
    const net = this.net;
    q.pollCpu = net.curCpu?.id ?? q.pollCpu;
    this.cleanTx(q);
    let work = 0;
    while (work < budget && q.rx.length) {
      const skb = q.rx.shift()!;
      net.spend(COST.driver_rx);
      q.rx_packets++;
      q.rx_bytes += skb.len;
      this.dev.stats.rx_packets++;
      this.dev.stats.rx_bytes += skb.len;
      if (net.tracer.active) net.tracer.fnf(skb, this.cleanRxIrqName(), fmtQueue, q.index);
      eth_type_trans(skb, this.dev);
      napi_gro_receive(net, q.napi, skb);
      work++;
    }
    if (work < budget) {
      napi_gro_flush(net, q.napi);
      napi_complete_done(q.napi);
      q.irqEnabled = true;
      q.unmaskAt = net.now();
      // Anything that arrived or completed meanwhile raises the IRQ again.
      if (q.rx.length || this.txCompleted(q)) this.raiseIrq(q);
    }
    return work;
  }

  /** The driver's RX function as traces name it (<kind>_clean_rx_irq). */
  private cleanRxIrqName(): string {
    const kind = this.dev.kind;
    if (this.rxIrqKind !== kind) {
      this.rxIrqKind = kind;
      this.rxIrqName = `${kind || 'stlnic'}_clean_rx_irq`;
    }
    return this.rxIrqName;
  }
  private rxIrqKind: string | null = null;
  private rxIrqName = '';

  txCompleted(q: NicQueue): boolean {
    return q.tx.length > 0 && q.tx[0].done <= this.net.now();
  }

  /** Free transmitted buffers, wake the queue when there is room again. */
  private cleanTx(q: NicQueue): void {
    const net = this.net;
    const now = net.now();
    while (q.tx.length && q.tx[0].done <= now) {
      const d = q.tx.shift()!;
      const skb = d.skb!;
      net.spend(COST.driver_tx_clean);
      q.tx_packets++;
      q.tx_bytes += d.len;
      this.dev.stats.tx_packets++;
      this.dev.stats.tx_bytes += d.len;
      // The descriptor is free again (its startTx has run: done was set).
      d.skb = null;
      this.txFree.push(d);
      if (net.tracer.active) net.tracer.fnf(skb, 'napi_consume_skb', fmtTxCompletion, q.index);
      consume_skb(skb, 'stlnic_clean_tx_irq');
    }
    if (q.txStopped && this.tx_ring - q.tx.length >= Math.min(32, this.tx_ring / 2)) {
      q.txStopped = false;
      q.tx_restart++;
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
    const wire = frame_copy(skb.buf.subarray(skb.data, skb.tail), Math.max(len, ETH_ZLEN));
    if (wire[0] & 1) {
      if (wire[0] === 0xff && wire[1] === 0xff) this.tx_broadcast++;
      else this.tx_multicast++;
    }
    // The descriptor is posted at the CPU's time (a system call's clock may run
    // ahead of the event being processed); the ring is in posting order, and
    // the MAC fetches it only when that time comes, so a reply posted by a
    // softirq meanwhile is not queued behind frames posted "in the future".
    const ready = net.now();
    let d = this.txFree.pop();
    if (d === undefined) d = { skb, len, done: Infinity, ready, q, wire: null };
    else {
      d.skb = skb;
      d.len = len;
      d.done = Infinity;
      d.ready = ready;
      d.q = q;
      d.wire = null;
    }
    let i = q.tx.length;
    while (i > 0 && q.tx[i - 1].ready > ready) i--;
    if (i === q.tx.length) q.tx.push(d);
    else q.tx.splice(i, 0, d);
    if (ready <= net.engine.now) this.startTx(q, d, wire);
    else {
      d.wire = wire;
      net.engine.at(ready, startTxEvent, d);
    }
    if (q.tx.length >= this.tx_ring) q.txStopped = true;
    return NETDEV_TX_OK;
  }

  /** The MAC takes the descriptor: serialise at line rate, then complete. */
  startTx(q: NicQueue, d: TxDesc, wire: Uint8Array): void {
    const net = this.net;
    d.wire = null;
    const start = Math.max(net.engine.now, q.txBusyUntil);
    d.done = start + Math.ceil(((wire.length + WIRE_OVERHEAD) * 8 * 1e9) / this.speedBps);
    q.txBusyUntil = d.done;
    net.wire?.transmit(this.dev, wire, d.done);
    net.engine.at(d.done, txDoneEvent, q);
  }

  txDone(q: NicQueue): void {
    if (q.tx.length && q.tx[0].done <= this.net.engine.now) this.kick(q);
  }

  tx_queue_stopped(queue: number): boolean {
    if (!this.queues.length) return true;
    return this.queues[queue % this.queues.length].txStopped;
  }

  /** ethtool -S: the driver's statistics, names and order as igb's. */
  ethtool_stats(): [string, number][] {
    const s = this.dev.stats;
    const out: [string, number][] = [
      ['rx_packets', s.rx_packets],
      ['tx_packets', s.tx_packets],
      ['rx_bytes', s.rx_bytes],
      ['tx_bytes', s.tx_bytes],
      ['rx_broadcast', this.rx_broadcast],
      ['tx_broadcast', this.tx_broadcast],
      ['rx_multicast', this.rx_multicast],
      ['tx_multicast', this.tx_multicast],
      ['multicast', this.rx_multicast],
      ['rx_missed_errors', this.rx_missed_errors],
      ['tx_timeout_count', this.tx_timeout_count],
      ['rx_errors', 0],
      ['tx_errors', 0],
      ['rx_dropped', 0],
      ['tx_dropped', 0],
      ['rx_fifo_errors', s.rx_fifo_errors],
      ['tx_fifo_errors', 0],
    ];
    for (const q of this.queues) out.push([`tx_queue_${q.index}_packets`, q.tx_packets], [`tx_queue_${q.index}_bytes`, q.tx_bytes], [`tx_queue_${q.index}_restart`, q.tx_restart]);
    for (const q of this.queues)
      out.push(
        [`rx_queue_${q.index}_packets`, q.rx_packets],
        [`rx_queue_${q.index}_bytes`, q.rx_bytes],
        [`rx_queue_${q.index}_drops`, q.rx_drops],
        [`rx_queue_${q.index}_csum_err`, q.rx_csum_err],
        [`rx_queue_${q.index}_alloc_failed`, q.rx_alloc_failed],
      );
    return out;
  }
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
  dev.flags |= IFF_UP;
  netdev_init_features(dev, { on: DEFAULT_ON, fixed: NETDEV_FEATURE_NAMES.filter((n) => !HW_FEATURES.includes(n)) });
  nic = new StlNic(net, dev, cfg);
  dev.priv = nic;
  net.devices.set(dev.ifindex, dev);
  return dev;
}
