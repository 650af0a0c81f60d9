// A lab running live, for the app: virtual time paced against the wall clock
// at a chosen speed (1 = real time, 0.001 = a thousand times slower,
// Infinity = as fast as possible), pause, resume, and single steps. Commands
// typed while it runs enter at the current virtual time (the next window
// boundary). Pacing never cuts a window short: it only decides when the next
// full window runs, so hosts see the same kind of windows as in a batch run.
//
//   const live = new LiveLab(runner, clock, { speed: 1, onTick, onTrace });
//   live.play();                                  // runs until paused
//   const cmd = await live.exec('h1', 'ping -c 3 10.0.2.2', { onOutput });
//   await live.pause();
//   await live.step();                            // the events of the next instant
//   await live.stepPacket('r1', 12);              // until r1's skb#12 does something
//   live.setSpeed(Infinity);
//
// core/ has no wall clock: the caller passes one (node/runtime/clock.ts).
import type { TraceRecord } from '../net/core/trace.js';
import type { Command } from './coordinator.js';
import type { LabRunner } from './lab_runner.js';

export interface WallClock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Run fn after ms; returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void;
}

export type LiveState = 'paused' | 'running' | 'closed';

export interface LiveTick {
  /** Virtual time (ns). */
  now: number;
  state: LiveState;
  speed: number;
  windows: number;
  /** How far (wall ms) the lab trails the pace it was asked for; > 0 means
   * the hosts cannot keep up at this speed (the debt is dropped, not chased). */
  behindMs: number;
}

export interface LiveOptions {
  speed?: number;
  /** Longest stretch of wall time spent running before yielding (ms). */
  sliceMs?: number;
  /** Wall time between ticks while waiting for the next event (ms). */
  frameMs?: number;
  /** Most windows in one slice (a bound even if the clock stands still). */
  maxWindowsPerSlice?: number;
  /** Called after every slice of running and every step. */
  onTick?: (t: LiveTick) => void;
  /** New trace records (when tracing is on), in trace order. */
  onTrace?: (records: TraceRecord[]) => void;
  onError?: (e: unknown) => void;
}

export interface StepResult {
  /** Virtual time after the step (ns). */
  now: number;
  /** Records the step produced (all hosts). */
  records: TraceRecord[];
  /** stepPacket: the packet's records (empty if it did nothing more). */
  packet?: TraceRecord[];
}

/** Pacing debt beyond this is dropped (ms of wall time). */
const MAX_DEBT_MS = 100;

export class LiveLab {
  private _state: LiveState = 'paused';
  private _speed: number;
  private anchorWall = 0;
  private anchorVirt = 0;
  private cancel: (() => void) | null = null;
  /** The tick under way, so pause() can wait for its window to end. */
  private busy: Promise<void> | null = null;
  private behindMs = 0;
  private readonly sliceMs: number;
  private readonly frameMs: number;
  private readonly maxWindows: number;

  constructor(
    readonly runner: LabRunner,
    private readonly clock: WallClock,
    private readonly opts: LiveOptions = {},
  ) {
    this._speed = opts.speed ?? 1;
    this.sliceMs = opts.sliceMs ?? 20;
    this.frameMs = opts.frameMs ?? 16;
    this.maxWindows = opts.maxWindowsPerSlice ?? 10_000;
  }

  get state(): LiveState {
    return this._state;
  }

  get speed(): number {
    return this._speed;
  }

  /** Virtual time (ns). */
  get now(): number {
    return this.runner.now;
  }

  /** Virtual seconds per wall second: 1 real time, < 1 slower, Infinity as fast as possible. */
  setSpeed(speed: number): void {
    if (!(speed > 0)) throw new Error('speed must be > 0');
    this._speed = speed;
    this.anchor();
  }

  private anchor(): void {
    this.anchorWall = this.clock.now();
    this.anchorVirt = this.runner.now;
  }

  /** Start or resume pacing. */
  play(): void {
    if (this._state !== 'paused') return;
    this._state = 'running';
    this.anchor();
    this.schedule(0);
  }

  /** Stop after the window under way; resolves once stopped. */
  async pause(): Promise<void> {
    if (this._state === 'running') this._state = 'paused';
    this.cancel?.();
    this.cancel = null;
    await this.busy;
    this.emitTick();
  }

  private schedule(ms: number): void {
    this.cancel?.();
    this.cancel = this.clock.after(ms, () => {
      this.cancel = null;
      this.busy = this.tick().finally(() => (this.busy = null));
    });
  }

