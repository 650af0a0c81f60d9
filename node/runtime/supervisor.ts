// Watches host processes: a process that exits is noticed at once (its exit
// event), one that stops answering is flagged after hangMs without a reply
// and killed. A process that has not answered but has hardly used the CPU
// meanwhile is not hung but starved (a loaded machine): it gets until
// starvedMs, so a slow machine does not cost a lab its hosts. Either way its hosts go down (the others keep running: frames
// to a down host are lost, commands there end with status 137), and the
// process is started again from the lab, state lost, while fewer than
// maxRestarts restarts happened within restartWindowMs; after that the user
// decides (restart()). The parent keeps the authoritative topology, so a
// restart needs nothing from the process that died. Over blocking pipes the
// event loop may be blocked in a read while a process misbehaves: its end of
// file reports a death at once, and a watchdog thread (watchdog.ts) applies
// the same hang rule and kills the process, which ends the read.
import type { LabRunner, Command } from '../../core/runtime/lab_runner.js';
import type { RemoteHosts } from '../../core/runtime/remote_hosts.js';
import type { Channel, FromHost, SyncChannel, ToHost } from '../../core/runtime/protocol.js';
import { readFileSync } from 'node:fs';
import type { HostProcess, PipeEnd, Spawner } from './spawn.js';
import { watch, type Watch } from './watchdog.js';
import type { ProcessPool } from './pool.js';

export type HostEventKind = 'crashed' | 'hung' | 'restarted' | 'restart-failed' | 'needs-decision';

export interface HostEvent {
  kind: HostEventKind;
  /** Hosts of the process concerned. */
  hosts: string[];
  /** Which process (0-based). */
  slot: number;
  pid: number | undefined;
  /** A sentence for the user. */
  message: string;
  /** Virtual time (ns) when it happened. */
  at: number;
  /** Restarts of this process within the restart window so far. */
  restarts: number;
  /** After 'restarted': the boot commands now running again. */
  boot?: Command[];
}

export interface SupervisorOptions {
  /** A request unanswered this long means the process hangs (ms). */
  hangMs?: number;
  /** Watchdog period; idle processes are pinged this often (ms). */
  tickMs?: number;
  /** CPU (ms) a process must burn while not answering to count as hung. */
  busyCpuMs?: number;
  /** Not answering this long means hung whatever the CPU says (ms). */
  starvedMs?: number;
  /** CPU time (ms) a process has used, or null where unknown (default: /proc on Linux). */
  cpuOf?: (pid: number) => number | null;
  maxRestarts?: number;
  restartWindowMs?: number;
  autoRestart?: boolean;
  onEvent?: (e: HostEvent) => void;
  /** Wall clock in ms (tests may replace it). */
  clock?: () => number;
}

interface Slot {
  index: number;
  group: RemoteHosts;
  proc: HostProcess | null;
  /** Send times of requests still unanswered, oldest first. */
  sent: number[];
  /** Watchdog pings among them (a process with only these out is idle). */
  pings: Set<number>;
  lastHeard: number;
  /** CPU time of the process when it was first seen waiting, for this wait. */
  waitCpu: number | null;
  restarts: number[];
  state: 'up' | 'down' | 'restarting';
  /** Over blocking pipes: the channel handed out, and the watchdog thread's
   * watch over the process (the event loop may be blocked in a read). */
  pipes?: SyncChannel | null;
  watch?: Watch | null;
}

/** CPU time (user + system, ms) of a process from /proc, or null. */
export function procCpuMs(pid: number): number | null {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // clock ticks of 10 ms
  } catch {
    return null;
  }
}

export class Supervisor {
  private slots: Slot[];
  private timer: ReturnType<typeof setInterval> | null = null;
  private pingId = 0;
  private closing = false;
  private readonly o: Required<Omit<SupervisorOptions, 'onEvent'>> & Pick<SupervisorOptions, 'onEvent'>;

  constructor(
    private readonly runner: LabRunner,
    groups: RemoteHosts[],
    private readonly spawner: Spawner,
    opts: SupervisorOptions = {},
  ) {
    this.o = { hangMs: 2000, tickMs: 250, busyCpuMs: 250, starvedMs: 15_000, maxRestarts: 3, restartWindowMs: 5 * 60_000, autoRestart: true, clock: () => performance.now(), cpuOf: procCpuMs, ...opts };
    this.slots = groups.map((group, index) => ({ index, group, proc: null, sent: [], pings: new Set(), lastHeard: 0, waitCpu: null, restarts: [], state: 'down' }));
  }

