// The lab's clock: advances host groups together in conservative windows
// (ns-3's distributed scheme). A window starts at the earliest pending event
// of any host (idle time is skipped) and lasts at most the lookahead, the
// smallest link latency, so every frame reaches its receiver before the
// receiver's clock passes the frame's arrival time. Frames are exchanged
// between windows in (arrival, sending host, sequence) order. Hosts that have
// nothing to do in a window sit it out. The same code drives inline groups
// (synchronously, no promise per window) and groups in other processes (one
// message each way per process per window): over blocking pipes also
// synchronously, in two phases (write to every process, then read every
// reply), else by waiting for promises.
import type { Topology } from '../lab/topology.js';
import type { OutFrame } from '../host/host.js';
import type { TraceRecord } from '../net/core/trace.js';
import { lookaheadOf } from './build.js';
import type { CommandSink, HostGroup, Maybe } from './group.js';

/** A command line started on a host; output collects as it is written. */
export class Command {
  stdout = '';
  stderr = '';
  exitCode: number | null = null;
  /** Called with each piece of output as the host writes it. */
  onOutput: ((stream: 1 | 2, text: string) => void) | null = null;
  onExit: ((code: number) => void) | null = null;
  constructor(
    readonly id: number,
    readonly host: string,
    readonly line: string,
  ) {}
}

export interface StartOptions {
  /** 'pipe': the command reads what input() sends (a terminal). Default: /dev/null. */
  stdin?: 'null' | 'pipe';
  /** Terminal: lines with the same session share one interactive shell. */
  session?: number;
  onOutput?: (stream: 1 | 2, text: string) => void;
  onExit?: (code: number) => void;
}

export class Coordinator {
  /** Smallest latency of any link: the window length. */
  readonly lookahead: number;
  /** Virtual time every host has reached (ns). */
  now = 0;
  windows = 0;
  readonly groupOf: HostGroup[] = [];
  protected readonly commands = new Map<number, Command>();
  private nextCmd = 1;
  /** Frames sent since the last exchange. */
  protected readonly out: OutFrame[] = [];
  /** Work queued for the next window boundary while an advance is under way. */
  private boundary: (() => Maybe<void>)[] = [];
  private advancing = false;
  private settling: Promise<unknown> | null = null;
  private traceCursor: number[];
  /** Groups whose window was begun and not finished (reused: no allocation per window). */
  private readonly begun: HostGroup[] = [];

  /** Reports of commands from every group. */
  protected readonly sink: CommandSink = {
    output: (id, stream, text) => {
      const c = this.commands.get(id);
      if (!c) return;
      if (stream === 1) c.stdout += text;
      else c.stderr += text;
      c.onOutput?.(stream, text);
    },
    exit: (id, code) => {
      const c = this.commands.get(id);
      if (!c || c.exitCode !== null) return;
      c.exitCode = code;
      this.commands.delete(id);
      c.onExit?.(code);
    },
  };

  readonly groups: HostGroup[];

  constructor(
    readonly topo: Topology,
    makeGroups: (sink: CommandSink) => HostGroup[],
  ) {
    this.groups = makeGroups(this.sink);
    this.lookahead = lookaheadOf(topo);
    for (const g of this.groups) for (const h of g.members) this.groupOf[h] = g;
    for (let i = 0; i < topo.hosts.length; i++) if (!this.groupOf[i]) throw new Error(`host ${topo.hosts[i].name} is in no group`);
    this.traceCursor = topo.hosts.map(() => 0);
  }

  /** Every host runs in this process (the synchronous methods work). */
  get inline(): boolean {
    return this.groups.every((g) => !g.remote);
  }

  /** Every group answers without the event loop (inline, or processes over
   * blocking pipes): the synchronous methods work. */
  get synchronous(): boolean {
    return this.groups.every((g) => !g.remote || g.synchronous);
  }

  /** Earliest pending event anywhere (Infinity when the lab is quiet). */
  nextEventTime(): number {
    let t = Infinity;
    for (const g of this.groups) if (g.next < t) t = g.next;
    return t;
  }

