// The lab running live for the app (issue #6): core's LiveLab paced against
// the wall clock, with play, pause, step, step-to-the-packet's-next-event,
// speed, and step back. Step back rebuilds the run: same lab, same seed,
// the journal of what the user did (commands typed, input, Ctrl-C) replayed
// at the same virtual times, up to the previous position (in host processes
// taken from the pool again). Everything read of the hosts comes over the
// host protocol, so it is the same inline and in processes: frames captured
// at the interface points for the packet list and at every hook for pcap
// export, the sk_buff layout at each trace point (core/runtime/capture.ts),
// trace records, counters, and a host's kernel state for the internals
// panel. A host process that dies or hangs marks its hosts down (the rest
// runs on) until the user restarts them or steps back. What happened is
// streamed to renderers in batches (stream.ts).
import type { Topology } from '../../core/lab/topology.js';
import type { LabRunner, Command, CommandResult } from '../../core/runtime/lab_runner.js';
import { LiveLab, type WallClock } from '../../core/runtime/live.js';
import type { CapturedFrame } from '../../core/pcap/capture.js';
import { exportCapture } from '../../core/pcap/export.js';
import { Netdissect } from '../../core/pcap/netdissect.js';
import { appCaptureOptions, captureOf, hostInternals, setLabCapture, type CaptureStore } from '../../core/runtime/capture.js';
import type { OpenLab } from '../runtime/lab.js';
import type { HostEvent } from '../runtime/supervisor.js';
import type { ExportedFile, HostInternals, LiveView, PacketDetail, PacketRow, PathStep, TraceRecord } from '../../renderer/src/bridge/protocol.js';
import { dissect, summarize } from './dissect.js';
import type { RunnerFactory } from './runner.js';
import type { BatchStream } from './stream.js';

/** Something the user did to the running lab, at virtual time t. */
type JournalEntry =
  | { t: number; kind: 'exec'; host: string; line: string; term: number; id: number }
  | { t: number; kind: 'input'; id: number; text: string | null }
  | { t: number; kind: 'interrupt'; id: number }
  | { t: number; kind: 'run'; host: string; line: string };

/** Positions step back remembers. */
const MAX_POSITIONS = 1000;
/** Wall ms a replay runs before it lets the socket breathe (progress). */
const REPLAY_SLICE_MS = 50;

export interface LiveControllerOptions {
  clock: WallClock;
  /** Where batches go (every connected renderer). */
  streams: () => Iterable<BatchStream>;
  speed?: number;
}

interface Term {
  term: number;
  cmd: Command | null;
}

export class LiveController {
  runner!: LabRunner;
  live!: LiveLab;
  private lab: OpenLab | null = null;
  /** Hosts whose process is gone, and why. */
  private readonly down = new Map<string, string>();
  private journal: JournalEntry[] = [];
  private positions: number[] = [];
  /** Frame number -> [host index, index in that host's interface capture]. */
  private rows: [number, number][] = [];
  private frameCursor: number[] = [];
  private readonly cmds = new Map<number, Term>();
  private nextCmd = 1;
  private speed: number;
  private replaying = false;
  private busy: string | undefined;
  private nd = new Netdissect({ nflag: true });
  /** Records since the last `trace` request (the older request/response API). */
  private traceBuf: TraceRecord[] = [];
  traceDropped = 0;

  constructor(
    readonly topo: Topology,
    private readonly factory: RunnerFactory,
    private readonly opts: LiveControllerOptions,
  ) {
    this.speed = opts.speed ?? 1;
  }

  get now(): number {
    return this.runner.now;
  }