  /** Start one slot's process; returns the channel to attach its group to. */
  spawn(slotIndex: number): Channel {
    const slot = this.slots[slotIndex];
    const proc = this.spawner(slot.group.names.join(','));
    slot.proc = proc;
    slot.sent = [];
    slot.pings = new Set();
    slot.waitCpu = null;
    slot.lastHeard = this.o.clock();
    slot.state = 'up';
    this.unwatch(slot);
    proc.onExit((detail) => {
      if (slot.proc !== proc) return;
      const after = slot.watch?.killedAfter() ?? null; // the watchdog thread killed it
      if (after !== null) this.down(slot, 'hung', this.hungMessage(slot, after));
      else this.down(slot, 'crashed', `host process of ${slot.group.names.join(', ')} died (${detail})`);
    });
    let fn: ((m: FromHost) => void) | null = null;
    proc.onMessage((m) => {
      if (slot.proc !== proc) return;
      // A pooled process may still answer a ping of its previous lab's watchdog.
      if (m.id < 0 && !slot.pings.delete(m.id)) return;
      slot.sent.shift();
      slot.waitCpu = null;
      slot.lastHeard = this.o.clock();
      if (m.id >= 0) fn?.(m); // negative ids are the watchdog's pings
    });
    return {
      send: (m: ToHost, transfer?: ArrayBuffer[]) => {
        if (slot.proc !== proc) return;
        if (m.t !== 'debug') slot.sent.push(this.o.clock());
        proc.send(m, transfer);
      },
      onMessage: (f) => (fn = f),
      syncChannel: () => (proc.pipes ? this.watchPipes(slot, proc, proc.pipes) : null),
    };
  }

  /** A process over blocking pipes: the bookkeeping of send/onMessage, and
   * the watchdog thread armed while a reply is awaited. */
  private watchPipes(slot: Slot, proc: HostProcess, pipes: PipeEnd): SyncChannel {
    if (slot.pipes) return slot.pipes;
    const w = (slot.watch = proc.pid === undefined ? null : watch(proc.pid, this.o));
    return (slot.pipes = {
      post: (m) => {
        if (slot.proc !== proc) return;
        if (m.t !== 'debug') {
          slot.sent.push(this.o.clock());
          if (w && !w.armed) w.arm();
        }
        proc.send(m); // over the pipes (a wrapped process sees every request)
      },
      receive: () => {
        for (;;) {
          if (slot.proc !== proc) return null;
          const m = pipes.receive();
          if (!m) return null; // gone: onExit has reported it
          if (m.id < 0 && !slot.pings.has(m.id)) continue; // a ping of its previous lab
          this.heard(slot, m);
          if (m.id >= 0) return m; // negative ids are the pings
        }
      },
    });
  }

  private heard(slot: Slot, m?: FromHost): void {
    if (m && m.id < 0) slot.pings.delete(m.id);
    slot.sent.shift();
    slot.waitCpu = null;
    slot.lastHeard = this.o.clock();
    if (slot.sent.length) slot.watch?.arm();
    else slot.watch?.disarm();
  }

  /** Replies to pings that came over pipes meanwhile; false: the process is gone. */
  private pollPipes(slot: Slot, pipes: PipeEnd): boolean {
    const got = pipes.poll();
    if (got) for (const m of got) if (m.id >= 0 || slot.pings.has(m.id)) this.heard(slot, m);
    return slot.state === 'up';
  }

  private unwatch(slot: Slot): void {
    slot.watch?.release();
    slot.watch = null;
    slot.pipes = null;
  }

  private hungMessage(slot: Slot, waited: number): string {
    return `host process of ${slot.group.names.join(', ')} stopped answering for ${Math.round(waited)} ms and was killed`;
  }

