// One observability mechanism (design rule 7): every modelled function an skb
// passes records (time, host, cpu, skb, function[, detail]) when tracing is
// on, and every skb's end (consumed, dropped with a reason) is recorded.
// Consumers (--trace, the packet list, pcap, digests) read these records.
//
// A flood makes tens of records per packet, so records are kept in a ring
// of numbers (time, cpu, skb, function name id, the detail's numeric
// arguments in a Float64Array) plus a small array of references (detail
// formatter or text, string arguments), and become TraceRecord objects only
// when someone reads `records`. A detail given as a formatter plus values
// (fnf) is formatted only then: nothing is built per packet, and the
// garbage collector has little to scan. Hot paths guard detail-building
// calls with `if (net.tracer.active)` (tracing or capture on).
import type { Net } from '../net_namespace.js';
import type { SkBuff } from './skbuff.js';
import type { DropReason } from './dropreason.js';

export interface TraceRecord {
  /** Virtual time, ns. */
  t: number;
  host: string;
  cpu: number;
  /** skb id within the host, 0 for records not about one packet. */
  skb: number;
  fn: string;
  info?: string;
}

/** Builds a record's detail from the values stored with it (up to eight),
 * when shown. Must be a pure function of its arguments (module-level, no
 * closure over state that changes). */
export type TraceFmt = (a: any, b: any, c: any, d: any, e: any, f: any, g: any, h: any) => string;

/** Takes a copy of the frame an skb holds at a trace point (bounded by its owner). */
export interface FrameTap {
  take(net: Net, skb: SkBuff, fn: string): void;
}

/** Bound on records kept per host; older ones are dropped and counted. */
export const TRACE_LIMIT = 1_000_000;

/** Per record: [t, cpu, skb, kinds, arg0..arg7] in a Float64Array chunk,
 * [function name, info text or formatter, up to three non-number arguments]
 * in an array chunk. kinds has two bits per argument: 0 a number (in the
 * typed chunk), 1 a reference (next ref slot), 2 undefined. Chunks hold
 * CHUNK records and are allocated as the ring first reaches them, so the
 * ring never copies and costs nothing until records are made. */
const NUM = 12;
const REF = 5;
const ARGS = 8;
const CHUNK_SHIFT = 12;
const CHUNK = 1 << CHUNK_SHIFT;
/** kinds with arguments k..7 marked undefined. */
const UNDEFINED_FROM = Array.from({ length: ARGS + 1 }, (_, k) => {
  let m = 0;
  for (let j = k; j < ARGS; j++) m |= 2 << (2 * j);
  return m;
});

const fmtReason: TraceFmt = (where, reason) => `${where} reason: ${reason}`;

export class Tracer {
  private _on = false;
  private _capture: FrameTap | null = null;
  /** Tracing or capture is on: hot paths test this before building details. */
  active = false;
  lost = 0;
  /** Records kept at most (older ones are dropped and counted in lost); set before the first record. */
  limit = TRACE_LIMIT;
  /** Live subscribers (the app's packet view). */
  listeners: ((r: TraceRecord) => void)[] = [];

  // The ring: record k (counted from 0 since creation) sits at slot
  // k % limit; chunk s >> CHUNK_SHIFT holds slot s.
  private nums: Float64Array[] = [];
  private refs: unknown[][] = [];
  /** Next record's number, and the oldest kept one's. */
  private head = 0;
  private first = 0;
  /** Slot of record `head`. */
  private w = 0;
  // `records` as objects: view[i] is record viewFirst + i; built up to viewEnd.
  private view: TraceRecord[] = [];
  private viewFirst = 0;
  private viewEnd = 0;

  constructor(private net: Net) {}

  /** Per-packet path tracing (pwru-like). Off unless asked for. */
  get on(): boolean {
    return this._on;
  }
  set on(v: boolean) {
    this._on = v;
    this.active = v || this._capture !== null;
  }

  /** Frame capture for pcap export (core/pcap/capture.ts); null unless asked for. */
  get capture(): FrameTap | null {
    return this._capture;
  }
  set capture(c: FrameTap | null) {
    this._capture = c;
    this.active = this._on || c !== null;
  }

  fn(skb: SkBuff | null, fn: string, info?: string): void {
    if (this._capture !== null && skb) this._capture.take(this.net, skb, fn);
    if (!this._on) return;
    this.push(skb, fn, info);
    if (this.listeners.length) this.notify();
  }

  /** fn() with the detail fmt(a, ..., h), formatted only when the record is read. */
  fnf(skb: SkBuff | null, fn: string, fmt: TraceFmt, a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown, f?: unknown, g?: unknown, h?: unknown): void {
    if (this._capture !== null && skb) this._capture.take(this.net, skb, fn);
    if (!this._on) return;
    const s = this.push(skb, fn, fmt);
    const num = this.nums[s >> CHUNK_SHIFT];
    const ref = this.refs[s >> CHUNK_SHIFT];
    const o = (s & (CHUNK - 1)) * REF;
    const n = (s & (CHUNK - 1)) * NUM;
    const last = h !== undefined ? 8 : g !== undefined ? 7 : f !== undefined ? 6 : e !== undefined ? 5 : d !== undefined ? 4 : c !== undefined ? 3 : b !== undefined ? 2 : a !== undefined ? 1 : 0;
    // Numbers go to the typed chunk, anything else to the next ref slot;
    // arguments from `last` on are undefined.
    this.kinds = UNDEFINED_FROM[last];
    this.r = o + 2;
    this.overflow = false;
    if (last > 0) this.put(num, ref, n, o, 0, a);
    if (last > 1) this.put(num, ref, n, o, 1, b);
    if (last > 2) this.put(num, ref, n, o, 2, c);
    if (last > 3) this.put(num, ref, n, o, 3, d);
    if (last > 4) this.put(num, ref, n, o, 4, e);
    if (last > 5) this.put(num, ref, n, o, 5, f);
    if (last > 6) this.put(num, ref, n, o, 6, g);
    if (last > 7) this.put(num, ref, n, o, 7, h);
    let kinds = this.kinds;
    if (this.overflow) {
      // More non-number values than slots: keep the text instead.
      ref[o + 1] = fmt(a, b, c, d, e, f, g, h);
      kinds = 0;
    }
    num[n + 3] = kinds;
    if (this.listeners.length) this.notify();
  }

