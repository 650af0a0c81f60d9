// The typed messages between the coordinator (the parent, which owns the
// topology and the clock) and a host process that runs one or several hosts.
// Every request gets exactly one reply carrying the process's next event
// time, so the coordinator can choose the next window without asking again.
// Frames travel packed in one ArrayBuffer per message: one message per
// process per window, never one per frame.
import type { Topology } from '../lab/topology.js';
import type { OutFrame } from '../host/host.js';
import type { TraceRecord } from '../net/core/trace.js';
import type { CaptureOptions, WireCapture } from './capture.js';
import type { HostSnapshotView } from '../host/snapshot.js';

/** Bumped when a message changes shape; boot refuses a mismatch. */
export const HOST_PROTOCOL_VERSION = 1;

/** Work that touches hosts carries the frames queued for them since the last
 * message (delivered first, in exchange order) and the coordinator's time
 * (`at`: hosts that sat out windows catch up to it; no event is skipped). */
interface HostWork {
  id: number;
  /** packFrames() of the inbound frames, or null. */
  frames: ArrayBuffer | null;
}

interface HostOp extends HostWork {
  at: number;
}

export type ToHost =
  /** Build `hosts` (indices into topo.hosts) with clocks at `at`. `reboot`
   * (a restart): run those hosts' exec lines from `at`, reporting as `cmd`
   * (a first boot runs them through the coordinator instead). */
  | { t: 'boot'; id: number; v: number; topo: Topology; hosts: number[]; at: number; trace: boolean; counters: boolean; reboot: [host: number, cmd: number][]; testHooks?: boolean; capture?: CaptureOptions }
  /** Run every host here up to `end` (exclusive). */
  | (HostWork & { t: 'window'; end: number })
  /** Start a shell line. stdin 'pipe' takes `input` messages; `session` keeps
   * an interactive shell's state across lines (a terminal). */
  | (HostOp & { t: 'exec'; host: number; cmd: number; line: string; stdin: 'null' | 'pipe'; session?: number })
  /** Text for a command's stdin; null closes it (Ctrl-D). */
  | (HostOp & { t: 'input'; cmd: number; text: string | null })
  /** SIGINT to a command's job (Ctrl-C). */
  | (HostOp & { t: 'signal'; cmd: number })
  /** Trace on/off; counters: report the counters of hosts that ran with every window reply. */
  | { t: 'subscribe'; id: number; trace: boolean; counters: boolean }
  /** internals: the kernel state of these hosts too, their clocks brought to `at` first. */
  | { t: 'snapshot'; id: number; internals?: number[]; at?: number }
  /** Frame capture on (null: off); captures then ride in every reply. */
  | { t: 'capture'; id: number; opts: CaptureOptions | null }
  | { t: 'ping'; id: number }
  | { t: 'shutdown'; id: number }
  /** Test-only (boot with testHooks): stop answering, or die. */
  | { t: 'debug'; id: number; op: 'hang' | 'crash' };

/** A trace record on the wire: host index instead of its name. */
export type WireTrace = [host: number, t: number, cpu: number, skb: number, fn: string, info?: string];

/** Counters of one host (exact as of the last window it ran). */
export interface HostCounters {
  host: string;
  now: number;
  events: number;
  /** skbs allocated and not yet freed. */
  outstanding: number;
  /** Frames lost on links this host sent on. */
  lostFrames: number;
  traceLost: number;
  devices: { name: string; ifindex: number; rx_packets: number; tx_packets: number; rx_bytes: number; tx_bytes: number; rx_dropped: number; tx_dropped: number; rx_missed_errors: number }[];
}

/** A host's state summary for the app (and tests). */
export interface HostSnapshot extends HostCounters {
  nextEvent: number;
  pendingEvents: number;
  tasks: { pid: number; argv: string[] }[];
}