  /** Watch every process from now on. */
  start(): void {
    this.timer ??= setInterval(() => this.tick(), this.o.tickMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private tick(): void {
    const now = this.o.clock();
    for (const s of this.slots) {
      if (s.state !== 'up' || !s.proc) continue;
      if (s.proc.pipes && !this.pollPipes(s, s.proc.pipes)) continue;
      const waited = s.sent.length ? now - s.sent[0] : 0;
      if (waited >= this.o.tickMs) {
        const cpu = s.proc.pid === undefined ? null : this.o.cpuOf(s.proc.pid);
        s.waitCpu ??= cpu;
        const busy = cpu === null || s.waitCpu === null || cpu - s.waitCpu >= this.o.busyCpuMs;
        if ((waited > this.o.hangMs && busy) || waited > this.o.starvedMs) {
          this.down(s, 'hung', this.hungMessage(s, waited));
          continue;
        }
      }
      if (!s.sent.length && now - s.lastHeard >= this.o.tickMs) {
        s.sent.push(now);
        const id = -++this.pingId;
        s.pings.add(id);
        s.proc.send({ t: 'ping', id });
      }
    }
  }

  private emit(slot: Slot, kind: HostEventKind, message: string, boot?: Command[]): void {
    this.o.onEvent?.({ kind, hosts: slot.group.names, slot: slot.index, pid: slot.proc?.pid, message, at: this.runner.now, restarts: slot.restarts.length, boot });
  }

  private down(slot: Slot, kind: 'crashed' | 'hung', message: string): void {
    if (slot.state !== 'up' || this.closing) return;
    const proc = slot.proc;
    slot.state = 'down';
    this.emit(slot, kind, message);
    slot.proc = null;
    this.unwatch(slot);
    proc?.kill();
    slot.group.fail(`stacklab: ${message}`);
    const now = this.o.clock();
    slot.restarts = slot.restarts.filter((t) => now - t < this.o.restartWindowMs);
    if (this.o.autoRestart && slot.restarts.length < this.o.maxRestarts) void this.restart(slot.index);
    else this.emit(slot, 'needs-decision', `${slot.group.names.join(', ')} stay down after ${slot.restarts.length} restarts in ${Math.round(this.o.restartWindowMs / 60_000)} min: restart them, or leave them down`);
  }

  /** Start a down process again from the lab (the user's decision, or automatic). */
  async restart(slotIndex: number): Promise<void> {
    const slot = this.slots[slotIndex];
    if (slot.state !== 'down') return;
    slot.state = 'restarting';
    slot.restarts.push(this.o.clock());
    try {
      const channel = this.spawn(slot.index);
      // Over pipes the old process may have been found gone inside a
      // synchronous run: attach once that run has returned.
      await Promise.resolve();
      const boot = await this.runner.reattach(slot.group, channel);
      this.emit(slot, 'restarted', `${slot.group.names.join(', ')} restarted from the lab at ${(this.runner.now / 1e9).toFixed(6)} s; state since boot (addresses set by hand, neighbours, sockets, counters) is lost`, boot);
    } catch (e) {
      slot.proc?.kill();
      slot.proc = null;
      slot.state = 'down';
      this.emit(slot, 'restart-failed', `could not restart ${slot.group.names.join(', ')}: ${(e as Error).message}`);
    }
  }

  /** The slot (process) running a host. */
  slotOf(host: string): number {
    const s = this.slots.find((x) => x.group.names.includes(host));
    if (!s) throw new Error(`no host '${host}' in this lab`);
    return s.index;
  }

  status(): { slot: number; hosts: string[]; pid: number | undefined; state: Slot['state']; restarts: number }[] {
    return this.slots.map((s) => ({ slot: s.index, hosts: s.group.names, pid: s.proc?.pid, state: s.state, restarts: s.restarts.length }));
  }

  /** Processes still running (for measurements, shutdown). */
  processes(): HostProcess[] {
    return this.slots.map((s) => s.proc).filter((p): p is HostProcess => !!p);
  }

  /** From now on processes are expected to exit (the lab is closing). */
  closingDown(): void {
    this.closing = true;
    this.stop();
  }

  /** Hand idle processes to a pool for the next lab; end the others. */
  release(pool: ProcessPool): void {
    this.closingDown();
    for (const s of this.slots) {
      const p = s.proc;
      s.proc = null;
      s.state = 'down';
      this.unwatch(s);
      if (!p) continue;
      if (s.sent.length === s.pings.size) pool.give(p); // nothing but watchdog pings out
      else p.kill();
    }
  }

  /** Stop watching and end every process still there. */
  shutdown(): void {
    this.closingDown();
    for (const s of this.slots) {
      const p = s.proc;
      s.proc = null;
      s.state = 'down';
      this.unwatch(s);
      p?.kill();
    }
  }
}
