// Hosts that run in this process: the inline group of a LabRunner, and what a
// host process runs for its parent (host_agent.ts). Everything here is
// synchronous; a window is a plain loop over the hosts' engines.
import type { Topology } from '../lab/topology.js';
import type { Host, OutFrame } from '../host/host.js';
import type { TraceRecord } from '../net/core/trace.js';
import { Pipe, interruptTask, nullInput, type Output, type Task } from '../userland/process.js';
import { ShellSession } from '../userland/runner.js';
import { buildHosts } from './build.js';
import type { CommandSink, ExecRequest, HostGroup } from './group.js';
import type { HostCounters, HostSnapshot } from './protocol.js';
import { CaptureStore, CaptureTap, type CaptureOptions, type CaptureSink } from './capture.js';
import { snapshotHost, type HostSnapshotView } from '../host/snapshot.js';

interface Running {
  host: Host;
  task: Task;
  stdin: Pipe | null;
}

class SinkOutput implements Output {
  constructor(
    private sink: CommandSink,
    private cmd: number,
    private stream: 1 | 2,
  ) {}
  write(s: string): void {
    if (s) this.sink.output(this.cmd, this.stream, s);
  }
  close(): void {}
}

export class LocalHosts implements HostGroup {
  readonly members: number[];
  /** Hosts by their index in the topology (sparse in a host process). */
  readonly byIndex: (Host | undefined)[] = [];
  readonly list: Host[];
  readonly alive = true;
  private running = new Map<number, Running>();
  private sessions = new Map<number, ShellSession>();
  /** Counters are wanted after each window (host processes with a subscriber). */
  countersOn = false;

  constructor(
    topo: Topology,
    members: readonly number[],
    trace: boolean,
    private sink: CommandSink,
  ) {
    this.members = [...members];
    this.list = buildHosts(topo, members, trace);
    this.list.forEach((h, i) => (this.byIndex[members[i]] = h));
  }

  get next(): number {
    let t = Infinity;
    for (const h of this.list) {
      const n = h.engine.nextTime();
      if (n < t) t = n;
    }
    return t;
  }

  deliver(f: OutFrame): void {
    this.byIndex[f.toHost]?.deliver(f);
  }

  window(end: number, out: OutFrame[]): void {
    for (const h of this.list) h.engine.runUntil(end);
    this.collect(out);
  }

  /** Bring every clock to `at`. The coordinator only moves time past a
   * host's clock when it has no event before `at`, so nothing runs here. */
  settle(at: number): void {
    for (const h of this.list) if (h.engine.now < at) h.engine.runUntil(at);
  }

  exec(at: number, req: ExecRequest, out: OutFrame[]): void {
    this.settle(at);
    const { cmd } = req;
    const stdin = req.stdin === 'pipe' ? new Pipe() : null;
    let session: ShellSession | undefined;
    if (req.session !== undefined) {
      session = this.sessions.get(req.session);
      if (!session) this.sessions.set(req.session, (session = new ShellSession()));
    }
    const host = this.host(req.host);
    const task = this.start(host, req.line, stdin, session, cmd, this.sink);
    this.collect(out);
    if (task.exitCode !== null) return;
    this.running.set(cmd, { host, task, stdin });
    task.exited.add(() => this.running.delete(cmd));
  }

  private host(index: number): Host {
    const host = this.byIndex[index];
    if (!host) throw new Error(`host #${index} does not run here`);
    return host;
  }

  /** Run a line; its output and exit go to `sink` as command `cmd`. */
  private start(host: Host, line: string, stdin: Pipe | null, session: ShellSession | undefined, cmd: number, sink: CommandSink): Task {
    const task = host.procs.runLine(line, { stdin: stdin ?? nullInput(), stdout: new SinkOutput(sink, cmd, 1), stderr: new SinkOutput(sink, cmd, 2) }, session);
    if (task.exitCode !== null) sink.exit(cmd, task.exitCode);
    else task.exited.add(() => sink.exit(cmd, task.exitCode ?? 0));
    return task;
  }