export interface FromHost {
  t: 'reply';
  id: number;
  /** Earliest pending event of any host here (Infinity when none). */
  next: number;
  /** packFrames() of frames sent during this request. */
  out?: ArrayBuffer;
  /** [cmd, 1 stdout | 2 stderr, text] in the order written. */
  io?: [number, 1 | 2, string][];
  /** [cmd, exit status] */
  exits?: [number, number][];
  trace?: WireTrace[];
  counters?: HostCounters[];
  snapshot?: HostSnapshot[];
  /** Kernel state of the hosts a snapshot asked `internals` of, in that order. */
  internals?: HostSnapshotView[];
  /** Frames and skb layouts captured during this request. */
  capture?: WireCapture;
  error?: string;
}

/** One direction of a connection to a host process (child_process IPC,
 * Electron's parentPort, a MessagePort, or a direct call in tests). */
export interface Channel {
  send(msg: ToHost, transfer?: ArrayBuffer[]): void;
  onMessage(fn: (msg: FromHost) => void): void;
  /** The same process over a synchronous connection, where it has one
   * (blocking pipes, node/runtime/fifo_channel.ts); then every request
   * goes there and send/onMessage are not used. */
  syncChannel?(): SyncChannel | null;
}

/** A connection a request can be written to and its reply read without the
 * event loop: the coordinator writes a window to every process, then reads
 * every reply, so the processes run the window in parallel. */
export interface SyncChannel {
  /** Write a request (the reply is read later by receive()). */
  post(msg: ToHost): void;
  /** The next reply, waiting for it; null once the process is gone (EOF). */
  receive(): FromHost | null;
}

// Frame batch layout, little endian, each frame 8-byte aligned:
//   f64 arrival, f64 seq, u32 fromHost, u32 toHost, u32 toIfindex, u32 len, bytes
const HDR = 32;
const pad8 = (n: number) => (n + 7) & ~7;

export function packFrames(frames: readonly OutFrame[]): ArrayBuffer {
  let size = 0;
  for (const f of frames) size += HDR + pad8(f.bytes.length);
  const buf = new ArrayBuffer(size);
  const dv = new DataView(buf);
  const u8 = new Uint8Array(buf);
  let o = 0;
  for (const f of frames) {
    dv.setFloat64(o, f.arrival, true);
    dv.setFloat64(o + 8, f.seq, true);
    dv.setUint32(o + 16, f.fromHost, true);
    dv.setUint32(o + 20, f.toHost, true);
    dv.setUint32(o + 24, f.toIfindex, true);
    dv.setUint32(o + 28, f.bytes.length, true);
    u8.set(f.bytes, o + HDR);
    o += HDR + pad8(f.bytes.length);
  }
  return buf;
}

/** Frames out of a batch; their bytes are views into `buf` (receivers copy). */
export function unpackFrames(buf: ArrayBuffer | Uint8Array, into: OutFrame[] = []): OutFrame[] {
  const u8 = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  let o = 0;
  while (o < u8.byteLength) {
    const len = dv.getUint32(o + 28, true);
    into.push({
      arrival: dv.getFloat64(o, true),
      seq: dv.getFloat64(o + 8, true),
      fromHost: dv.getUint32(o + 16, true),
      toHost: dv.getUint32(o + 20, true),
      toIfindex: dv.getUint32(o + 24, true),
      bytes: u8.subarray(o + HDR, o + HDR + len),
    });
    o += HDR + pad8(len);
  }
  return into;
}

export function toWireTrace(host: number, r: TraceRecord): WireTrace {
  return r.info === undefined ? [host, r.t, r.cpu, r.skb, r.fn] : [host, r.t, r.cpu, r.skb, r.fn, r.info];
}

export function fromWireTrace(w: WireTrace, hostName: string): TraceRecord {
  const r: TraceRecord = { t: w[1], host: hostName, cpu: w[2], skb: w[3], fn: w[4] };
  if (w.length > 5) r.info = w[5];
  return r;
}
