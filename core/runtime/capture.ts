// Frame capture for the app, in whichever process runs a host. At every
// trace point that has an skb, a host's CaptureTap takes the frame's bytes
// (kept for the packet list when the point is an interface point, for pcap
// export per kernel hook in any case) and the skb's pointers (head, data,
// tail, end and the header offsets: the sk_buff view). What it takes goes to
// a CaptureSink: inline straight into the host's CaptureStore; in a host
// process into the next reply (a WireCapture, like trace records) and from
// there into the same kind of store in the parent. The bounds are the tap's,
// counted per host in event order, so the store holds the same frames and
// the same losses whether the host runs inline or in a process.
import type { Net } from '../net/net_namespace.js';
import type { SkBuff } from '../net/core/skbuff.js';
import type { FrameTap } from '../net/core/trace.js';
import type { Coordinator } from './coordinator.js';
import type { HostSnapshotView } from '../host/snapshot.js';
import { FrameCapture, INTERFACE_POINTS, CAPTURE_MAX_BYTES, CAPTURE_MAX_FRAMES, type CapturedFrame, type Direction } from '../pcap/capture.js';

/** What to capture and how much per host (frames past a bound are counted as lost). */
export interface CaptureOptions {
  ifaceFrames: number;
  ifaceBytes: number;
  hookFrames: number;
  hookBytes: number;
}

/** The app's bounds for a lab of `hosts` hosts: the packet list as a
 * per-interface capture, and per-hook frames sharing 256 MiB. */
export function appCaptureOptions(hosts: number): CaptureOptions {
  const n = Math.max(1, hosts);
  return { ifaceFrames: CAPTURE_MAX_FRAMES, ifaceBytes: CAPTURE_MAX_BYTES, hookFrames: 100_000, hookBytes: Math.min(32 << 20, Math.floor((256 << 20) / n)) };
}

/** sk_buff pointers at trace point `fn`: offsets into the buffer (head is
 * 0; -1: header not set), as the renderer's SkbLayout shows them. */
export type LayoutAt = { fn: string } & Record<'data' | 'tail' | 'end' | 'mac' | 'network' | 'transport', number>;

/** skbs whose layouts are kept per host, and steps kept per skb. */
export const LAYOUT_SKBS = 4000;
export const LAYOUT_STEPS = 256;

export interface CaptureSink {
  frame(f: CapturedFrame, iface: boolean, hook: boolean): void;
  layout(skb: number, l: LayoutAt): void;
  /** Totals lost so far (the tap's bounds). */
  lost(iface: number, hook: number): void;
}

/** The tap on one host's tracer (tracer.capture). */
export class CaptureTap implements FrameTap {
  /** Copies the frame as a per-hook FrameCapture would; drained at once. */
  private readonly probe = new FrameCapture(null, Infinity, Infinity);
  private ifaceFrames = 0;
  private ifaceBytes = 0;
  private hookFrames = 0;
  private hookBytes = 0;
  private ifaceLost = 0;
  private hookLost = 0;

  constructor(
    private readonly opts: CaptureOptions,
    private readonly sink: CaptureSink,
  ) {}

  take(net: Net, skb: SkBuff, fn: string): void {
    this.probe.take(net, skb, fn);
    const f = this.probe.frames.pop();
    this.probe.bytes = 0;
    if (f) {
      // The interface points' directions are the same in both tables.
      let iface = INTERFACE_POINTS[fn] !== undefined;
      if (iface && (this.ifaceFrames >= this.opts.ifaceFrames || this.ifaceBytes + f.len > this.opts.ifaceBytes)) {
        iface = false;
        this.ifaceLost++;
      }
      let hook = true;
      if (this.hookFrames >= this.opts.hookFrames || this.hookBytes + f.len > this.opts.hookBytes) {
        hook = false;
        this.hookLost++;
      }
      if (iface) (this.ifaceFrames++, (this.ifaceBytes += f.len));
      if (hook) (this.hookFrames++, (this.hookBytes += f.len));
      if (iface || hook) this.sink.frame(f, iface, hook);
      if (!iface || !hook) this.sink.lost(this.ifaceLost, this.hookLost);
    }
    this.sink.layout(skb.id, { fn, data: skb.data, tail: skb.tail, end: skb.end, mac: skb.mac_header, network: skb.network_header, transport: skb.transport_header });
  }
}

/** What the app reads of one host's capture. */
export class CaptureStore implements CaptureSink {
  readonly iface: CapturedFrame[] = [];
  readonly hooks: CapturedFrame[] = [];
  ifaceLost = 0;
  hookLost = 0;
  /** skb id -> its pointers at each trace point, oldest skbs forgotten first. */
  readonly layouts = new Map<number, LayoutAt[]>();

  frame(f: CapturedFrame, iface: boolean, hook: boolean): void {
    if (iface) this.iface.push(f);
    if (hook) this.hooks.push(f);
  }

