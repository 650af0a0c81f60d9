// Discrete-event engine: virtual time in integer nanoseconds, events ordered by
// (time, sequence). Nothing here reads the wall clock: time only moves when the
// queue is run. The heap keeps times and sequence numbers in typed arrays so
// that a busy lab does not churn the garbage collector.

export type EventFn = (arg: any) => void;

export const NSEC_PER_USEC = 1_000;
export const NSEC_PER_MSEC = 1_000_000;
export const NSEC_PER_SEC = 1_000_000_000;

export class Engine {
  private times = new Float64Array(1024);
  private seqs = new Float64Array(1024);
  private fns: (EventFn | null)[] = new Array(1024);
  private args: unknown[] = new Array(1024);
  private size = 0;
  private seq = 0;
  /** Current virtual time (ns). */
  now = 0;
  /** Events run since creation (for rate displays and benchmarks). */
  executed = 0;

  get pending(): number {
    return this.size;
  }

  /** Schedule fn(arg) at absolute time t (never before now). */
  at(t: number, fn: EventFn, arg?: unknown): void {
    if (t < this.now) t = this.now;
    if (this.size === this.times.length) this.grow();
    let i = this.size++;
    const s = this.seq++;
    // sift up
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = this.times[p];
      if (pt < t || (pt === t && this.seqs[p] < s)) break;
      this.times[i] = pt;
      this.seqs[i] = this.seqs[p];
      this.fns[i] = this.fns[p];
      this.args[i] = this.args[p];
      i = p;
    }
    this.times[i] = t;
    this.seqs[i] = s;
    this.fns[i] = fn;
    this.args[i] = arg;
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
      const fn = this.fns[0]!;
      const arg = this.args[0];
      this.pop();
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
    const fn = this.fns[0]!;
    const arg = this.args[0];
    this.pop();
    this.now = t;
    this.executed++;
    fn(arg);
    return true;
  }

  private pop(): void {
    const last = --this.size;
    const t = this.times[last];
    const s = this.seqs[last];
    const f = this.fns[last];
    const a = this.args[last];
    this.fns[last] = null;
    this.args[last] = undefined;
    let i = 0;
    const n = last;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n && (this.times[r] < this.times[c] || (this.times[r] === this.times[c] && this.seqs[r] < this.seqs[c]))) c = r;
      const ct = this.times[c];
      if (t < ct || (t === ct && s < this.seqs[c])) break;
      this.times[i] = ct;
      this.seqs[i] = this.seqs[c];
      this.fns[i] = this.fns[c];
      this.args[i] = this.args[c];
      i = c;
    }
    if (n > 0) {
      this.times[i] = t;
      this.seqs[i] = s;
      this.fns[i] = f;
      this.args[i] = a;
    }
  }

  private grow(): void {
    const n = this.times.length * 2;
    const t = new Float64Array(n);
    t.set(this.times);
    this.times = t;
    const s = new Float64Array(n);
    s.set(this.seqs);
    this.seqs = s;
    this.fns.length = n;
    this.args.length = n;
  }
}