  /** The window algorithm, written once: yields only to wait for groups in
   * other processes, so with every group inline it runs straight through. */
  protected *steps(limit: number, done: () => boolean): Generator<Promise<unknown>, void, unknown> {
    for (;;) {
      if (this.boundary.length) {
        const waits = this.runBoundary();
        if (waits) yield waits;
      }
      if (done()) return;
      const t = this.nextEventTime();
      if (t >= limit) {
        if (limit !== Infinity && limit > this.now) {
          this.now = limit;
          for (const g of this.groups) g.settle?.(limit);
        }
        return;
      }
      const end = Math.min(t + this.lookahead, limit);
      // Groups with nothing to do sit this window out. Other processes go
      // first, so that they work while inline hosts run here.
      const begun = this.begun;
      begun.length = 0;
      let waits: Promise<unknown>[] | null = null;
      let failed: unknown = null;
      try {
        for (const g of this.groups) {
          if (!g.remote || g.next >= end) continue;
          if (g.begin?.(end)) begun.push(g);
          else {
            const p = g.window(end, this.out);
            if (p) (waits ??= []).push(p);
          }
        }
        for (const g of this.groups) if (!g.remote && g.next < end) g.window(end, this.out);
      } catch (e) {
        failed = e;
      }
      this.finishAll(begun, failed, waits);
      if (waits) yield waits.length === 1 ? waits[0] : Promise.all(waits);
      this.now = end;
      this.windows++;
      this.exchange();
    }
  }

  /** Read the reply of every window begun, even after an error (no reply
   * is left behind in a channel); then throw the first error (the windows
   * still awaited from other processes are then not waited for). */
  private finishAll(begun: HostGroup[], failed: unknown, waits: Promise<unknown>[] | null): void {
    for (const g of begun)
      try {
        g.finish!(this.out);
      } catch (e) {
        failed ??= e;
      }
    begun.length = 0;
    if (!failed) return;
    if (waits) for (const p of waits) p.catch(() => {});
    throw failed;
  }

  private exchange(): void {
    const frames = this.out;
    if (!frames.length) return;
    frames.sort((a, b) => a.arrival - b.arrival || a.fromHost - b.fromHost || a.seq - b.seq);
    for (const f of frames) {
      const g = this.groupOf[f.toHost];
      if (g.alive) g.deliver(f);
    }
    frames.length = 0;
  }

  private runBoundary(): Promise<unknown> | null {
    const jobs = this.boundary;
    this.boundary = [];
    let chain: Promise<unknown> | null = null;
    for (const job of jobs) {
      if (chain) chain = chain.then(job);
      else {
        const p = job();
        if (p) chain = p;
      }
    }
    return chain;
  }

  /** Run a procedure written as a generator (it yields promises only when
   * it waits for another process) to its end, synchronously: every host it
   * touches must be inline. */
  protected runSync<T>(gen: Generator<Promise<unknown>, T, unknown>): T {
    if (this.advancing) throw new Error('the lab is already advancing');
    this.advancing = true;
    try {
      const r = gen.next();
      if (!r.done) throw new Error('hosts run in other processes: use the async methods');
      return r.value;
    } finally {
      this.advancing = false;
      this.flushBoundary();
    }
  }

  /** The same, waiting for other processes where it must. */
  protected async runAsync<T>(gen: Generator<Promise<unknown>, T, unknown>): Promise<T> {
    if (this.advancing) throw new Error('the lab is already advancing');
    if (this.settling) await this.settling;
    if (this.advancing) throw new Error('the lab is already advancing');
    this.advancing = true;
    try {
      let r = gen.next();
      while (!r.done) {
        await r.value;
        r = gen.next();
      }
      return r.value;
    } finally {
      this.advancing = false;
      this.flushBoundary();
    }
  }

  /** Work queued during the last window of an advance runs now; the next
   * advance waits for it (it may change when hosts next have events). */
  private flushBoundary(): void {
    if (!this.boundary.length) return;
    const p = this.runBoundary();
    if (p) this.settling = p.finally(() => (this.settling = null));
  }

  /** Run to `limit` or until done() holds after a window (all hosts inline). */
  advance(limit: number, done: () => boolean = () => false): void {
    this.runSync(this.steps(limit, done));
  }

  advanceAsync(limit: number, done: () => boolean = () => false): Promise<void> {
    return this.runAsync(this.steps(limit, done));
  }

  /** Run fn between windows: now when the lab is not advancing, else at the
   * next window boundary (commands typed while a lab runs enter there). */
  atBoundary(fn: () => Maybe<void>): Promise<void> {
    if (!this.advancing) return Promise.resolve(fn());
    return new Promise((resolve, reject) =>
      this.boundary.push(() => {
        try {
          const p = fn();
          if (p) return p.then(resolve, reject);
          resolve();
        } catch (e) {
          reject(e);
        }
      }),
    );
  }