  layout(skb: number, l: LayoutAt): void {
    let steps = this.layouts.get(skb);
    if (!steps) {
      if (this.layouts.size >= LAYOUT_SKBS) this.layouts.delete(this.layouts.keys().next().value as number);
      this.layouts.set(skb, (steps = []));
    }
    if (steps.length < LAYOUT_STEPS) steps.push(l);
  }

  lost(iface: number, hook: number): void {
    this.ifaceLost = iface;
    this.hookLost = hook;
  }
}

// ---- on the wire (host process -> parent, in replies)

/** [host, t, cpu, skb, fn, dev, direction, flags (1 iface, 2 hook, 4 l2), len] */
export type WireFrame = [host: number, t: number, cpu: number, skb: number, fn: string, dev: string, dir: Direction, flags: number, len: number];
/** [host, skb, fn, data, tail, end, mac, network, transport] */
export type WireLayout = [host: number, skb: number, fn: string, data: number, tail: number, end: number, mac: number, network: number, transport: number];

/** Captures of one reply: frame bytes one after another in `bytes`. */
export interface WireCapture {
  frames: WireFrame[];
  bytes: ArrayBuffer | null;
  layouts: WireLayout[];
  /** [host, iface lost, hook lost]: totals, for hosts whose losses grew. */
  lost: [number, number, number][];
}

/** Collects the captures of every host of a process until the next reply. */
export class WireCaptureWriter {
  private frames: WireFrame[] = [];
  private chunks: Uint8Array[] = [];
  private size = 0;
  private layouts: WireLayout[] = [];
  private lost = new Map<number, [number, number, number]>();

  /** The sink for host `h` (its index in the topology). */
  sinkFor(h: number): CaptureSink {
    return {
      frame: (f, iface, hook) => {
        this.frames.push([h, f.t, f.cpu, f.skb, f.fn, f.dev, f.direction, (iface ? 1 : 0) | (hook ? 2 : 0) | (f.l2 ? 4 : 0), f.len]);
        this.chunks.push(f.data);
        this.size += f.data.length;
      },
      layout: (skb, l) => void this.layouts.push([h, skb, l.fn, l.data, l.tail, l.end, l.mac, l.network, l.transport]),
      lost: (iface, hook) => void this.lost.set(h, [h, iface, hook]),
    };
  }

  /** What was captured since the last take, or null. */
  take(): WireCapture | null {
    if (!this.frames.length && !this.layouts.length && !this.lost.size) return null;
    let bytes: ArrayBuffer | null = null;
    if (this.size) {
      const u8 = new Uint8Array(this.size);
      let o = 0;
      for (const c of this.chunks) {
        u8.set(c, o);
        o += c.length;
      }
      bytes = u8.buffer;
    }
    const w: WireCapture = { frames: this.frames, bytes, layouts: this.layouts, lost: [...this.lost.values()] };
    this.frames = [];
    this.chunks = [];
    this.size = 0;
    this.layouts = [];
    this.lost = new Map();
    return w;
  }
}

/** Hand a reply's captures to the hosts' stores (parent side). */
export function readWireCapture(w: WireCapture, storeOf: (h: number) => CaptureStore | undefined, hostName: (h: number) => string): void {
  const u8 = w.bytes ? new Uint8Array(w.bytes) : new Uint8Array(0);
  let o = 0;
  for (const [h, t, cpu, skb, fn, dev, direction, flags, len] of w.frames) {
    const data = u8.slice(o, o + len);
    o += len;
    storeOf(h)?.frame({ t, host: hostName(h), cpu, skb, fn, dev, direction, l2: (flags & 4) !== 0, len, data }, (flags & 1) !== 0, (flags & 2) !== 0);
  }
  for (const [h, skb, fn, data, tail, end, mac, network, transport] of w.layouts) storeOf(h)?.layout(skb, { fn, data, tail, end, mac, network, transport });
  for (const [h, iface, hook] of w.lost) storeOf(h)?.lost(iface, hook);
}

/** Capture on (or off) on every host of a lab, between windows. */
export function setLabCapture(lab: Coordinator, opts: CaptureOptions | null): Promise<void> {
  return lab.atBoundary(() => {
    const ps = lab.groups.map((g) => g.setCapture?.(opts)).filter((p): p is Promise<void> => !!p);
    if (ps.length) return Promise.all(ps).then(() => undefined);
  });
}

/** Host h's capture (undefined when capture was never turned on). */
export function captureOf(lab: Coordinator, h: number): CaptureStore | undefined {
  return lab.groupOf[h].captureOf?.(h);
}

/** Host h's kernel state at the lab's time, taken between windows
 * (undefined while its process is down). */
export async function hostInternals(lab: Coordinator, h: number): Promise<HostSnapshotView | undefined> {
  let out: HostSnapshotView | undefined;
  await lab.atBoundary(() => {
    const r = lab.groupOf[h].internals?.(h, lab.now);
    if (r instanceof Promise) return r.then((v) => void (out = v));
    out = r;
  });
  return out;
}
