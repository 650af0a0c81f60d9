// kernel/softirq.c: hard IRQs, softirq raising and __do_softirq with its
// restart limits, and the hand-over to ksoftirqd when softirqs keep coming.
import type { Net } from '../net/net_namespace.js';
import { type Cpu, type CpuContext, NET_RX_SOFTIRQ, NET_TX_SOFTIRQ } from './cpu.js';
import { COST } from './costs.js';
import { net_rx_action, net_tx_action } from '../net/core/dev.js';

const MAX_SOFTIRQ_RESTART = 10;
const MAX_SOFTIRQ_TIME_NS = 2_000_000;

/** Run fn on cpu in the given context, now or as soon as the CPU is free
 * (system calls pass defer=false: they run now and start after the busy time).
 * On the way out (irq_exit / local_bh_enable) pending softirqs run. */
export function run_on_cpu(net: Net, cpu: Cpu, ctx: CpuContext, fn: () => void, defer = true): void {
  const now = net.engine.now;
  if (defer && cpu.busyUntil > now && net.curCpu !== cpu) {
    net.engine.at(cpu.busyUntil, () => run_on_cpu(net, cpu, ctx, fn));
    return;
  }
  const prevCpu = net.curCpu;
  const prevCtx = cpu.ctx;
  const nested = prevCpu === cpu;
  if (!nested) cpu.clock = Math.max(now, ctx === 'system' ? cpu.taskBusyUntil : cpu.busyUntil);
  cpu.ctx = ctx;
  net.curCpu = cpu;
  try {
    fn();
    if (cpu.softirqPending && ctx !== 'softirq' && ctx !== 'ksoftirqd' && prevCtx !== 'softirq' && prevCtx !== 'ksoftirqd')
      do_softirq(net, cpu, 'softirq');
  } finally {
    cpu.ctx = nested ? prevCtx : 'idle';
    // A system call occupies the CPU for its task, but interrupts preempt it:
    // only interrupt and softirq work makes the next interrupt wait.
    if (!nested) {
      if (ctx === 'system') cpu.taskBusyUntil = Math.max(cpu.taskBusyUntil, cpu.clock);
      else cpu.busyUntil = cpu.clock;
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
  net.engine.at(Math.max(net.now(), cpu.busyUntil), () => {
    cpu.softirqScheduled = false;
    if (cpu.softirqPending) run_on_cpu(net, cpu, 'softirq', () => do_softirq(net, cpu, 'softirq'));
  });
}

/** __do_softirq: handle pending vectors, restarting while new ones are
 * raised, up to 10 rounds or 2 ms; then leave the rest to ksoftirqd. */
export function do_softirq(net: Net, cpu: Cpu, ctx: 'softirq' | 'ksoftirqd'): void {
  const prevCtx = cpu.ctx;
  cpu.ctx = ctx;
  const end = cpu.clock + MAX_SOFTIRQ_TIME_NS;
  let restarts = MAX_SOFTIRQ_RESTART;
  try {
    for (;;) {
      const pending = cpu.softirqPending;
      cpu.softirqPending = 0;
      cpu.spend(COST.softirq_entry);
      if (pending & (1 << NET_TX_SOFTIRQ)) {
        cpu.softirqCount[NET_TX_SOFTIRQ]++;
        net.tracer.fn(null, 'net_tx_action');
        net_tx_action(net, cpu);
      }
      if (pending & (1 << NET_RX_SOFTIRQ)) {
        cpu.softirqCount[NET_RX_SOFTIRQ]++;
        net_rx_action(net, cpu);
      }
      if (!cpu.softirqPending) return;
      if (ctx === 'ksoftirqd' || cpu.clock >= end || --restarts === 0) break;
    }
    wakeup_softirqd(net, cpu);
  } finally {
    cpu.ctx = prevCtx;
  }
}

/** wakeup_softirqd: ksoftirqd/N runs the remaining softirqs as a thread,
 * after the scheduler gets to it. */
export function wakeup_softirqd(net: Net, cpu: Cpu): void {
  if (cpu.ksoftirqdRunning) return;
  cpu.ksoftirqdRunning = true;
  cpu.ksoftirqdWakeups++;
  net.engine.at(net.now() + COST.ksoftirqd_wakeup, () => {
    cpu.ksoftirqdRunning = false;
    if (cpu.softirqPending) run_on_cpu(net, cpu, 'ksoftirqd', () => do_softirq(net, cpu, 'ksoftirqd'));
  });
}