  view(): LiveView {
    const l = this.live;
    let events = 0;
    for (const c of this.runner?.counters() ?? []) events += c.events;
    return {
      state: l ? l.state : 'paused',
      speed: this.speed === Infinity ? 0 : this.speed,
      now: this.runner?.now ?? 0,
      windows: this.runner?.windows ?? 0,
      behindMs: this.lastBehind,
      events,
      backSteps: this.positions.length || ((this.runner?.now ?? 0) > this.bootEnd ? 1 : 0),
      ...(this.busy ? { busy: this.busy } : {}),
      ...(this.down.size ? { down: [...this.down].map(([host, message]) => ({ host, message })) } : {}),
    };
  }

  private lastBehind = 0;

  private bootEnd = 0;

  /** A fresh run with capture on, counters streaming, booted. */
  private async build(): Promise<void> {
    this.down.clear();
    const lab = await this.factory.open(this.topo, { onHostEvent: (e) => this.lab === lab && this.onHostEvent(e) });
    this.lab = lab;
    const runner = lab.runner;
    this.frameCursor = this.topo.hosts.map(() => 0);
    this.rows = [];
    this.runner = runner;
    await setLabCapture(runner, appCaptureOptions(this.topo.hosts.length));
    await runner.subscribe(true, true);
    await runner.bootAsync();
    this.bootEnd = runner.now;
    this.live = new LiveLab(runner, this.opts.clock, {
      speed: this.speed,
      onTrace: (recs) => this.onRecords(recs),
      onTick: (t) => {
        this.lastBehind = t.behindMs;
        // playback ticks are positions step back can return to
        if (t.state === 'running' && !this.replaying && this.positions[this.positions.length - 1] !== t.now) this.remember(t.now);
        this.touch();
      },
      onError: (e) => this.notice('error', `The lab stopped: ${(e as Error).message}`),
    });
  }

  /** What the supervisor saw happen to a host process. */
  private onHostEvent(e: HostEvent): void {
    const hosts = e.hosts.join(', ');
    if (e.kind === 'crashed' || e.kind === 'hung' || e.kind === 'restart-failed') {
      for (const h of e.hosts) this.down.set(h, e.message);
      const what = e.hosts.length > 1 ? `${hosts} are down` : `${hosts} is down`;
      this.notice('error', `${what}: ${e.message}. Restart it from the lab (its state since boot is lost), or step back to replay the run.`);
    } else if (e.kind === 'restarted') {
      for (const h of e.hosts) this.down.delete(h);
      this.notice('info', e.message);
    }
    this.touch();
  }

  /** The host processes (none inline): which hosts, pid, up or down. */
  processes(): ReturnType<NonNullable<OpenLab['supervisor']>['status']> {
    return this.lab?.supervisor?.status() ?? [];
  }

  /** Start a down host's process again; its boot commands run again now. */
  async restartHost(host: string): Promise<void> {
    this.runner.hostIndex(host);
    const sup = this.lab?.supervisor;
    if (!sup) throw new Error('hosts run inline here: there is no host process to restart');
    if (!this.down.has(host)) throw new Error(`${host} is not down`);
    await sup.restart(sup.slotOf(host));
    this.pump();
    this.touch();
  }

  /** Boot and start pacing (at the speed chosen last). */
  async start(play = true): Promise<void> {
    await this.build();
    this.pump();
    if (play) this.live.play();
    this.touch();
  }

  async close(): Promise<void> {
    await this.live?.close();
    for (const [id, t] of this.cmds) if (t.cmd && t.cmd.exitCode === null) this.each((s) => s.exit(t.term, id, -1));
    this.cmds.clear();
    const lab = this.lab;
    this.lab = null;
    await lab?.close();
  }

  private each(f: (s: BatchStream) => void): void {
    for (const s of this.opts.streams()) f(s);
  }

  private touch(): void {
    this.each((s) => s.touch());
  }

  private notice(level: 'error' | 'info', text: string): void {
    this.each((s) => s.notice(level, text));
  }

  // ---- what the run produced

