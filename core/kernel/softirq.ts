// kernel/softirq.c: hard IRQs, softirq raising and __do_softirq with its
// restart limits, and the hand-over to ksoftirqd when softirqs keep coming.
import type { Net } from '../net/net_namespace.js';
import { type Cpu, type CpuContext, NET_RX_SOFTIRQ, NET_TX_SOFTIRQ } from './cpu.js';
import { COST } from './costs.js';
import { net_rx_action, net_tx_action } from '../net/core/dev.js';
import { SYSCTL_HZ } from './sysctl_defaults.js';

const MAX_SOFTIRQ_RESTART = 10;
/** msecs_to_jiffies(2), rounded up as the kernel does. */
const MAX_SOFTIRQ_TIME_JIFFIES = Math.ceil((2 * SYSCTL_HZ) / 1000);
const NSEC_PER_JIFFY = 1e9 / SYSCTL_HZ;

/** Run fn on cpu in the given context, now or as soon as the CPU is free
 * (system calls pass defer=false: they run now and start after the busy time).
 * On the way out (irq_exit / local_bh_enable) pending softirqs run. */
export function run_on_cpu(net: Net, cpu: Cpu, ctx: CpuContext, fn: () => void, defer = true): void {
  cpu_run<undefined>(net, cpu, ctx, fn, undefined, defer);
}

/** run_on_cpu calling fn(arg): a handler and its argument instead of a
 * closure per call. */
export function run_on_cpu_arg<A>(net: Net, cpu: Cpu, ctx: CpuContext, fn: (arg: A) => void, arg: A, defer = true): void {
  cpu_run(net, cpu, ctx, fn, arg, defer);
}

/** A run that waits for its CPU (an engine event's argument; reused). */
class DeferredRun {
  net!: Net;
  cpu!: Cpu;
  ctx: CpuContext = 'idle';
  fn: ((arg: unknown) => void) | null = null;
  arg: unknown = undefined;
}
const spareRuns: DeferredRun[] = [];

function deferredRun(r: DeferredRun): void {
  const { net, cpu, ctx, fn, arg } = r;
  r.fn = null;
  r.arg = undefined;
  spareRuns.push(r);
  cpu_run(net, cpu, ctx, fn!, arg, true);
}

function cpu_run<A>(net: Net, cpu: Cpu, ctx: CpuContext, fn: (arg: A) => void, arg: A, defer: boolean): void {
  const now = net.engine.now;
  if (defer && cpu.busyUntil > now && net.curCpu !== cpu) {
    const r = spareRuns.pop() ?? new DeferredRun();
    r.net = net;
    r.cpu = cpu;
    r.ctx = ctx;
    r.fn = fn as (arg: unknown) => void;
    r.arg = arg;
    net.engine.at(cpu.busyUntil, deferredRun, r);
    return;
  }
  const prevCpu = net.curCpu;
  const prevCtx = cpu.ctx;
  const nested = prevCpu === cpu;
  const task = ctx === 'system' || ctx === 'user';
  if (!nested) cpu.clock = Math.max(now, task ? cpu.taskBusyUntil : cpu.busyUntil);
  cpu.ctx = ctx;
  net.curCpu = cpu;
  try {
    fn(arg);
    // irq_exit / local_bh_enable: pending softirqs run unless this is
    // softirq work itself or still nested in interrupt context (in_interrupt()).
    if (cpu.softirqPending && ctx !== 'softirq' && ctx !== 'ksoftirqd' && !(nested && (prevCtx === 'hardirq' || prevCtx === 'softirq' || prevCtx === 'ksoftirqd')))
      do_softirq(net, cpu, 'softirq');
  } finally {
    cpu.ctx = nested ? prevCtx : 'idle';
    // A system call occupies the CPU for its task, but interrupts preempt it:
    // only interrupt and softirq work makes the next interrupt wait.
    if (!nested) {
      if (task) cpu.taskBusyUntil = Math.max(cpu.taskBusyUntil, cpu.clock);
      else cpu.busyUntil = cpu.clock;
      cpu.need_resched = false; // back in the scheduler: the woken task runs
    }
    net.curCpu = prevCpu;
  }
}

/** raise_softirq_irqoff: mark pending; if nothing on this CPU will run it on
 * its way out, schedule a run (the CPU was idle: an IPI or the tick would). */
export function raise_softirq(net: Net, cpu: Cpu, nr: number): void {
  cpu.softirqPending |= 1 << nr;
  if (net.curCpu === cpu || cpu.softirqScheduled) return;
  cpu.softirqScheduled = true;
  net.engine.at(Math.max(net.now(), cpu.busyUntil), softirqKick, cpu_ref(net, cpu));
}

/** (net, cpu) for events about a CPU, made once per CPU. */
interface CpuRef {
  net: Net;
  cpu: Cpu;
}
const cpuRefs = new WeakMap<Cpu, CpuRef>();
function cpu_ref(net: Net, cpu: Cpu): CpuRef {
  let r = cpuRefs.get(cpu);
  if (r === undefined) cpuRefs.set(cpu, (r = { net, cpu }));
  return r;
}

