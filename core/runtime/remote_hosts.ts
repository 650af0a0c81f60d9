// Hosts in another process, seen from the coordinator: each call becomes one
// request over a Channel and settles with its reply. Frames for these hosts
// wait here until the next request (so a process that sits windows out gets
// no message at all) and then go in one packed buffer. The process may die
// or be replaced (attach again after a restart); its trace records and
// counters are kept here, so they outlive it. Over blocking pipes (a
// SyncChannel) a reply is read at once, or for a window in the coordinator's
// second phase, and nothing waits for a promise.
import type { Topology } from '../lab/topology.js';
import type { OutFrame } from '../host/host.js';
import { TRACE_LIMIT, type TraceRecord } from '../net/core/trace.js';
import type { CommandSink, ExecRequest, HostGroup, Maybe } from './group.js';
import { CaptureStore, readWireCapture, type CaptureOptions } from './capture.js';
import type { HostSnapshotView } from '../host/snapshot.js';
import { HOST_PROTOCOL_VERSION, fromWireTrace, packFrames, unpackFrames, type Channel, type FromHost, type HostCounters, type HostSnapshot, type SyncChannel, type ToHost } from './protocol.js';

type Request = ToHost extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never;

export class RemoteHosts implements HostGroup {
  readonly remote = true;
  next = Infinity;
  alive = false;
  private channel: Channel | null = null;
  /** The process over blocking pipes: every request goes here, answered without the event loop. */
  private sync: SyncChannel | null = null;
  /** Id of the window begun and not finished yet (0: none). */
  private begun = 0;
  /** Bumped on attach and failure: replies from an older process are ignored. */
  private epoch = 0;
  private ids = 0;
  private pending = new Map<number, (m: FromHost | null) => void>();
  private inbox: OutFrame[] = [];
  private traces = new Map<number, { records: TraceRecord[]; lost: number }>();
  private latest = new Map<number, HostCounters>();
  private indexOf = new Map<string, number>();
  /** Commands on these hosts that have not exited. */
  private running = new Set<number>();
  private traceOn: boolean;
  private countersOn = false;
  /** Frame capture subscribed (sent again to a restarted process), and what it brought. */
  private captureOpts: CaptureOptions | null = null;
  private captures = new Map<number, CaptureStore>();

  constructor(
    private readonly topo: Topology,
    readonly members: readonly number[],
    private readonly sink: CommandSink,
    private readonly opts: { trace: boolean; testHooks?: boolean },
  ) {
    this.traceOn = opts.trace;
    for (const h of members) {
      this.traces.set(h, { records: [], lost: 0 });
      this.indexOf.set(topo.hosts[h].name, h);
    }
  }

  get synchronous(): boolean {
    return this.sync !== null;
  }

  /** Host names here (for messages to the user). */
  get names(): string[] {
    return this.members.map((h) => this.topo.hosts[h].name);
  }

  /** Connect a (new) process and build the hosts in it, clocks at `at`.
   * reboot: [host, cmd] pairs whose exec lines run again (a restart). */
  async attach(channel: Channel, at: number, reboot: [number, number][] = [], out: OutFrame[] = []): Promise<void> {
    const epoch = ++this.epoch;
    this.channel = channel;
    this.sync = channel.syncChannel?.() ?? null;
    channel.onMessage((m) => {
      if (epoch === this.epoch) this.onReply(m);
    });
    for (const [, cmd] of reboot) this.running.add(cmd);
    const r = await this.request({ t: 'boot', v: HOST_PROTOCOL_VERSION, topo: this.topo, hosts: [...this.members], at, trace: this.traceOn, counters: this.countersOn, reboot, testHooks: this.opts.testHooks, ...(this.captureOpts ? { capture: this.captureOpts } : {}) }, undefined, out);
    if (!r) throw new Error(`host process for ${this.names.join(', ')} died while booting`);
    if (r.error) throw new Error(r.error);
    this.alive = true;
  }