  /** Records LiveLab drained (a tick or a step). */
  private onRecords(recs: TraceRecord[]): void {
    if (this.replaying) return;
    this.each((s) => s.addRecords(recs));
    for (const r of recs) this.traceBuf.push(r);
    const over = this.traceBuf.length - 20_000;
    if (over > 0) {
      this.traceBuf.splice(0, over);
      this.traceDropped += over;
    }
    this.newFrames();
  }

  /** After the controller advanced the runner itself (runs, replays). */
  private pump(): void {
    const recs = this.runner.drainTrace();
    if (this.replaying) this.newFrames();
    else this.onRecords(recs);
  }

  /** Number new interface frames in (time, host) order and stream their rows. */
  private newFrames(): void {
    const fresh: { f: CapturedFrame; h: number; i: number }[] = [];
    this.frameCursor.forEach((from, h) => {
      const fs = this.capture(h).iface;
      for (let i = from; i < fs.length; i++) fresh.push({ f: fs[i], h, i });
      this.frameCursor[h] = fs.length;
    });
    if (!fresh.length) return;
    fresh.sort((a, b) => a.f.t - b.f.t || a.h - b.h || a.i - b.i);
    const first = this.rows.length + 1;
    for (const x of fresh) this.rows.push([x.h, x.i]);
    if (this.replaying) return;
    // Summaries only for the rows a batch can carry (the newest).
    const keep = fresh.slice(-1000);
    const base = first + fresh.length - keep.length;
    const rows = keep.map((x, k) => summarize(x.f, base + k, this.nd));
    this.each((s) => s.addPackets(rows, fresh.length));
  }

  /** The older `trace` request: records since the last one. */
  drainTraceBuffer(): { records: TraceRecord[]; dropped: number } {
    if (this.live.state !== 'running') this.pump();
    const records = this.traceBuf;
    const dropped = this.traceDropped;
    this.traceBuf = [];
    this.traceDropped = 0;
    return { records, dropped };
  }

  // ---- pacing and stepping

  async play(): Promise<void> {
    this.notBusy();
    this.live.play();
    this.touch();
  }

  async pause(): Promise<void> {
    await this.live.pause();
    this.touch();
  }

  setSpeed(speed: number): void {
    this.speed = speed === 0 ? Infinity : speed;
    this.live.setSpeed(this.speed);
    this.touch();
  }

  private notBusy(): void {
    if (this.busy) throw new Error(`busy: ${this.busy}`);
  }

  private remember(t = this.runner.now): void {
    this.positions.push(t);
    if (this.positions.length > MAX_POSITIONS) this.positions.shift();
  }

  async step(): Promise<void> {
    this.notBusy();
    await this.live.pause();
    this.remember();
    await this.live.step();
    this.touch();
  }

  async stepPacket(host: string, skb: number): Promise<void> {
    this.notBusy();
    await this.live.pause();
    this.remember();
    await this.live.stepPacket(host, skb);
    this.touch();
  }

  /** Back to the previous position: before the last step, or the previous
   * tick of playback. Rebuilds the run and replays it to there. */
  async stepBack(): Promise<void> {
    this.notBusy();
    await this.live.pause();
    let target: number | undefined;
    while (this.positions.length && (target === undefined || target >= this.runner.now)) target = this.positions.pop();
    if (target === undefined || target >= this.runner.now) target = this.bootEnd;
    if (target >= this.runner.now) return;
    await this.rebuildTo(target);
  }