  /** A warning (a kernel log line, a simulator bound hit): recorded even
   * when per-packet tracing is off. */
  warn(skb: SkBuff | null, fn: string, info: string): void {
    this.push(skb, fn, info);
    if (this.listeners.length) this.notify();
  }

  /** skb:kfree_skb / skb:consume_skb. */
  free(skb: SkBuff, reason: DropReason | null, where: string): void {
    if (!this._on) return;
    if (reason) this.fnf(skb, 'kfree_skb', fmtReason, where, reason);
    else this.fn(skb, 'consume_skb', where);
  }

  /** Every kept record, oldest first. The array is the tracer's own: a
   * consumer may empty it (length = 0) to drop what it has taken. */
  get records(): TraceRecord[] {
    const view = this.view;
    // A consumer cut records off the front: they are gone from the ring too.
    if (view.length < this.viewEnd - this.viewFirst) {
      this.viewFirst = this.viewEnd - view.length;
      if (this.viewFirst > this.first) this.first = this.viewFirst;
    }
    if (this.first > this.viewFirst) {
      const drop = Math.min(this.first - this.viewFirst, view.length);
      if (drop === view.length) view.length = 0;
      else view.splice(0, drop);
      this.viewFirst = this.first;
    }
    if (this.viewFirst + view.length < this.first) this.viewFirst = this.first - view.length;
    for (let k = this.viewFirst + view.length; k < this.head; k++) view.push(this.record(this.slotOf(k)));
    this.viewEnd = this.head;
    return view;
  }

  /** Records made since creation (kept or not). */
  get total(): number {
    return this.head;
  }

  private slotOf(k: number): number {
    let s = this.w - (this.head - k);
    if (s < 0) s += this.limit;
    return s;
  }

  private record(s: number): TraceRecord {
    const num = this.nums[s >> CHUNK_SHIFT];
    const ref = this.refs[s >> CHUNK_SHIFT];
    const n = (s & (CHUNK - 1)) * NUM;
    const o = (s & (CHUNK - 1)) * REF;
    const r: TraceRecord = { t: num[n], host: this.net.hostName, cpu: num[n + 1], skb: num[n + 2], fn: ref[o] as string };
    const info = ref[o + 1];
    if (typeof info === 'string') r.info = info;
    else if (info !== undefined) {
      const kinds = num[n + 3];
      const v: unknown[] = [];
      let q = o + 2;
      for (let k = 0; k < ARGS; k++) {
        const kind = (kinds >> (2 * k)) & 3;
        v.push(kind === 0 ? num[n + 4 + k] : kind === 1 ? ref[q++] : undefined);
      }
      r.info = (info as TraceFmt)(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
    }
    return r;
  }

  /** Make a record without detail values; returns its slot. */
  private push(skb: SkBuff | null, fn: string, info: string | TraceFmt | undefined): number {
    if (this.head - this.first >= this.limit) {
      this.first = this.head - this.limit + 1;
      this.lost++;
    }
    const s = this.w;
    const c = s >> CHUNK_SHIFT;
    let num = this.nums[c];
    if (num === undefined) num = this.chunk(c);
    const ref = this.refs[c];
    const n = (s & (CHUNK - 1)) * NUM;
    const o = (s & (CHUNK - 1)) * REF;
    const cpu = this.net.curCpu;
    num[n] = cpu !== null ? cpu.clock : this.net.engine.now;
    num[n + 1] = cpu !== null ? cpu.id : -1;
    num[n + 2] = skb !== null ? skb.id : 0;
    ref[o] = fn;
    ref[o + 1] = info;
    this.pushed = s;
    this.head++;
    this.w = s + 1 >= this.limit ? 0 : s + 1;
    return s;
  }

  /** Slot of the record push() just made. */
  private pushed = 0;
  // fnf's scratch: kinds being built, next ref slot, out of ref slots.
  private kinds = 0;
  private r = 0;
  private overflow = false;

  private put(num: Float64Array, ref: unknown[], n: number, o: number, k: number, v: unknown): void {
    if (typeof v === 'number') num[n + 4 + k] = v;
    else if (v === undefined) this.kinds |= 2 << (2 * k);
    else if (this.r < o + REF) {
      ref[this.r++] = v;
      this.kinds |= 1 << (2 * k);
    } else this.overflow = true;
  }

  private chunk(c: number): Float64Array {
    while (this.nums.length <= c) {
      this.nums.push(new Float64Array(CHUNK * NUM));
      this.refs.push(new Array(CHUNK * REF).fill(undefined));
    }
    return this.nums[c];
  }

  /** Live subscribers see the record just made (complete with its values). */
  private notify(): void {
    const r = this.record(this.pushed);
    for (const l of this.listeners) l(r);
  }
}
