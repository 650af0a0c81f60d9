// Runs a lab: boot, commands and checks over the coordinator's windows
// (coordinator.ts). By default every host runs inline and the methods are
// synchronous; given groups in other processes (node/runtime/lab.ts), the
// *Async methods do the same steps, waiting for those processes where they
// must. Same lab, same seed: the same results and trace either way.
import type { Topology, CheckSpec } from '../lab/topology.js';
import type { Host } from '../host/host.js';
import { NSEC_PER_MSEC, NSEC_PER_SEC } from '../sim/engine.js';
import { Coordinator, Command } from './coordinator.js';
import type { CommandSink, HostGroup } from './group.js';
import { LocalHosts } from './local_hosts.js';
import type { Channel, HostCounters, HostSnapshot } from './protocol.js';
import type { RemoteHosts } from './remote_hosts.js';

export { Command } from './coordinator.js';

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
    /** Index of the command in the host's exec list (for file:line:col). */
    readonly index = -1,
  ) {
    super(`${host}: boot command '${command}' failed: ${detail}`);
  }
}

type Steps<T> = Generator<Promise<unknown>, T, unknown>;

export interface LabRunnerOptions {
  trace?: boolean;
  /** Host groups (e.g. host processes); default: every host inline. */
  groups?: (sink: CommandSink) => HostGroup[];
}

export class LabRunner extends Coordinator {
  /** Hosts running inline, in topology order (empty for hosts in other processes). */
  readonly hosts: Host[] = [];
  readonly byName = new Map<string, Host>();

  constructor(topo: Topology, readonly opts: LabRunnerOptions = {}) {
    super(topo, opts.groups ?? ((sink) => [new LocalHosts(topo, topo.hosts.map((h) => h.index), !!opts.trace, sink)]));
    for (const g of this.groups) if (g instanceof LocalHosts) g.list.forEach((h) => this.byName.set(h.name, h));
    for (const h of topo.hosts) {
      const host = this.byName.get(h.name);
      if (host) this.hosts.push(host);
    }
  }

  // ---- the procedures, written once ----

  private *bootSteps(): Steps<void> {
    for (const h of this.topo.hosts) {
      for (const [i, line] of h.exec.entries()) {
        const r = yield* this.commandSteps(h.name, line, CHECK_TIMEOUT_NS);
        if (r.exit !== 0) throw new BootError(h.name, line, (r.stderr || r.stdout).trim() || `exit status ${r.exit}`, i);
      }
    }
  }

  private *commandSteps(hostName: string, line: string, timeoutNs: number): Steps<CommandResult> {
    const cmd = yield* this.execStep(hostName, line);
    const done = () => cmd.exitCode !== null;
    yield* this.steps(this.now + timeoutNs, done);
    if (cmd.exitCode === null) {
      yield* this.signalStep(cmd);
      yield* this.steps(this.now + NSEC_PER_MSEC, done);
      return { exit: 124, stdout: cmd.stdout, stderr: 'timeout' };
    }
    return { exit: cmd.exitCode, stdout: cmd.stdout, stderr: cmd.stderr };
  }

  private *checkSteps(c: CheckSpec): Steps<CheckResult> {
    yield* this.steps(this.now + EXEC_LATENCY_NS, () => false);
    if (c.background) {
      yield* this.execStep(c.host, c.run);
      yield* this.steps(this.now + BACKGROUND_SETTLE_NS, () => false);
      return { host: c.host, run: c.run, background: true };
    }
    const r = yield* this.commandSteps(c.host, c.run, CHECK_TIMEOUT_NS);
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

  private *checksSteps(): Steps<CheckResult[]> {
    const out: CheckResult[] = [];
    for (const c of this.topo.checks) out.push(yield* this.checkSteps(c));
    return out;
  }

  // ---- synchronous API (every host inline) ----

  /** Boot: every host's exec lines in file order, at time zero. */
  boot(): void {
    this.runSync(this.bootSteps());
  }

  /** Run a shell line on a host now; virtual time advances until it exits. */
  runCommand(hostName: string, line: string, timeoutNs = CHECK_TIMEOUT_NS): CommandResult {
    return this.runSync(this.commandSteps(hostName, line, timeoutNs));
  }

  /** Start a line in the background; it keeps running while time passes. */
  startBackground(hostName: string, line: string): Command {
    return this.runSync(this.execStep(hostName, line));
  }

  /** Let virtual time pass (e.g. `sleep` between commands). */
  idle(ns: number): void {
    this.advance(this.now + ns);
  }

  runCheck(c: CheckSpec): CheckResult {
    return this.runSync(this.checkSteps(c));
  }

  runChecks(): CheckResult[] {
    return this.runSync(this.checksSteps());
  }

  host(name: string): Host {
    const h = this.byName.get(name);
    if (!h) throw new Error(`no host '${name}' in this lab`);
    return h;
  }

  /** skbs allocated and not yet freed, per host (leak check; inline hosts live, others as of their last window). */
  outstanding(): Record<string, number> {
    return Object.fromEntries(this.counters().map((c) => [c.host, c.outstanding]));
  }

  // ---- the same, for hosts in other processes (fine inline too) ----

  bootAsync(): Promise<void> {
    return this.runAsync(this.bootSteps());
  }

  runCommandAsync(hostName: string, line: string, timeoutNs = CHECK_TIMEOUT_NS): Promise<CommandResult> {
    return this.runAsync(this.commandSteps(hostName, line, timeoutNs));
  }

  startBackgroundAsync(hostName: string, line: string): Promise<Command> {
    return this.runAsync(this.execStep(hostName, line));
  }

  idleAsync(ns: number): Promise<void> {
    return this.advanceAsync(this.now + ns);
  }

  runChecksAsync(): Promise<CheckResult[]> {
    return this.runAsync(this.checksSteps());
  }

  /** Counters of every host, in topology order. */
  counters(): HostCounters[] {
    const byHost = new Map<string, HostCounters>();
    for (const g of this.groups) for (const c of g.counters()) byHost.set(c.host, c);
    return this.topo.hosts.map((h) => byHost.get(h.name)!).filter(Boolean);
  }

  /** State of every host (asks host processes), in topology order. */
  async snapshot(): Promise<HostSnapshot[]> {
    const parts = await Promise.all(this.groups.map((g) => g.snapshot()));
    const byHost = new Map(parts.flat().map((s) => [s.host, s]));
    return this.topo.hosts.map((h) => byHost.get(h.name)!).filter(Boolean);
  }

  /** Trace (and counters with every window) on or off everywhere. */
  async subscribe(trace: boolean, counters = false): Promise<void> {
    await this.atBoundary(() => {
      const ps = this.groups.map((g) => g.setTrace(trace, counters)).filter((p): p is Promise<void> => !!p);
      if (ps.length) return Promise.all(ps).then(() => undefined);
    });
  }

  /** A host process came back (a restart): build its hosts at the current
   * time and run their exec lines again; returns those boot commands. */
  async reattach(g: RemoteHosts, channel: Channel): Promise<Command[]> {
    let cmds: Command[] = [];
    await this.atBoundary(() => {
      cmds = g.members.map((h) => this.newCommand(this.topo.hosts[h].name, this.topo.hosts[h].exec.join('; ')));
      return g.attach(channel, this.now, g.members.map((h, i) => [h, cmds[i].id]), this.out);
    });
    return cmds;
  }

  /** Shut host processes down. */
  async close(): Promise<void> {
    await Promise.all(this.groups.map((g) => g.close?.()));
  }
}
