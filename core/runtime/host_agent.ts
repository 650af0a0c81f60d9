// The host-process side of the protocol: runs the hosts a parent gives it
// (LocalHosts, exactly as inline) and answers every request with one reply
// that carries what happened: frames sent, command output and exits, new
// trace records, counters. Transport-free: node/host/entry.ts wires it to
// child_process IPC or Electron's parentPort.
import type { OutFrame } from '../host/host.js';
import { LocalHosts } from './local_hosts.js';
import type { CommandSink } from './group.js';
import { WireCaptureWriter } from './capture.js';
import { HOST_PROTOCOL_VERSION, packFrames, toWireTrace, unpackFrames, type FromHost, type ToHost, type WireTrace } from './protocol.js';

export interface AgentHooks {
  /** Leave the process (after shutdown, or the crash test hook). */
  exit(code: number): void;
  /** Test hook: stop answering (a busy loop). */
  hang(): void;
}

export class HostAgent {
  private hosts: LocalHosts | null = null;
  private testHooks = false;
  private io: [number, 1 | 2, string][] = [];
  private exits: [number, number][] = [];
  private out: OutFrame[] = [];
  /** Captures since the last reply (frame capture subscribed). */
  private capture = new WireCaptureWriter();
  private sink: CommandSink = {
    output: (cmd, stream, text) => {
      const last = this.io[this.io.length - 1];
      if (last && last[0] === cmd && last[1] === stream) last[2] += text;
      else this.io.push([cmd, stream, text]);
    },
    exit: (cmd, code) => void this.exits.push([cmd, code]),
  };

  constructor(
    private readonly post: (m: FromHost, transfer?: ArrayBuffer[]) => void,
    private readonly hooks: AgentHooks,
  ) {}

  handle(m: ToHost): void {
    try {
      this.dispatch(m);
    } catch (e) {
      this.reply(m.id, { error: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) });
    }
  }

  private need(): LocalHosts {
    if (!this.hosts) throw new Error('not booted');
    return this.hosts;
  }

  private deliver(frames: ArrayBuffer | null): void {
    if (!frames) return;
    const hosts = this.need();
    for (const f of unpackFrames(frames)) hosts.deliver(f);
  }

  private dispatch(m: ToHost): void {
    switch (m.t) {
      case 'boot': {
        if (m.v !== HOST_PROTOCOL_VERSION) throw new Error(`protocol ${m.v} asked, ${HOST_PROTOCOL_VERSION} spoken here`);
        this.hosts = new LocalHosts(m.topo, m.hosts, m.trace, this.sink);
        this.hosts.countersOn = m.counters;
        this.capture = new WireCaptureWriter();
        if (m.capture) this.hosts.setCapture(m.capture, (h) => this.capture.sinkFor(h));
        this.testHooks = !!m.testHooks;
        this.hosts.settle(m.at);
        for (const [host, cmd] of m.reboot) this.hosts.reboot(m.at, host, cmd, this.out);
        return this.reply(m.id);
      }
      case 'window': {
        const hosts = this.need();
        this.deliver(m.frames);
        hosts.window(m.end, this.out);
        return this.reply(m.id, hosts.countersOn ? { counters: hosts.counters() } : {});
      }
      case 'exec':
        this.deliver(m.frames);
        this.need().exec(m.at, { host: m.host, cmd: m.cmd, line: m.line, stdin: m.stdin, session: m.session }, this.out);
        return this.reply(m.id);
      case 'input':
        this.deliver(m.frames);
        this.need().input(m.at, m.cmd, m.text, this.out);
        return this.reply(m.id);
      case 'signal':
        this.deliver(m.frames);
        this.need().signal(m.at, m.cmd, this.out);
        return this.reply(m.id);
      case 'subscribe':
        this.need().setTrace(m.trace, m.counters);
        return this.reply(m.id, m.counters ? { counters: this.need().counters() } : {});
      case 'snapshot':
        if (m.internals && m.at !== undefined) this.need().settle(m.at);
        return this.reply(m.id, { snapshot: this.need().snapshot(), ...(m.internals ? { internals: m.internals.map((h) => this.need().internals(h)) } : {}) });
      case 'capture':
        this.need().setCapture(m.opts, (h) => this.capture.sinkFor(h));
        return this.reply(m.id);
      case 'ping':
        return this.reply(m.id);
      case 'shutdown':
        this.reply(m.id);
        return this.hooks.exit(0);
      case 'debug':
        if (!this.testHooks) return; // inert outside tests (and never answered)
        if (m.op === 'crash') return this.hooks.exit(70);
        return this.hooks.hang();
    }
  }

  private reply(id: number, extra: Partial<FromHost> = {}): void {
    const m: FromHost = { t: 'reply', id, next: this.hosts ? this.hosts.next : Infinity, ...extra };
    const transfer: ArrayBuffer[] = [];
    if (this.out.length) {
      m.out = packFrames(this.out);
      transfer.push(m.out);
      this.out = [];
    }
    if (this.io.length) {
      m.io = this.io;
      this.io = [];
    }
    if (this.exits.length) {
      m.exits = this.exits;
      this.exits = [];
    }
    const trace = this.takeTrace();
    if (trace) m.trace = trace;
    const capture = this.capture.take();
    if (capture) {
      m.capture = capture;
      if (capture.bytes) transfer.push(capture.bytes);
    }
    this.post(m, transfer);
  }

  /** New trace records, which then leave this process (the parent keeps them). */
  private takeTrace(): WireTrace[] | null {
    if (!this.hosts) return null;
    let out: WireTrace[] | null = null;
    for (const h of this.hosts.list) {
      const recs = h.net.tracer.records;
      if (!recs.length) continue;
      out ??= [];
      for (const r of recs) out.push(toWireTrace(h.spec.index, r));
      recs.length = 0;
    }
    return out;
  }
}
