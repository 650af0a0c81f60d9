// Discrete-event engine: virtual time in integer nanoseconds, events ordered by
// (time, sequence). Nothing here reads the wall clock: time only moves when the
// queue is run. The heap keeps times and sequence numbers in typed arrays so
// that a busy lab does not churn the garbage collector.
//
// Layout: a binary min-heap of (time, seq, slot) in three typed arrays; the
// event's function and argument sit in slot tables that never move, so a
// sift only copies numbers (no pointer writes, no write barriers).
// Keys (time, seq) are unique, so the run order is the same as any correct
// priority queue's: same lab, same seed, same run.

export type EventFn = (arg: any) => void;

export const NSEC_PER_USEC = 1_000;
export const NSEC_PER_MSEC = 1_000_000;
export const NSEC_PER_SEC = 1_000_000_000;

const INITIAL = 1024;

export class Engine {
  private times = new Float64Array(INITIAL);
  private seqs = new Float64Array(INITIAL);
  private slots = new Int32Array(INITIAL);
  private fns: (EventFn | null)[] = new Array(INITIAL).fill(null);
  private args: unknown[] = new Array(INITIAL).fill(undefined);
  /** Free slot numbers (a stack). */
  private free = new Int32Array(INITIAL);
  private nfree = INITIAL;
  private size = 0;
  private seq = 0;
  /** Current virtual time (ns). */
  now = 0;
  /** Events run since creation (for rate displays and benchmarks). */
  executed = 0;

  constructor() {
    for (let i = 0; i < INITIAL; i++) this.free[i] = INITIAL - 1 - i;
  }

  get pending(): number {
    return this.size;
  }

  /** Schedule fn(arg) at absolute time t (never before now). */
  at(t: number, fn: EventFn, arg?: unknown): void {
    if (t < this.now) t = this.now;
    if (this.size === this.times.length) this.grow();
    const slot = this.free[--this.nfree];
    this.fns[slot] = fn;
    this.args[slot] = arg;
    const s = this.seq++;
    const times = this.times;
    const seqs = this.seqs;
    const slots = this.slots;
    // sift up
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p];
      if (pt < t || (pt === t && seqs[p] < s)) break;
      times[i] = pt;
      seqs[i] = seqs[p];
      slots[i] = slots[p];
      i = p;
    }
    times[i] = t;
    seqs[i] = s;
    slots[i] = slot;
  }

  after(dt: number, fn: EventFn, arg?: unknown): void {
    this.at(this.now + dt, fn, arg);
  }

  /** Time of the earliest pending event, or Infinity. */
  nextTime(): number {
    return this.size ? this.times[0] : Infinity;
  }

  /** Run every event with time < until (or <= when inclusive). Returns events run. */
  runUntil(until: number, inclusive = false): number {
    let n = 0;
    while (this.size) {
      const t = this.times[0];
      if (inclusive ? t > until : t >= until) break;
      const slot = this.slots[0];
      const fn = this.fns[slot]!;
      const arg = this.args[slot];
      this.pop(slot);
      this.now = t;
      n++;
      fn(arg);
    }
    if (until !== Infinity && until > this.now) this.now = until;
    this.executed += n;
    return n;
  }

  /** Run exactly one event; returns false when the queue is empty. */
  step(): boolean {
    if (!this.size) return false;
    const t = this.times[0];
    const slot = this.slots[0];
    const fn = this.fns[slot]!;
    const arg = this.args[slot];
    this.pop(slot);
    this.now = t;
    this.executed++;
    fn(arg);
    return true;
  }

  /** Remove the root (whose slot is `slot`): free the slot, then Floyd's
   * bottom-up delete: walk the hole down along the smaller children to a
   * leaf (one comparison per level), put the last entry there and sift it
   * up (it is large, so it rarely moves): about half the comparisons of
   * the textbook sift-down. */
  private pop(slot: number): void {
    this.fns[slot] = null;
    this.args[slot] = undefined;
    this.free[this.nfree++] = slot;
    const n = --this.size;
    if (n === 0) return;
    const times = this.times;
    const seqs = this.seqs;
    const slots = this.slots;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n) {
        const ct = times[c];
        const rt = times[r];
        if (rt < ct || (rt === ct && seqs[r] < seqs[c])) c = r;
      }
      times[i] = times[c];
      seqs[i] = seqs[c];
      slots[i] = slots[c];
      i = c;
    }
    // the hole is at leaf i: sift the last entry up from there
    const t = times[n];
    const s = seqs[n];
    const v = slots[n];
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p];
      if (pt < t || (pt === t && seqs[p] < s)) break;
      times[i] = pt;
      seqs[i] = seqs[p];
      slots[i] = slots[p];
      i = p;
    }
    times[i] = t;
    seqs[i] = s;
    slots[i] = v;
  }

  private grow(): void {
    const old = this.times.length;
    const n = old * 2;
    const t = new Float64Array(n);
    t.set(this.times);
    this.times = t;
    const s = new Float64Array(n);
    s.set(this.seqs);
    this.seqs = s;
    const sl = new Int32Array(n);
    sl.set(this.slots);
    this.slots = sl;
    // Every slot is in use when the heap is full: the new ones are old..n-1.
    const fr = new Int32Array(n);
    for (let i = 0; i < n - old; i++) fr[i] = n - 1 - i;
    this.free = fr;
    this.nfree = n - old;
    const fns: (EventFn | null)[] = new Array(n).fill(null);
    const args: unknown[] = new Array(n).fill(undefined);
    for (let i = 0; i < old; i++) {
      fns[i] = this.fns[i];
      args[i] = this.args[i];
    }
    this.fns = fns;
    this.args = args;
  }
}
