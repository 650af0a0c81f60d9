// Runs a lab: builds every host from the topology, moves frames between
// them, and advances all hosts together in conservative windows (ns-3's
// distributed scheme): no host runs further ahead than the smallest link
// latency, so every frame reaches its receiver before the receiver's clock
// passes the frame's arrival time. Frames are delivered in (arrival, sending
// host, sequence) order, which makes the run independent of how hosts are
// spread over processes.
import type { Topology, CheckSpec } from '../lab/topology.js';
import { Host, PHY_LATENCY_NS, type OutFrame } from '../host/host.js';
import { deriveSeed } from '../sim/prng.js';
import type { TraceRecord } from '../net/core/trace.js';
import type { Task } from '../userland/process.js';
import { NSEC_PER_MSEC, NSEC_PER_SEC } from '../sim/engine.js';

export interface CommandResult {
  exit: number;
  stdout: string;
  stderr: string;
}

export interface CheckResult {
  host: string;
  run: string;
  background?: boolean;
  exit?: number;
  stdout?: string;
  stderr?: string;
  pass?: boolean;
}

/** What a check may take at most, as the oracle's timeout (virtual time). */
export const CHECK_TIMEOUT_NS = 30 * NSEC_PER_SEC;
/** Starting a command costs the check runner a fork and exec of `sh -c` and
 * the tool; packets in flight keep moving meanwhile, as on the real machine. */
export const EXEC_LATENCY_NS = NSEC_PER_MSEC;
/** A background check starts, then this much time passes (as in the oracle). */
export const BACKGROUND_SETTLE_NS = 300 * NSEC_PER_MSEC;

export class BootError extends Error {
  constructor(
    readonly host: string,
    readonly command: string,
    readonly detail: string,
  ) {
    super(`${host}: boot command '${command}' failed: ${detail}`);
  }
}

export class LabRunner {
  readonly hosts: Host[] = [];
  readonly byName = new Map<string, Host>();
  /** Smallest latency of any link: the window length. */
  readonly lookahead: number;
  private traceCursor = 0;
  windows = 0;

  constructor(
    readonly topo: Topology,
    readonly opts: { trace?: boolean } = {},
  ) {
    const index = new Map(topo.hosts.map((h) => [h.name, h]));
    const ifindexOf = (host: string, ifname: string) => 2 + index.get(host)!.ifaces.findIndex((i) => i.name === ifname);
    let lookahead = Infinity;
    for (const h of topo.hosts) {
      const links: ConstructorParameters<typeof Host>[2] = [];
      topo.links.forEach((l, li) => {
        l.endpoints.forEach((ep, side) => {
          if (ep.host !== h.name) return;
          const peer = l.endpoints[1 - side];
          links.push({
            ifname: ep.ifname,
            seed: deriveSeed(topo.seed, 100_000 + li * 2 + side),
            end: { link: li, peerHost: index.get(peer.host)!.index, peerIfindex: ifindexOf(peer.host, peer.ifname), delayNs: l.delayNs, lossPct: l.lossPct, rateBps: l.rateBps },
          });
        });
        lookahead = Math.min(lookahead, l.delayNs + PHY_LATENCY_NS);
      });
      const host = new Host(h, topo.seed, links);
      host.net.tracer.on = !!opts.trace;
      this.hosts.push(host);
      this.byName.set(h.name, host);
    }
    this.lookahead = lookahead === Infinity ? PHY_LATENCY_NS : lookahead;
  }

  get now(): number {
    return this.hosts.length ? this.hosts[0].engine.now : 0;
  }

  /** Run every host up to `limit` or until done() holds after a window. */
  advance(limit: number, done: () => boolean = () => false): void {
    for (;;) {
      if (done()) return;
      let t = Infinity;
      for (const h of this.hosts) t = Math.min(t, h.engine.nextTime());
      if (t >= limit) {
        for (const h of this.hosts) h.engine.runUntil(limit);
        return;
      }
      const end = Math.min(t + this.lookahead, limit);
      for (const h of this.hosts) h.engine.runUntil(end);
      this.windows++;
      this.exchange();
    }
  }