/** The raised softirq's run on a CPU that was idle. */
function softirqKick(r: CpuRef): void {
  const cpu = r.cpu;
  cpu.softirqScheduled = false;
  if (cpu.softirqPending) cpu_run(r.net, cpu, 'softirq', softirqRun, r, true);
}

function softirqRun(r: CpuRef): void {
  do_softirq(r.net, r.cpu, 'softirq');
}

/** handle_softirqs (__do_softirq): run the pending vectors in order,
 * restarting while handlers raise new ones, but only while still within the
 * jiffy window MAX_SOFTIRQ_TIME (msecs_to_jiffies(2): one jiffy at HZ=250),
 * no task is waiting to run (need_resched) and fewer than
 * MAX_SOFTIRQ_RESTART rounds ran; what is left goes to ksoftirqd. */
export function do_softirq(net: Net, cpu: Cpu, ctx: 'softirq' | 'ksoftirqd', continuing = false): void {
  const prevCtx = cpu.ctx;
  cpu.ctx = ctx;
  // A continuation (see softirq_continue) keeps the limits of its run.
  if (!continuing) {
    cpu.softirqEnd = jiffies(cpu.clock) + MAX_SOFTIRQ_TIME_JIFFIES;
    cpu.softirqRestarts = MAX_SOFTIRQ_RESTART;
  }
  // A continuation's first round is the poll that was running: not a new
  // invocation of the handler, so /proc/softirqs does not count it.
  let counted = !continuing;
  try {
    for (;;) {
      const pending = cpu.softirqPending;
      cpu.softirqPending = 0;
      if (counted) cpu.spend(COST.softirq_entry);
      if (pending & (1 << NET_TX_SOFTIRQ)) {
        cpu.softirqCount[NET_TX_SOFTIRQ]++;
        net.tracer.fn(null, 'net_tx_action');
        net_tx_action(net, cpu);
      }
      if (pending & (1 << NET_RX_SOFTIRQ)) {
        if (counted) cpu.softirqCount[NET_RX_SOFTIRQ]++;
        net_rx_action(net, cpu);
      }
      counted = true;
      if (!cpu.softirqPending) return;
      if (jiffies(cpu.clock) < cpu.softirqEnd && !cpu.need_resched && --cpu.softirqRestarts > 0) continue;
      break;
    }
    wakeup_softirqd(net, cpu);
  } finally {
    cpu.ctx = prevCtx;
    cpu.softirqLastEnd = cpu.clock;
  }
}

/** Go on with a softirq run that, in the kernel, would still be running:
 * work that came while it ran (a frame the NAPI poll would have found) is
 * handled as one more round of the same __do_softirq, under its jiffy and
 * restart limits; past them, or when ksoftirqd has the work already, it is
 * ksoftirqd's. Call on `cpu` with the softirq pending. */
export function softirq_continue(net: Net, cpu: Cpu): void {
  if (cpu.ksoftirqdRunning) return;
  const sameRun = cpu.clock <= cpu.softirqLastEnd;
  if (sameRun && (jiffies(cpu.clock) >= cpu.softirqEnd || cpu.need_resched || cpu.softirqRestarts <= 1)) {
    wakeup_softirqd(net, cpu);
    return;
  }
  do_softirq(net, cpu, 'softirq', sameRun);
}

/** jiffies at a CPU time (HZ of the reference kernel). */
function jiffies(t: number): number {
  return Math.floor(t / NSEC_PER_JIFFY);
}

/** wakeup_softirqd: make ksoftirqd/N runnable; it runs as an ordinary
 * thread once the scheduler gets to it (after interrupt work on the CPU). */
export function wakeup_softirqd(net: Net, cpu: Cpu): void {
  if (cpu.ksoftirqdRunning) return;
  cpu.ksoftirqdRunning = true;
  cpu.ksoftirqdWakeups++;
  net.tracer.fn(null, 'wakeup_softirqd', `ksoftirqd/${cpu.id}`);
  net.engine.at(net.now() + COST.ksoftirqd_wakeup, run_ksoftirqd, cpu_ref(net, cpu));
}

/** run_ksoftirqd: one handle_softirqs pass per turn; the thread stays
 * runnable (cond_resched, then again) while softirqs are pending. */
function run_ksoftirqd(r: CpuRef): void {
  cpu_run(r.net, r.cpu, 'ksoftirqd', ksoftirqd_turn, r, true);
}

function ksoftirqd_turn(r: CpuRef): void {
  const { net, cpu } = r;
  cpu.nr_switches++;
  if (cpu.softirqPending) do_softirq(net, cpu, 'ksoftirqd');
  if (!cpu.softirqPending) {
    cpu.ksoftirqdRunning = false;
    return;
  }
  net.engine.at(cpu.clock, run_ksoftirqd, r);
}