  /** Same lab, same seed, the journal up to `target`: the same run to there. */
  private async rebuildTo(target: number): Promise<void> {
    const keep = this.journal.filter((e) => e.t <= target);
    const undone = this.journal.filter((e) => e.t > target);
    const old = this.live;
    await old.close();
    const lab = this.lab;
    this.lab = null;
    await lab?.close(); // its processes go back to the pool for the replay
    // Commands typed after the target never happened now.
    for (const e of undone) {
      if (e.kind !== 'exec') continue;
      const t = this.cmds.get(e.id);
      if (t) this.each((s) => s.exit(t.term, e.id, -1));
      this.cmds.delete(e.id);
    }
    this.journal = keep;
    this.busy = 'Replaying the run for step back';
    this.replaying = true;
    try {
      this.progress(0, target);
      await this.build();
      for (const e of keep) {
        await this.advanceTo(e.t, target);
        await this.apply(e);
      }
      await this.advanceTo(target, target);
      this.pump();
    } finally {
      this.replaying = false;
      this.busy = undefined;
    }
    this.traceBuf = [];
    this.each((s) => s.setRewind({ frames: this.rows.length, now: this.runner.now }));
    this.progress(target, target);
    this.touch();
  }

  private progress(done: number, total: number): void {
    this.each((s) => s.setProgress({ what: 'step back: replaying the run', done, total }));
  }

  /** Advance the runner to t in slices, reporting progress between them. */
  private async advanceTo(t: number, total: number): Promise<void> {
    const r = this.runner;
    while (r.now < t) {
      const start = performance.now();
      await r.advanceAsync(t, () => performance.now() - start > REPLAY_SLICE_MS);
      this.pump();
      if (r.now < t) {
        this.progress(r.now, total);
        await new Promise((res) => setImmediate(res));
      }
    }
  }

  /** Do a journal entry on the current runner. */
  private async apply(e: JournalEntry): Promise<void> {
    switch (e.kind) {
      case 'exec': {
        const t = this.cmds.get(e.id) ?? { term: e.term, cmd: null };
        this.cmds.set(e.id, t);
        t.cmd = await this.live.exec(e.host, e.line, {
          session: e.term,
          stdin: 'pipe',
          onOutput: (stream, text) => {
            if (!this.replaying) this.each((s) => s.output(t.term, e.id, stream, text));
          },
          onExit: (code) => {
            if (!this.replaying) this.each((s) => s.exit(t.term, e.id, code));
            if (this.cmds.get(e.id) === t) this.cmds.delete(e.id);
          },
        });
        return;
      }
      case 'input': {
        const c = this.cmds.get(e.id)?.cmd;
        if (c) await this.live.input(c, e.text);
        return;
      }
      case 'interrupt': {
        const c = this.cmds.get(e.id)?.cmd;
        if (c) await this.live.interrupt(c);
        return;
      }
      case 'run':
        await this.runner.runCommandAsync(e.host, e.line);
        return;
    }
  }

  /** Do something to the lab at the current virtual time: paused first, so
   * the time is exact and goes into the journal; running again after. */
  private async atNow<T>(f: (t: number) => Promise<T>): Promise<T> {
    if (this.busy) throw new Error(`busy: ${this.busy}`);
    const wasRunning = this.live.state === 'running';
    if (wasRunning) await this.live.pause();
    try {
      return await f(this.runner.now);
    } finally {
      this.pump();
      if (wasRunning && this.live.state === 'paused') this.live.play();
      this.touch();
    }
  }

  // ---- terminals

  /** Type a line into a terminal; output and exit stream back tagged (term, id). */
  exec(host: string, line: string, term: number): Promise<number> {
    this.runner.hostIndex(host);
    return this.atNow(async (t) => {
      const id = this.nextCmd++;
      const e: JournalEntry = { t, kind: 'exec', host, line, term, id };
      this.journal.push(e);
      await this.apply(e);
      return id;
    });
  }

  input(id: number, text: string | null): Promise<void> {
    return this.atNow(async (t) => {
      if (!this.cmds.get(id)?.cmd) return;
      const e: JournalEntry = { t, kind: 'input', id, text };
      this.journal.push(e);
      await this.apply(e);
    });
  }

  interrupt(id: number): Promise<void> {
    return this.atNow(async (t) => {
      if (!this.cmds.get(id)?.cmd) return;
      const e: JournalEntry = { t, kind: 'interrupt', id };
      this.journal.push(e);
      await this.apply(e);
    });
  }