  private async tick(): Promise<void> {
    if (this._state !== 'running') return;
    const r = this.runner;
    const start = this.clock.now();
    const fast = this._speed === Infinity;
    const target = fast ? Infinity : this.anchorVirt + (start - this.anchorWall) * 1e6 * this._speed;
    const w0 = r.windows;
    try {
      // Whole windows while events are due (at target too) and the slice lasts.
      await r.advanceAsync(Infinity, () => this._state !== 'running' || r.nextEventTime() > target || r.windows - w0 >= this.maxWindows || this.clock.now() - start >= this.sliceMs);
      if (this._state !== 'running') return;
      if (!fast && r.nextEventTime() > target) await r.advanceAsync(target); // idle time passes
    } catch (e) {
      this._state = 'paused';
      this.opts.onError?.(e);
      return;
    } finally {
      this.emitTrace();
    }
    let wait = 0;
    if (!fast) {
      // Virtual time asked for but not run yet, in wall ms at this speed.
      this.behindMs = Math.max(0, (target - r.now) / 1e6 / this._speed);
      if (this.behindMs > MAX_DEBT_MS) this.anchor(); // cannot keep up: drop the debt
      else if (r.now >= target) {
        // Caught up: sleep until the next event is due, at most a frame
        // (idle time then passes smoothly, frame by frame).
        const next = r.nextEventTime();
        const due = next === Infinity ? Infinity : this.anchorWall + (next - this.anchorVirt) / 1e6 / this._speed;
        wait = Math.max(0, Math.min(this.frameMs, due - this.clock.now()));
      }
    }
    this.emitTick();
    if (this._state === 'running') this.schedule(wait);
  }

  private emitTick(): void {
    this.opts.onTick?.({ now: this.runner.now, state: this._state, speed: this._speed, windows: this.runner.windows, behindMs: this.behindMs });
  }

  private emitTrace(): TraceRecord[] {
    const recs = this.runner.drainTrace();
    if (recs.length) this.opts.onTrace?.(recs);
    return recs;
  }

  private async paused(): Promise<void> {
    if (this._state === 'closed') throw new Error('the lab is closed');
    if (this._state === 'running') await this.pause();
    await this.busy;
  }

  /** Run the events of the next instant on every host (pauses first). */
  async step(): Promise<StepResult> {
    await this.paused();
    const t = this.runner.nextEventTime();
    if (t !== Infinity) await this.runner.advanceAsync(t + 1);
    const records = this.emitTrace();
    this.emitTick();
    return { now: this.runner.now, records };
  }

  /** Step until packet `skb` on `host` does something (its next trace
   * records), it was already freed, or `maxNs` of virtual time passed.
   * skb ids are per host: a forwarded packet is a new skb on the next host. */
  async stepPacket(host: string, skb: number, maxNs = 1e9): Promise<StepResult> {
    await this.paused();
    const r = this.runner;
    r.hostIndex(host); // throws for an unknown host
    const until = r.now + maxNs;
    const records: TraceRecord[] = [];
    for (;;) {
      const t = r.nextEventTime();
      if (t === Infinity || t >= until) break;
      await r.advanceAsync(t + 1);
      const recs = this.emitTrace();
      for (const x of recs) records.push(x);
      const mine = recs.filter((x) => x.host === host && x.skb === skb);
      if (mine.length) {
        this.emitTick();
        return { now: r.now, records, packet: mine };
      }
    }
    this.emitTick();
    return { now: r.now, records, packet: [] };
  }

  /** Type a line into a host now (a terminal: give the same session number
   * for every line of one terminal). Output streams through onOutput. */
  async exec(host: string, line: string, opts: { session?: number; stdin?: 'null' | 'pipe'; onOutput?: (stream: 1 | 2, text: string) => void; onExit?: (code: number) => void } = {}): Promise<Command> {
    if (this._state === 'closed') throw new Error('the lab is closed');
    const cmd = await this.runner.start(host, line, { ...opts, stdin: opts.stdin ?? 'pipe' });
    if (this._state !== 'running') this.emitTrace(); // what starting it did (a running lab drains every tick)
    return cmd;
  }

  /** A line of input for a running command (null: Ctrl-D). */
  input(cmd: Command, text: string | null): Promise<void> {
    return this.runner.input(cmd, text);
  }

  /** Ctrl-C. */
  interrupt(cmd: Command): Promise<void> {
    return this.runner.interrupt(cmd);
  }

  /** Stop pacing for good (the runner stays open: close it separately). */
  async close(): Promise<void> {
    await this.pause();
    this._state = 'closed';
  }
}
