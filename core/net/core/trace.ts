// One observability mechanism (design rule 7): every modelled function an skb
// passes records (time, host, cpu, skb, function[, detail]) when tracing is
// on, and every skb's end (consumed, dropped with a reason) is recorded.
// Consumers (--trace, the packet list, pcap, digests) read these records.
//
// A flood makes tens of records per packet, so records are kept in a ring
// of numbers only (time, skb, cpu, ids of the function name and the detail,
// the detail's arguments; strings and formatters by id, see the layout
// below), and become TraceRecord objects only when someone reads `records`.
// A detail given as a formatter plus values (fnf) is formatted only then:
// nothing is built per packet, and the garbage collector has nothing to
// scan. Hot paths guard detail-building calls with `if (net.tracer.active)`
// (tracing or capture on).
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

/** A record takes, at its ring slot, [t, skb] in a Float64Array chunk and
 * [name id, detail id, meta, args start] in an Int32Array chunk, where ids
 * index the tracer's intern table (function names, detail texts and
 * formatters, string arguments: a small set that repeats; detail id 0 is
 * none) and meta = kinds + 2^16 * (cpu + 1), kinds having two bits per
 * argument: 0 an int32, 1 an interned value (its id), 2 undefined, 3 any
 * other number (two words). The detail's arguments follow each other in an
 * Int32Array stream, only as many words as there are values. So a record is
 * about forty bytes and nothing for the garbage collector to scan: a flood
 * makes tens of records per packet, and what costs is the memory they
 * touch. Past INTERN_CAP distinct values (details built from ever-changing
 * text), a record keeps its name and detail text in a spill array of its
 * chunk instead (id SPILL). Chunks are allocated as the ring first reaches
 * them, so the ring never copies and costs nothing until records are made. */