  private indexOf: Map<string, number> | null = null;

  hostIndex(name: string): number {
    this.indexOf ??= new Map(this.topo.hosts.map((h) => [h.name, h.index]));
    const i = this.indexOf.get(name);
    if (i === undefined) throw new Error(`no host '${name}' in this lab`);
    return i;
  }

  /** Start a line on a host at the current time (a step of a procedure). */
  protected *execStep(hostName: string, line: string, opts: StartOptions = {}): Generator<Promise<unknown>, Command, unknown> {
    const host = this.hostIndex(hostName);
    const cmd = this.newCommand(hostName, line);
    cmd.onOutput = opts.onOutput ?? null;
    cmd.onExit = opts.onExit ?? null;
    const g = this.groupOf[host];
    if (!g.alive) {
      this.sink.output(cmd.id, 2, `${hostName}: host is down\n`);
      this.sink.exit(cmd.id, 126);
      return cmd;
    }
    const p = g.exec(this.now, { host, cmd: cmd.id, line, stdin: opts.stdin ?? 'null', session: opts.session }, this.out);
    if (p) yield p;
    return cmd;
  }

  protected *signalStep(cmd: Command): Generator<Promise<unknown>, void, unknown> {
    if (cmd.exitCode !== null) return;
    const p = this.groupOf[this.hostIndex(cmd.host)].signal(this.now, cmd.id, this.out);
    if (p) yield p;
  }

  /** Start a line at the current time, or at the next window boundary if
   * the lab is advancing; output and exit arrive through the Command. */
  start(hostName: string, line: string, opts: StartOptions = {}): Promise<Command> {
    let cmd!: Command;
    return this.atBoundary(() => {
      const gen = this.execStep(hostName, line, opts);
      const r = gen.next();
      if (r.done) {
        cmd = r.value;
        return;
      }
      return r.value.then(() => {
        cmd = (gen.next() as IteratorReturnResult<Command>).value;
      });
    }).then(() => cmd);
  }

  /** A new command id for a command the coordinator does not start itself (reboots). */
  protected newCommand(host: string, line: string): Command {
    const cmd = new Command(this.nextCmd++, host, line);
    this.commands.set(cmd.id, cmd);
    return cmd;
  }

  /** Text for a command's stdin (null: end of file), at the current time. */
  input(cmd: Command, text: string | null): Promise<void> {
    return this.atBoundary(() => (cmd.exitCode === null ? this.groupOf[this.hostIndex(cmd.host)].input(this.now, cmd.id, text, this.out) : undefined));
  }

  /** Ctrl-C to a command's job, at the current time. */
  interrupt(cmd: Command): Promise<void> {
    return this.atBoundary(() => (cmd.exitCode === null ? this.groupOf[this.hostIndex(cmd.host)].signal(this.now, cmd.id, this.out) : undefined));
  }

  /** Every trace record of every host, in (time, host, record) order. */
  trace(): TraceRecord[] {
    return this.mergeTrace(this.topo.hosts.map((_, i) => this.groupOf[i].traceOf(i).records));
  }

  /** Records added since the last drain, each batch in trace() order. A
   * record's time is its CPU's clock, which may run a little ahead of the
   * window while the CPU works, so consecutive batches can overlap in time
   * by that much; no record is ever left out or given twice. */
  drainTrace(): TraceRecord[] {
    const parts = this.topo.hosts.map((_, i) => {
      const { records, lost } = this.groupOf[i].traceOf(i);
      const total = records.length + lost;
      const from = Math.max(0, this.traceCursor[i] - lost);
      this.traceCursor[i] = total;
      return from === 0 ? records : records.slice(from);
    });
    return this.mergeTrace(parts);
  }

  private mergeTrace(parts: readonly (readonly TraceRecord[])[]): TraceRecord[] {
    const all: { r: TraceRecord; h: number; i: number }[] = [];
    parts.forEach((recs, h) => recs.forEach((r, i) => all.push({ r, h, i })));
    all.sort((a, b) => a.r.t - b.r.t || a.h - b.h || a.i - b.i);
    return all.map((x) => x.r);
  }
}
