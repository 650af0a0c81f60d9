// net/packet/af_packet.c: PF_PACKET sockets, what libpcap opens for tcpdump.
// A socket bound to one device (or to none: "any") registers a tap in
// ptype_all (dev_add_pack). The stack calls the tap from
// __netif_receive_skb_core for every received frame and from
// dev_queue_xmit_nit (dev_hard_start_xmit) for every transmitted one, i.e.
// before the IP layer and netfilter see a received packet. packet_rcv runs
// the socket filter (sk_filter, the compiled tcpdump expression), counts
// the packet in tp_packets, and queues a copy of the frame from its MAC
// header, or counts a drop when the receive buffer is full.
import type { Net } from '../net_namespace.js';
import type { SkBuff } from '../core/skbuff.js';
import { PACKET_OUTGOING } from '../core/skbuff.js';
import type { NetDevice } from '../core/netdevice.js';
import { dev_add_pack, dev_remove_pack, type PacketTap } from '../core/dev.js';
import { WaitQueue } from '../../kernel/wait.js';

/** What recvmsg on a packet socket returns: the frame and its sockaddr_ll. */
export interface PacketFrame {
  /** Virtual time the tap saw the frame (ns); the packet's timestamp. */
  tstamp: number;
  ifindex: number;
  /** PACKET_HOST, PACKET_BROADCAST, ..., PACKET_OUTGOING (sll_pkttype). */
  pkt_type: number;
  /** ARPHRD_* of the device (sll_hatype). */
  hatype: number;
  /** Link-layer protocol (sll_protocol), host order. */
  protocol: number;
  /** Length of the frame on the device, before snaplen cut it. */
  len: number;
  /** The frame from its MAC header, at most snaplen bytes (a copy). */
  data: Uint8Array;
}

/** The socket filter: true to accept (sk_filter returning non-zero). */
export type SkFilter = (frame: Uint8Array, len: number) => boolean;

/** net.core.rmem_default: the receive buffer a packet socket starts with. */
export const PACKET_RCVBUF = 212_992;

export class PacketSock {
  /** 0 when bound to no device (ETH_P_ALL on every device). */
  ifindex = 0;
  filter: SkFilter | null = null;
  /** Bytes kept per frame (tp_snaplen / libpcap's snapshot length). */
  snaplen = 262_144;
  readonly receive_queue: PacketFrame[] = [];
  /** Memory charged to the socket (sk_rmem_alloc, truesize per frame). */
  rmem_alloc = 0;
  rcvbuf = PACKET_RCVBUF;
  // PACKET_STATISTICS (struct tpacket_stats)
  tp_packets = 0;
  tp_drops = 0;
  readonly wq = new WaitQueue();
  readonly tap: PacketTap;
  closed = false;
  /** TPACKET_V3 ring: frames fill a block that user space sees only once it
   * is retired, when the block timer (tp_retire_blk_tov) fires. 0 means
   * every frame is readable at once (libpcap's immediate mode). */
  retire_blk_tov_ns = 0;
  /** Frames of receive_queue already in retired blocks. */
  private retired = 0;
  /** The block timer runs from the time the ring was set up. */
  private readonly created: number;
  private timerArmed = false;

  constructor(readonly net: Net) {
    this.created = net.now();
    this.tap = { dev: null, rcv: (skb, dev, outgoing) => packet_rcv(this, skb, dev, outgoing) };
  }

  /** Frames user space may read now. */
  get readable(): number {
    return this.retire_blk_tov_ns ? this.retired : this.receive_queue.length;
  }

  /** A frame went into the open block: retire it at the next timer tick
   * (prb_retire_rx_blk_timer_expired), then wake the reader. */
  blockFilled(): void {
    if (!this.retire_blk_tov_ns) {
      this.wq.wake_up();
      return;
    }
    if (this.timerArmed) return;
    this.timerArmed = true;
    const tov = this.retire_blk_tov_ns;
    const now = this.net.now();
    const at = this.created + Math.max(1, Math.ceil((now - this.created) / tov)) * tov;
    this.net.engine.at(at, () => {
      this.timerArmed = false;
      if (this.closed) return;
      this.retired = this.receive_queue.length;
      this.wq.wake_up();
    });
  }

  /** recvmsg took the head frame. */
  consumed(): void {
    if (this.retired > 0) this.retired--;
  }
}

/** socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)) + bind(sll_ifindex). */
export function packet_create(net: Net, dev: NetDevice | null): PacketSock {
  const po = new PacketSock(net);
  po.ifindex = dev ? dev.ifindex : 0;
  po.tap.dev = dev;
  dev_add_pack(net, po.tap);
  return po;
}

/** SO_ATTACH_FILTER: later frames must pass `f`. */
export function packet_attach_filter(po: PacketSock, f: SkFilter | null): void {
  po.filter = f;
}

/** packet_rcv: called by the taps with the skb the stack is working on.
 * Never consumes it: the copy kept is our own (skb_clone + trim in Linux). */
export function packet_rcv(po: PacketSock, skb: SkBuff, dev: NetDevice, outgoing: boolean): void {
  if (po.closed) return;
  // The frame from the MAC header: received frames have Ethernet pulled
  // (data at the network header); transmitted ones start at it.
  const start = skb.mac_header >= 0 && skb.mac_header <= skb.data ? skb.mac_header : skb.data;
  const frame = skb.buf.subarray(start, skb.tail);
  const len = frame.length;
  if (po.filter && !po.filter(frame, len)) return; // run_filter: not for us, not counted
  const snap = Math.min(len, po.snaplen);
  const truesize = snap + 256;
  if (po.rmem_alloc + truesize > po.rcvbuf) {
    po.tp_drops++; // atomic_inc(&po->tp_drops): the receive buffer is full
    return;
  }
  po.rmem_alloc += truesize;
  po.tp_packets++;
  po.receive_queue.push({
    tstamp: po.net.now(),
    ifindex: dev.ifindex,
    pkt_type: outgoing ? PACKET_OUTGOING : skb.pkt_type,
    hatype: dev.type,
    protocol: skb.protocol,
    len,
    data: frame.slice(0, snap),
  });
  po.blockFilled();
}

/** recvmsg: the next frame, or null when none is queued. */
export function packet_recvmsg(po: PacketSock): PacketFrame | null {
  if (!po.readable) return null;
  const f = po.receive_queue.shift();
  if (!f) return null;
  po.consumed();
  po.rmem_alloc -= Math.min(f.len, po.snaplen) + 256;
  return f;
}

/** getsockopt(PACKET_STATISTICS): tp_packets includes drops; both reset on read. */
export function packet_statistics(po: PacketSock): { tp_packets: number; tp_drops: number } {
  const st = { tp_packets: po.tp_packets + po.tp_drops, tp_drops: po.tp_drops };
  po.tp_packets = 0;
  po.tp_drops = 0;
  return st;
}

/** packet_release: unhook the tap and free what is still queued. */
export function packet_release(po: PacketSock): void {
  if (po.closed) return;
  po.closed = true;
  dev_remove_pack(po.net, po.tap);
  po.receive_queue.length = 0;
  po.rmem_alloc = 0;
}
