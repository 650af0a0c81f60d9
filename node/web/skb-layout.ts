// The trace points' frame tap (tracer.capture), for the app: it hands each
// skb to the frame captures (the packet list per interface, and pcap per
// kernel hook), and remembers the skb's pointers (data, tail, end and the
// header offsets) at every trace point, so the packet view can show head,
// data, tail and end moving as each layer pushes and pulls its header.
// Bounded per host: the oldest skbs' layouts are forgotten first.
import type { FrameCapture } from '../../core/pcap/capture.js';
import type { FrameTap } from '../../core/net/core/trace.js';
import type { Net } from '../../core/net/net_namespace.js';
import type { SkBuff } from '../../core/net/core/skbuff.js';
import type { SkbLayout } from '../../renderer/src/bridge/protocol.js';

/** skbs whose layouts are kept per host. */
export const LAYOUT_SKBS = 4000;

export interface LayoutAt extends SkbLayout {
  fn: string;
}

export class AppTap implements FrameTap {
  readonly layouts = new Map<number, LayoutAt[]>();

  constructor(
    readonly iface: FrameCapture,
    readonly hooks: FrameCapture,
    readonly maxSkbs = LAYOUT_SKBS,
  ) {}

  take(net: Net, skb: SkBuff, fn: string): void {
    this.iface.take(net, skb, fn);
    this.hooks.take(net, skb, fn);
    let l = this.layouts.get(skb.id);
    if (!l) {
      if (this.layouts.size >= this.maxSkbs) this.layouts.delete(this.layouts.keys().next().value as number);
      this.layouts.set(skb.id, (l = []));
    }
    if (l.length < 256) l.push({ fn, data: skb.data, tail: skb.tail, end: skb.end, mac: skb.mac_header, network: skb.network_header, transport: skb.transport_header });
  }
}
