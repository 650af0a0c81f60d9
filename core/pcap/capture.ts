// Frame capture at trace points, for pcap/pcapng export. A FrameCapture is
// hung on a host's tracer (tracer.capture); at the points it was asked for
// it copies the bytes the skb holds there, from the MAC header when the skb
// has one, else from the network header (locally built packets before
// neigh output). Off unless enabled, and bounded: past the limits frames are
// counted as lost, never kept.
import type { Net } from '../net/net_namespace.js';
import type { SkBuff } from '../net/core/skbuff.js';
import type { FrameTap } from '../net/core/trace.js';

/** Where the packet goes at a capture point. */
export type Direction = 'in' | 'out' | '';

export interface CapturedFrame {
  t: number;
  host: string;
  cpu: number;
  skb: number;
  /** The trace point (function) that saw it. */
  fn: string;
  dev: string;
  direction: Direction;
  /** True when the bytes start at an Ethernet header, false for raw IPv4. */
  l2: boolean;
  len: number;
  data: Uint8Array;
}

/** The points a per-interface capture uses: what the NIC got and what it sent. */
export const INTERFACE_POINTS: Record<string, Direction> = { netif_receive_skb: 'in', net_dev_xmit: 'out' };

export const CAPTURE_MAX_FRAMES = 200_000;
export const CAPTURE_MAX_BYTES = 64 << 20;

export class FrameCapture implements FrameTap {
  readonly frames: CapturedFrame[] = [];
  bytes = 0;
  lost = 0;

  /** points: trace point -> direction, or null for every point that has an skb. */
  constructor(
    readonly points: Record<string, Direction> | null = INTERFACE_POINTS,
    readonly maxFrames = CAPTURE_MAX_FRAMES,
    readonly maxBytes = CAPTURE_MAX_BYTES,
  ) {}

  take(net: Net, skb: SkBuff, fn: string): void {
    const dir = this.points ? this.points[fn] : (DIRECTION_OF[fn] ?? '');
    if (dir === undefined || skb.freed) return;
    // From the MAC header when there is one. Without it, the bytes at data
    // are a frame when no network header is set yet (straight off the NIC)
    // or one was pushed in front of it (arp_create); else they are IPv4.
    const mac = skb.mac_header >= 0 && skb.mac_header <= skb.data;
    const l2 = mac || skb.network_header < 0 || skb.network_header > skb.data;
    const start = mac ? skb.mac_header : skb.data;
    const len = skb.tail - start;
    if (len <= 0) return;
    if (this.frames.length >= this.maxFrames || this.bytes + len > this.maxBytes) {
      this.lost++;
      return;
    }
    this.bytes += len;
    const c = net.curCpu;
    this.frames.push({ t: net.now(), host: net.hostName, cpu: c ? c.id : -1, skb: skb.id, fn, dev: skb.dev?.name ?? '', direction: dir, l2, len, data: skb.buf.slice(start, skb.tail) });
  }
}

/** Direction of the common points for per-hook captures. */
const DIRECTION_OF: Record<string, Direction> = {
  nic_rx_dma: 'in',
  netif_receive_skb: 'in',
  netif_rx: 'in',
  ip_rcv: 'in',
  ip_local_deliver: 'in',
  ip_forward: 'out',
  ip_output: 'out',
  net_dev_queue: 'out',
  net_dev_xmit: 'out',
};

/** Turn capture on for every host of a lab (before boot). */
export function enableCapture(nets: Net[], points: Record<string, Direction> | null = INTERFACE_POINTS): FrameCapture[] {
  return nets.map((n) => (n.tracer.capture = new FrameCapture(points)));
}