  /** A line run to completion at the current time (checks, knobs). */
  run(host: string, line: string): Promise<CommandResult> {
    this.runner.hostIndex(host);
    return this.atNow(async (t) => {
      this.journal.push({ t, kind: 'run', host, line });
      return this.runner.runCommandAsync(host, line);
    });
  }

  /** Start a line in the background (a check with background: true), then let time pass. */
  background(host: string, line: string, settleNs: number): Promise<void> {
    return this.atNow(async (t) => {
      const id = this.nextCmd++;
      const e: JournalEntry = { t, kind: 'exec', host, line, term: -1, id };
      this.journal.push(e);
      await this.apply(e);
      await this.runner.advanceAsync(this.runner.now + settleNs);
    });
  }

  // ---- packets, internals, export

  private capture(h: number): CaptureStore {
    const c = captureOf(this.runner, h);
    if (!c) throw new Error('frame capture is off');
    return c;
  }

  private frame(no: number): CapturedFrame {
    const at = this.rows[no - 1];
    if (!at) throw new Error(`no packet number ${no}`);
    return this.capture(at[0]).iface[at[1]];
  }

  packet(no: number): PacketDetail {
    if (this.live.state !== 'running') this.pump();
    const f = this.frame(no);
    const h = this.runner.hostIndex(f.host);
    const recs = this.runner.groupOf[h].traceOf(h).records.filter((r) => r.skb === f.skb);
    const layouts = this.capture(h).layouts.get(f.skb) ?? [];
    const path: PathStep[] = [];
    let li = 0;
    for (const r of recs) {
      const step: PathStep = { ...r };
      // The tap saw the same points in the same order (warnings excepted).
      let k = li;
      while (k < layouts.length && layouts[k].fn !== r.fn) k++;
      if (k < layouts.length) {
        const { fn: _fn, ...layout } = layouts[k];
        step.layout = layout;
        li = k + 1;
      }
      path.push(step);
    }
    const drop = recs.find((r) => r.fn === 'kfree_skb');
    return {
      row: summarize(f, no, new Netdissect({ nflag: true })),
      tree: dissect(f),
      hex: Buffer.from(f.data).toString('hex'),
      path,
      drop: drop ? (drop.info ?? 'kfree_skb').replace(/^.* reason: /, '') : null,
    };
  }

  /** A host's kernel state, asked of its process between windows. */
  async snapshot(host: string): Promise<HostInternals> {
    const h = this.runner.hostIndex(host);
    const down = this.down.get(host);
    const s = down === undefined ? await hostInternals(this.runner, h) : undefined;
    if (!s) throw new Error(`${host} is down: ${down ?? this.down.get(host) ?? 'its host process is gone'}`);
    const proc = this.processes().find((p) => p.hosts.includes(host));
    return proc?.pid !== undefined ? { ...s, process: { pid: proc.pid, hosts: proc.hosts } } : s;
  }

  exportFiles(format: 'pcap' | 'pcapng', perHook: boolean, host?: string): { files: ExportedFile[]; lost: number } {
    if (host !== undefined) this.runner.hostIndex(host);
    const caps = this.topo.hosts.map((h) => (host === undefined || h.name === host ? this.capture(h.index) : null));
    const frames = caps.map((c) => (c ? (perHook ? c.hooks : c.iface) : []));
    const lost = caps.reduce((n, c) => n + (c ? (perHook ? c.hookLost : c.ifaceLost) : 0), 0);
    const name = `${this.topo.name || 'capture'}${host ? `-${host}` : ''}`;
    const trace = perHook && format === 'pcapng' ? this.runner.trace() : undefined;
    const files = exportCapture(frames, { format, perHook, name, trace });
    return { files: files.map((f) => ({ name: f.name, frames: f.frames, base64: Buffer.from(f.bytes).toString('base64') })), lost };
  }
}