const ARGS = 8;
const CHUNK_SHIFT = 12;
const CHUNK = 1 << CHUNK_SHIFT;
/** Argument stream chunks: 2^16 words. */
const ASHIFT = 16;
const ACHUNK = 1 << ASHIFT;
/** Most words one record's arguments take. */
const AMAX = 2 * ARGS;
const CPU_SHIFT = 0x10000;
const INTERN_CAP = 1 << 14;
const SPILL = -1;
/** Slots of the tracer's caches of recently interned strings. */
const SLOTS = 256;
/** A string's cache slot: from its length and three of its characters. */
function strSlot(s: string): number {
  const n = s.length;
  if (n === 0) return 0;
  return (n * 37 + s.charCodeAt(n - 1) * 7 + s.charCodeAt(n >> 1) * 3 + s.charCodeAt(0)) & (SLOTS - 1);
}
/** meta's kinds with arguments k..7 undefined. */
const UNDEFINED_FROM = Array.from({ length: ARGS + 1 }, (_, k) => {
  let m = 0;
  for (let j = k; j < ARGS; j++) m |= 2 << (2 * j);
  return m;
});
// A number that is not an int32 goes in two words through these views.
const f64 = new Float64Array(1);
const f64w = new Int32Array(f64.buffer);

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
  private tf: Float64Array[] = [];
  private ti: Int32Array[] = [];
  /** Per chunk, once a record there spilled: [name, detail] per record. */
  private spills: (unknown[] | undefined)[] = [];
  /** The argument stream: position p is word p & (ACHUNK - 1) of chunk
   * p >> ASHIFT; it wraps after `acap` words, which the arguments of
   * `limit` records (with the padding at chunk ends) never fill. */
  private as: Int32Array[] = [];
  private ap = 0;
  private acap = 0;
  /** Next record's number, and the oldest kept one's. */
  private head = 0;
  private first = 0;
  /** Slot of record `head`. */
  private w = 0;
  // `records` as objects: view[i] is record viewFirst + i; built up to viewEnd.
  private view: TraceRecord[] = [];
  private viewFirst = 0;
  private viewEnd = 0;
  /** Interned values by id (0: none), and ids by value. */
  private vals: unknown[] = [undefined];
  private ids = new Map<unknown, number>();

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
    this.push(skb, fn, info, this.internStr(fn), info === undefined ? 0 : this.internStr(info), UNDEFINED_FROM[0], 0);
    if (this.listeners.length) this.notify();
  }

  /** fn() with the detail fmt(a, ..., h), formatted only when the record is read. */
  fnf(skb: SkBuff | null, fn: string, fmt: TraceFmt, a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown, f?: unknown, g?: unknown, h?: unknown): void {
    if (this._capture !== null && skb) this._capture.take(this.net, skb, fn);
    if (!this._on) return;
    // Only the values given are stored; the rest read back as undefined.
    // Small integers go in place; anything else through putSlow.
    const argc = Math.min(arguments.length - 3, ARGS);
    let start = this.ap;
    if ((start & (ACHUNK - 1)) + AMAX > ACHUNK || start + AMAX > this.acap) start = this.argSpace(start);
    const ac = this.as[start >> ASHIFT];
    let w = start & (ACHUNK - 1);
    let kinds = UNDEFINED_FROM[argc];
    if (argc > 0) {
      if (typeof a === 'number' && (a | 0) === a && a !== 0) ac[w++] = a;
      else (w = this.putSlow(ac, w, a, 0)), (kinds |= this.kbits);
    }
    if (argc > 1) {
      if (typeof b === 'number' && (b | 0) === b && b !== 0) ac[w++] = b;
      else (w = this.putSlow(ac, w, b, 2)), (kinds |= this.kbits);
    }
    if (argc > 2) {
      if (typeof c === 'number' && (c | 0) === c && c !== 0) ac[w++] = c;
      else (w = this.putSlow(ac, w, c, 4)), (kinds |= this.kbits);
    }
    if (argc > 3) {
      w = this.putSlow(ac, w, d, 6);
      kinds |= this.kbits;
      if (argc > 4) (w = this.putSlow(ac, w, e, 8)), (kinds |= this.kbits);
      if (argc > 5) (w = this.putSlow(ac, w, f, 10)), (kinds |= this.kbits);
      if (argc > 6) (w = this.putSlow(ac, w, g, 12)), (kinds |= this.kbits);
      if (argc > 7) (w = this.putSlow(ac, w, h, 14)), (kinds |= this.kbits);
    }
    // The name and formatter's ids: from the pair cache, or interned.
    const k = strSlot(fn);
    let fnId: number;
    let fmtId: number;
    if (this.pairFn[k] === fn && this.pairFmt[k] === fmt) {
      fnId = this.pairIds[2 * k];
      fmtId = this.pairIds[2 * k + 1];
    } else {
      fnId = this.intern(fn);
      fmtId = this.intern(fmt);
      if (fnId !== SPILL && fmtId !== SPILL) {
        this.pairFn[k] = fn;
        this.pairFmt[k] = fmt;
        this.pairIds[2 * k] = fnId;
        this.pairIds[2 * k + 1] = fmtId;
      }
    }
    if (kinds < 0 || fmtId === SPILL) {
      // Out of intern room: keep the text instead.
      const text = fmt(a, b, c, d, e, f, g, h);
      this.push(skb, fn, text, fnId, this.intern(text), UNDEFINED_FROM[0], 0);
    } else {
      this.push(skb, fn, fmt, fnId, fmtId, kinds, start);
      this.ap = start + (w - (start & (ACHUNK - 1)));
    }
    if (this.listeners.length) this.notify();
  }

  /** Where a record's arguments go when `p` is too near the end of its
   * chunk or of the stream for the most a record takes: the next chunk, or
   * the stream's start (a record never crosses a chunk boundary). */
  private argSpace(p: number): number {
    if (!this.acap) this.acap = (Math.ceil((this.limit * AMAX) / (ACHUNK - AMAX)) + 2) << ASHIFT;
    if ((p & (ACHUNK - 1)) + AMAX > ACHUNK) p = ((p >> ASHIFT) + 1) << ASHIFT;
    if (p + AMAX > this.acap) p = 0;
    const c = p >> ASHIFT;
    while (this.as.length <= c) this.as.push(new Int32Array(ACHUNK));
    return p;
  }

  /** Store an argument of fnf at ac[w] (any value; its kind bits, at k, in
   * kbits, -1 when out of intern room); returns the next word. */
  private putSlow(ac: Int32Array, w: number, v: unknown, k: number): number {
    if (typeof v === 'number') {
      if ((v | 0) === v && (v !== 0 || 1 / v > 0)) {
        ac[w] = v;
        this.kbits = 0;
        return w + 1;
      }
      f64[0] = v;
      ac[w] = f64w[0];
      ac[w + 1] = f64w[1];
      this.kbits = 3 << k;
      return w + 2;
    }
    if (v === undefined) {
      this.kbits = 2 << k;
      return w;
    }
    const id = typeof v === 'string' ? this.internStr(v) : this.intern(v);
    if (id === SPILL) {
      this.kbits = -1;
      return w;
    }
    ac[w] = id;
    this.kbits = 1 << k;
    return w + 1;
  }
  private kbits = 0;

  /** intern() for a string, through a small table of the last ones seen
   * (names and device names repeat: most records look nothing up). */
  private internStr(v: string): number {
    const k = strSlot(v);
    if (this.strKey[k] === v) return this.strIds[k];
    const id = this.intern(v);
    if (id !== SPILL) {
      this.strKey[k] = v;
      this.strIds[k] = id;
    }
    return id;
  }
  private strKey: (string | undefined)[] = new Array(SLOTS).fill(undefined);
  private strIds = new Int32Array(SLOTS);
  // fnf's (name, formatter) -> their ids, by the name's slot.
  private pairFn: (string | undefined)[] = new Array(SLOTS).fill(undefined);
  private pairFmt: (TraceFmt | undefined)[] = new Array(SLOTS).fill(undefined);
  private pairIds = new Int32Array(2 * SLOTS);

  /** The value's id in the intern table, SPILL when the table is full. */
  private intern(v: unknown): number {
    const id = this.ids.get(v);
    if (id !== undefined) return id;
    if (this.vals.length >= INTERN_CAP) return SPILL;
    const nid = this.vals.length;
    this.vals.push(v);
    this.ids.set(v, nid);
    return nid;
  }

  /** A warning (a kernel log line, a simulator bound hit): recorded even
   * when per-packet tracing is off. */
  warn(skb: SkBuff | null, fn: string, info: string): void {
    this.push(skb, fn, info, this.intern(fn), this.intern(info), UNDEFINED_FROM[0], 0);
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
    const c = s >> CHUNK_SHIFT;
    const tf = this.tf[c];
    const ti = this.ti[c];
    const n = (s & (CHUNK - 1)) * 2;
    const m = (s & (CHUNK - 1)) * 4;
    const fnId = ti[m];
    const infoId = ti[m + 1];
    const spill = fnId === SPILL || infoId === SPILL ? this.spills[c]! : null;
    const fn = (fnId === SPILL ? spill![n] : this.vals[fnId]) as string;
    const info = infoId === SPILL ? spill![n + 1] : this.vals[infoId];
    const meta = ti[m + 2];
    const kinds = meta & 0xffff;
    const r: TraceRecord = { t: tf[n], host: this.net.hostName, cpu: (meta >>> 16) - 1, skb: tf[n + 1], fn };
    if (typeof info === 'string') r.info = info;
    else if (info !== undefined) {
      const p = ti[m + 3];
      const ac = this.as[p >> ASHIFT];
      let q = p & (ACHUNK - 1);
      const v: unknown[] = [];
      for (let k = 0; k < ARGS; k++) {
        const kind = (kinds >> (2 * k)) & 3;
        if (kind === 0) v.push(ac[q++]);
        else if (kind === 1) v.push(this.vals[ac[q++]]);
        else if (kind === 2) v.push(undefined);
        else {
          f64w[0] = ac[q++];
          f64w[1] = ac[q++];
          v.push(f64[0]);
        }
      }
      r.info = (info as TraceFmt)(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
    }
    return r;
  }

  /** Make a record (its arguments, if any, already at `args` in the
   * stream); fnId and infoId are fn's and info's ids, or SPILL. */
  private push(skb: SkBuff | null, fn: string, info: string | TraceFmt | undefined, fnId: number, infoId: number, kinds: number, args: number): void {
    if (this.head - this.first >= this.limit) {
      this.first = this.head - this.limit + 1;
      this.lost++;
    }
    const s = this.w;
    const c = s >> CHUNK_SHIFT;
    if (c >= this.tf.length) this.chunk(c);
    const tf = this.tf[c];
    const ti = this.ti[c];
    const n = (s & (CHUNK - 1)) * 2;
    const m = (s & (CHUNK - 1)) * 4;
    if (fnId === SPILL || infoId === SPILL) {
      const spill = (this.spills[c] ??= new Array(CHUNK * 2).fill(undefined));
      spill[n] = fn;
      spill[n + 1] = info;
    }
    const cpu = this.net.curCpu;
    tf[n] = cpu !== null ? cpu.clock : this.net.engine.now;
    tf[n + 1] = skb !== null ? skb.id : 0;
    ti[m] = fnId;
    ti[m + 1] = infoId;
    ti[m + 2] = kinds + (cpu !== null ? cpu.id + 1 : 0) * CPU_SHIFT;
    ti[m + 3] = args;
    this.pushed = s;
    this.head++;
    this.w = s + 1 >= this.limit ? 0 : s + 1;
  }

  /** Slot of the record push() just made. */
  private pushed = 0;

  private chunk(c: number): void {
    while (this.tf.length <= c) {
      this.tf.push(new Float64Array(CHUNK * 2));
      this.ti.push(new Int32Array(CHUNK * 4));
      this.spills.push(undefined);
    }
  }

  /** Live subscribers see the record just made (complete with its values). */
  private notify(): void {
    const r = this.record(this.pushed);
    for (const l of this.listeners) l(r);
  }
}
