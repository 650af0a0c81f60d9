// Kernel timers (kernel/time/timer.c): a timer_list callback runs in
// TIMER_SOFTIRQ on the CPU that armed it (here CPU 0), so its work is
// charged to a CPU and its packets carry that CPU in traces.
import type { Net } from '../net/net_namespace.js';
import { Timer } from '../sim/timer.js';
import { TIMER_SOFTIRQ } from './cpu.js';
import { run_on_cpu, do_softirq } from './softirq.js';

export function timer_setup(net: Net, fn: () => void, cpu = 0): Timer {
  return new Timer(net.engine, () => {
    const c = net.cpus[cpu];
    run_on_cpu(net, c, 'softirq', () => {
      c.softirqCount[TIMER_SOFTIRQ]++;
      fn();
      // __do_softirq's restart: what the timer raised (NET_RX, NET_TX) runs now.
      if (c.softirqPending) do_softirq(net, c, 'softirq');
    });
  });
}
