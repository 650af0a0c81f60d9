// One observability mechanism (design rule 7): every modelled function an skb
// passes records (time, host, cpu, skb, function[, detail]) when tracing is
// on, and every skb's end (consumed, dropped with a reason) is recorded.
// Consumers (--trace, the packet list, pcap, digests) read these records.
//
// A flood makes tens of records per packet, so records are kept as numbers
// and references in a ring (typed array for time/cpu/skb; function name,
// detail formatter and its arguments in a plain array) and become
// TraceRecord objects only when someone reads `records`. A detail given as a
// formatter plus values (fnf) is formatted only then: nothing is built per
// packet but the slots. Hot paths guard detail-building calls with
// `if (net.tracer.active)` (tracing or capture on).
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

/** Builds a record's detail from the values stored with it, when shown.
 * Must be a pure function of its arguments (module-level, no closure over
 * state that changes). */
export type TraceFmt = (a: any, b: any, c: any, d: any, e: any) => string;

/** Takes a copy of the frame an skb holds at a trace point (bounded by its owner). */
export interface FrameTap {
  take(net: Net, skb: SkBuff, fn: string): void;
}

/** Bound on records kept per host; older ones are dropped and counted. */
export const TRACE_LIMIT = 1_000_000;

/** Slots per record: [t, cpu, skb] in `num`, [fn, info|fmt, a, b, c, d, e] in `ref`. */
const NUM = 3;
const REF = 7;
const FIRST_CAP = 1024;

const fmtReason: TraceFmt = (where, reason) => `${where} reason: ${reason}`;

export class Tracer {
  private _on = false;
  private _capture: FrameTap | null = null;
  /** Tracing or capture is on: hot paths test this before building details. */
  active = false;
  lost = 0;
  /** Live subscribers (the app's packet view). */
  listeners: ((r: TraceRecord) => void)[] = [];

  // The ring: record k (counted from 0 since creation) sits at slot k % cap
  // once the ring is full; before that the arrays grow and never wrap.
  private cap = 0;
  private num = new Float64Array(0);
  private ref: unknown[] = [];
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
    this.push(skb, fn, info, undefined, undefined, undefined, undefined, undefined);
  }

  /** fn() with the detail fmt(a, b, c, d, e), formatted only when the record is read. */
  fnf(skb: SkBuff | null, fn: string, fmt: TraceFmt, a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown): void {
    if (this._capture !== null && skb) this._capture.take(this.net, skb, fn);
    if (!this._on) return;
    this.push(skb, fn, fmt, a, b, c, d, e);
  }

  /** A warning (a kernel log line, a simulator bound hit): recorded even
   * when per-packet tracing is off. */
  warn(skb: SkBuff | null, fn: string, info: string): void {
    this.push(skb, fn, info, undefined, undefined, undefined, undefined, undefined);
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
    if (s < 0) s += this.cap;
    return s;
  }

  private record(s: number): TraceRecord {
    const num = this.num;
    const ref = this.ref;
    const n = s * NUM;
    const o = s * REF;
    const r: TraceRecord = { t: num[n], host: this.net.hostName, cpu: num[n + 1], skb: num[n + 2], fn: ref[o] as string };
    const info = ref[o + 1];
    if (typeof info === 'string') r.info = info;
    else if (info !== undefined) r.info = (info as TraceFmt)(ref[o + 2], ref[o + 3], ref[o + 4], ref[o + 5], ref[o + 6]);
    return r;
  }

  private push(skb: SkBuff | null, fn: string, info: string | TraceFmt | undefined, a: unknown, b: unknown, c: unknown, d: unknown, e: unknown): void {
    if (this.head - this.first === this.cap) {
      if (this.cap < TRACE_LIMIT) this.grow();
      else {
        this.first++;
        this.lost++;
      }
    }
    const s = this.w;
    const n = s * NUM;
    const o = s * REF;
    const cpu = this.net.curCpu;
    const num = this.num;
    num[n] = cpu !== null ? cpu.clock : this.net.engine.now;
    num[n + 1] = cpu !== null ? cpu.id : -1;
    num[n + 2] = skb !== null ? skb.id : 0;
    const ref = this.ref;
    ref[o] = fn;
    ref[o + 1] = info;
    ref[o + 2] = a;
    ref[o + 3] = b;
    ref[o + 4] = c;
    ref[o + 5] = d;
    ref[o + 6] = e;
    this.head++;
    this.w = s + 1 === this.cap ? 0 : s + 1;
    if (this.listeners.length) {
      const r = this.record(s);
      for (const l of this.listeners) l(r);
    }
  }

  /** Double the ring (up to TRACE_LIMIT), keeping the kept records in order. */
  private grow(): void {
    const cap = Math.min(TRACE_LIMIT, Math.max(FIRST_CAP, this.cap * 2));
    const num = new Float64Array(cap * NUM);
    const ref: unknown[] = new Array(cap * REF).fill(undefined);
    const n = this.head - this.first;
    for (let i = 0; i < n; i++) {
      const s = this.slotOf(this.first + i);
      num.set(this.num.subarray(s * NUM, s * NUM + NUM), i * NUM);
      for (let j = 0; j < REF; j++) ref[i * REF + j] = this.ref[s * REF + j];
    }
    this.num = num;
    this.ref = ref;
    this.cap = cap;
    this.w = n === cap ? 0 : n;
  }
}