  /** Move frames from outboxes to receivers in (arrival, host, seq) order. */
  private exchange(): void {
    let frames: OutFrame[] = [];
    for (const h of this.hosts) if (h.outbox.length) frames = frames.concat(h.takeOutbox());
    if (!frames.length) return;
    frames.sort((a, b) => a.arrival - b.arrival || a.fromHost - b.fromHost || a.seq - b.seq);
    for (const f of frames) this.hosts[f.toHost].deliver(f);
  }

  /** Boot: every host's exec lines in file order, at time zero. */
  boot(): void {
    for (const h of this.hosts) {
      for (const line of h.spec.exec) {
        const r = this.runCommand(h.name, line);
        if (r.exit !== 0) throw new BootError(h.name, line, (r.stderr || r.stdout).trim() || `exit status ${r.exit}`);
      }
    }
  }

  /** Run a shell line on a host now; virtual time advances until it exits. */
  runCommand(hostName: string, line: string, timeoutNs = CHECK_TIMEOUT_NS): CommandResult {
    const host = this.host(hostName);
    const { task, stdout, stderr } = host.startLine(line);
    const deadline = this.now + timeoutNs;
    this.advance(deadline, () => task.exitCode !== null);
    if (task.exitCode === null) {
      host.sched.interrupt(task);
      this.advance(this.now + NSEC_PER_MSEC, () => task.exitCode !== null);
      return { exit: 124, stdout: stdout.text, stderr: 'timeout' };
    }
    return { exit: task.exitCode, stdout: stdout.text, stderr: stderr.text };
  }

  /** Start a line in the background; it keeps running while time passes. */
  startBackground(hostName: string, line: string): Task {
    return this.host(hostName).startLine(line).task;
  }

  /** Let virtual time pass (e.g. `sleep` between commands). */
  idle(ns: number): void {
    this.advance(this.now + ns);
  }

  runCheck(c: CheckSpec): CheckResult {
    this.idle(EXEC_LATENCY_NS);
    if (c.background) {
      this.startBackground(c.host, c.run);
      this.idle(BACKGROUND_SETTLE_NS);
      return { host: c.host, run: c.run, background: true };
    }
    const r = this.runCommand(c.host, c.run);
    const out: CheckResult = { host: c.host, run: c.run, exit: r.exit, stdout: r.stdout, stderr: r.stderr };
    if (c.expect) {
      let ok = true;
      if (c.expect.exit !== undefined) ok &&= r.exit === c.expect.exit;
      if (c.expect.stdout_contains !== undefined) ok &&= r.stdout.includes(c.expect.stdout_contains);
      if (c.expect.stdout_matches !== undefined) ok &&= new RegExp(c.expect.stdout_matches, 'm').test(r.stdout);
      out.pass = ok;
    }
    return out;
  }

  runChecks(): CheckResult[] {
    return this.topo.checks.map((c) => this.runCheck(c));
  }

  host(name: string): Host {
    const h = this.byName.get(name);
    if (!h) throw new Error(`no host '${name}' in this lab`);
    return h;
  }

  /** Every trace record of every host, in (time, host, record) order. */
  trace(): TraceRecord[] {
    const all: { r: TraceRecord; h: number; i: number }[] = [];
    this.hosts.forEach((h, hi) => h.net.tracer.records.forEach((r, i) => all.push({ r, h: hi, i })));
    all.sort((a, b) => a.r.t - b.r.t || a.h - b.h || a.i - b.i);
    return all.map((x) => x.r);
  }

  drainTrace(): TraceRecord[] {
    const all = this.trace();
    const out = all.slice(this.traceCursor);
    this.traceCursor = all.length;
    return out;
  }

  /** skbs allocated and not yet freed, per host (leak check). */
  outstanding(): Record<string, number> {
    return Object.fromEntries(this.hosts.map((h) => [h.name, h.net.outstanding]));
  }
}