  input(at: number, cmd: number, text: string | null, out: OutFrame[]): void {
    this.settle(at);
    const r = this.running.get(cmd);
    if (!r?.stdin) return;
    if (text === null) r.stdin.close();
    else r.stdin.write(text);
    this.collect(out);
  }

  signal(at: number, cmd: number, out: OutFrame[]): void {
    this.settle(at);
    const r = this.running.get(cmd);
    if (r) interruptTask(r.task);
    this.collect(out);
  }

  /** Frames sent outside a window (while a command was taken). */
  collect(out: OutFrame[]): void {
    for (const h of this.list) if (h.outbox.length) for (const f of h.takeOutbox()) out.push(f);
  }

  /** A restarted host: its exec lines one after another from `at`, as a
   * fresh machine boots (their output and final status reported as `cmd`). */
  reboot(at: number, index: number, cmd: number, out: OutFrame[]): void {
    this.settle(at);
    const host = this.host(index);
    const lines = host.spec.exec;
    const step = (i: number): void => {
      if (i === lines.length) return this.sink.exit(cmd, 0);
      const relay: CommandSink = {
        output: (_c, s, text) => this.sink.output(cmd, s, text),
        exit: (_c, code) => (code === 0 ? step(i + 1) : this.sink.exit(cmd, code)),
      };
      this.start(host, lines[i], null, undefined, cmd, relay);
    };
    step(0);
    this.collect(out);
  }

  setTrace(on: boolean, counters: boolean): void {
    for (const h of this.list) h.net.tracer.on = on;
    this.countersOn = counters;
  }

  traceOf(h: number): { records: readonly TraceRecord[]; lost: number } {
    const t = this.byIndex[h]!.net.tracer;
    return { records: t.records, lost: t.lost };
  }

  counters(hosts: Iterable<Host> = this.list): HostCounters[] {
    const out: HostCounters[] = [];
    for (const h of hosts) out.push(countersOf(h));
    return out;
  }

  snapshot(): HostSnapshot[] {
    return this.list.map((h) => ({
      ...countersOf(h),
      nextEvent: h.engine.nextTime(),
      pendingEvents: h.engine.pending,
      tasks: [...h.sched.tasks.values()].filter((t) => t.exitCode === null).map((t) => ({ pid: t.pid, argv: t.argv })),
    }));
  }

  // ---- the app's capture and internals (capture.ts)

  private captures = new Map<number, CaptureStore>();

  /** Capture on every host here; each host's takes go to sinkFor(its index)
   * (a host process: into the replies), by default to its store here. */
  setCapture(opts: CaptureOptions | null, sinkFor?: (h: number) => CaptureSink): void {
    this.list.forEach((h, i) => {
      const index = this.members[i];
      if (!opts) return void (h.net.tracer.capture = null);
      let sink = sinkFor?.(index);
      if (!sink) this.captures.set(index, (sink = this.captures.get(index) ?? new CaptureStore()));
      h.net.tracer.capture = new CaptureTap(opts, sink);
    });
  }

  captureOf(h: number): CaptureStore | undefined {
    return this.captures.get(h);
  }

  internals(h: number, at?: number): HostSnapshotView {
    if (at !== undefined) this.settle(at);
    return snapshotHost(this.host(h));
  }
}

export function countersOf(h: Host): HostCounters {
  return {
    host: h.name,
    now: h.engine.now,
    events: h.engine.executed,
    outstanding: h.net.outstanding,
    lostFrames: h.lostFrames,
    traceLost: h.net.tracer.lost,
    devices: [...h.net.devices.values()].map((d) => ({
      name: d.name,
      ifindex: d.ifindex,
      rx_packets: d.stats.rx_packets,
      tx_packets: d.stats.tx_packets,
      rx_bytes: d.stats.rx_bytes,
      tx_bytes: d.stats.tx_bytes,
      rx_dropped: d.stats.rx_dropped,
      tx_dropped: d.stats.tx_dropped,
      rx_missed_errors: d.stats.rx_missed_errors,
    })),
  };
}