  /** The process is gone: its hosts are down until attached again. Commands
   * running there end with status 137 (killed) and say why. */
  fail(reason: string): void {
    this.epoch++;
    this.alive = false;
    this.channel = null;
    this.sync = null;
    this.begun = 0;
    this.next = Infinity;
    this.inbox = [];
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const cmd of this.running) {
      this.sink.output(cmd, 2, `${reason}\n`);
      this.sink.exit(cmd, 137);
    }
    this.running.clear();
    for (const w of waiting) w(null);
  }

  /** Send; the reply's frames (if any) go to `out`. */
  private request(msg: Request, transfer?: ArrayBuffer[], out?: OutFrame[]): Promise<FromHost | null> {
    if (this.sync) return Promise.resolve(this.collect(this.post({ ...msg, id: ++this.ids } as ToHost), out));
    const ch = this.channel;
    if (!ch) return Promise.resolve(null);
    const id = ++this.ids;
    return new Promise((resolve) => {
      this.pending.set(id, (m) => {
        if (m?.out && out) unpackFrames(m.out, out);
        resolve(m);
      });
      ch.send({ ...msg, id } as ToHost, transfer);
    });
  }

  /** Write a request to the synchronous channel; collect() reads its reply. */
  private post(msg: ToHost): number {
    this.sync!.post(msg);
    return msg.id;
  }

  /** Read replies until the one to request `id` (null: the process is
   * gone); its frames go to `out`. Replies are in request order. */
  private collect(id: number, out?: OutFrame[]): FromHost | null {
    const ch = this.sync;
    while (ch && ch === this.sync) {
      const m = ch.receive();
      if (!m) {
        if (ch === this.sync) this.fail(`stacklab: host process of ${this.names.join(', ')} died`);
        return null;
      }
      if (m.id !== id) continue; // an older request's, given up
      this.absorb(m);
      if (m.out && out) unpackFrames(m.out, out);
      return m;
    }
    return null;
  }

  private onReply(m: FromHost): void {
    const done = this.pending.get(m.id);
    if (!done) return; // e.g. a supervisor's ping
    this.pending.delete(m.id);
    this.absorb(m);
    done(m);
  }

  /** What a reply reports: next event, command output and exits, trace, counters. */
  private absorb(m: FromHost): void {
    this.next = m.next;
    if (m.io) for (const [cmd, stream, text] of m.io) this.sink.output(cmd, stream, text);
    if (m.exits)
      for (const [cmd, code] of m.exits) {
        this.running.delete(cmd);
        this.sink.exit(cmd, code);
      }
    if (m.trace)
      for (const w of m.trace) {
        const store = this.traces.get(w[0])!;
        store.records.push(fromWireTrace(w, this.topo.hosts[w[0]].name));
      }
    if (m.trace) for (const store of this.traces.values()) this.trim(store);
    if (m.counters) for (const c of m.counters) this.latest.set(this.indexOf.get(c.host)!, c);
    if (m.capture) readWireCapture(m.capture, (h) => this.captures.get(h), (h) => this.topo.hosts[h].name);
  }

  private trim(store: { records: TraceRecord[]; lost: number }): void {
    const over = store.records.length - TRACE_LIMIT;
    if (over > 0) {
      store.records.splice(0, over);
      store.lost += over;
    }
  }

  private takeInbox(): { frames: ArrayBuffer | null; transfer?: ArrayBuffer[] } {
    if (!this.inbox.length) return { frames: null };
    const frames = packFrames(this.inbox);
    this.inbox = [];
    return { frames, transfer: [frames] };
  }

  deliver(f: OutFrame): void {
    this.inbox.push(f);
    if (f.arrival < this.next) this.next = f.arrival;
  }

  /** Over a synchronous channel: write the window now, read it in finish(). */
  begin(end: number): boolean {
    if (!this.sync) return false;
    this.begun = this.post({ t: 'window', id: ++this.ids, end, frames: this.takeInbox().frames });
    return true;
  }

  finish(out: OutFrame[]): void {
    const id = this.begun;
    this.begun = 0;
    const r = id ? this.collect(id, out) : null;
    if (r?.error) throw new Error(`${this.names.join(', ')}: ${r.error}`);
  }

  async window(end: number, out: OutFrame[]): Promise<void> {
    const { frames, transfer } = this.takeInbox();
    const r = await this.request({ t: 'window', end, frames }, transfer, out);
    // The model threw (a bug): surface it as an inline run would.
    if (r?.error) throw new Error(`${this.names.join(', ')}: ${r.error}`);
  }

  /** A command's request; over a synchronous channel it returns no promise. */
  private op(msg: Request & { frames: ArrayBuffer | null }, out: OutFrame[], transfer?: ArrayBuffer[]): Maybe<void> {
    if (this.sync) {
      const r = this.collect(this.post({ ...msg, id: ++this.ids } as ToHost), out);
      if (r?.error) throw new Error(r.error);
      return;
    }
    return this.request(msg, transfer, out).then((r) => {
      if (r?.error) throw new Error(r.error);
    });
  }

  exec(at: number, req: ExecRequest, out: OutFrame[]): Maybe<void> {
    const { frames, transfer } = this.takeInbox();
    this.running.add(req.cmd);
    return this.op({ t: 'exec', at, frames, ...req }, out, transfer);
  }

  input(at: number, cmd: number, text: string | null, out: OutFrame[]): Maybe<void> {
    const { frames, transfer } = this.takeInbox();
    return this.op({ t: 'input', at, frames, cmd, text }, out, transfer);
  }

  signal(at: number, cmd: number, out: OutFrame[]): Maybe<void> {
    const { frames, transfer } = this.takeInbox();
    return this.op({ t: 'signal', at, frames, cmd }, out, transfer);
  }

  async setTrace(on: boolean, counters: boolean): Promise<void> {
    this.traceOn = on;
    this.countersOn = counters;
    await this.request({ t: 'subscribe', trace: on, counters });
  }

  traceOf(h: number): { records: readonly TraceRecord[]; lost: number } {
    return this.traces.get(h)!;
  }

  counters(): HostCounters[] {
    return [...this.latest.values()];
  }

  async snapshot(): Promise<HostSnapshot[]> {
    const r = await this.request({ t: 'snapshot' });
    if (r?.snapshot) for (const s of r.snapshot) this.latest.set(this.indexOf.get(s.host)!, s);
    return r?.snapshot ?? [];
  }

  async setCapture(opts: CaptureOptions | null): Promise<void> {
    this.captureOpts = opts;
    if (opts) for (const h of this.members) if (!this.captures.has(h)) this.captures.set(h, new CaptureStore());
    await this.request({ t: 'capture', opts });
  }

  captureOf(h: number): CaptureStore | undefined {
    return this.captures.get(h);
  }

  /** Host h's kernel state at the coordinator's time `at`, asked of its
   * process (undefined while it is down). Ask between windows. */
  async internals(h: number, at?: number): Promise<HostSnapshotView | undefined> {
    const r = await this.request({ t: 'snapshot', internals: [h], ...(at !== undefined ? { at } : {}) });
    if (r?.error) throw new Error(r.error);
    return r?.internals?.[0];
  }

  /** Test hook: make the process stop answering, or die. */
  debug(op: 'hang' | 'crash'): void {
    if (this.sync) return this.sync.post({ t: 'debug', id: ++this.ids, op });
    this.channel?.send({ t: 'debug', id: ++this.ids, op });
  }

  async close(): Promise<void> {
    if (!this.channel) return;
    await this.request({ t: 'shutdown' });
    this.epoch++;
    this.alive = false;
    this.channel = null;
    this.sync = null;
  }
}
