// A simulated CPU: it runs one thing at a time. Work that arrives while it is
// busy starts when it is free, so softirq load shows up as latency and as
// time_squeeze, as on real hardware. Time spent is split the way /proc/stat
// splits it.

export const HI_SOFTIRQ = 0;
export const TIMER_SOFTIRQ = 1;
export const NET_TX_SOFTIRQ = 2;
export const NET_RX_SOFTIRQ = 3;
export const BLOCK_SOFTIRQ = 4;
export const IRQ_POLL_SOFTIRQ = 5;
export const TASKLET_SOFTIRQ = 6;
export const SCHED_SOFTIRQ = 7;
export const HRTIMER_SOFTIRQ = 8;
export const RCU_SOFTIRQ = 9;
export const NR_SOFTIRQS = 10;
export const SOFTIRQ_NAMES = ['HI', 'TIMER', 'NET_TX', 'NET_RX', 'BLOCK', 'IRQ_POLL', 'TASKLET', 'SCHED', 'HRTIMER', 'RCU'];

export type CpuContext = 'idle' | 'user' | 'system' | 'hardirq' | 'softirq' | 'ksoftirqd';

export class Cpu {
  /** Virtual time while the CPU executes (advances with modelled costs). */
  clock = 0;
  /** Interrupt and softirq work occupies the CPU until this time. */
  busyUntil = 0;
  /** The running task's system calls occupy it until this time. */
  taskBusyUntil = 0;
  ctx: CpuContext = 'idle';
  /** Pending softirq bits (local_softirq_pending). */
  softirqPending = 0;
  /** A softirq run is scheduled (irq_exit or ksoftirqd). */
  softirqScheduled = false;
  /** Per softirq vector: times raised-and-run, for /proc/softirqs. */
  readonly softirqCount = new Float64Array(NR_SOFTIRQS);
  /** ns spent per context, for /proc/stat. */
  readonly time = { user: 0, system: 0, irq: 0, softirq: 0 };
  /** ksoftirqd/N woken because softirqs did not finish in one go. */
  ksoftirqdWakeups = 0;
  /** ksoftirqd/N is runnable (woken and not yet out of work). */
  ksoftirqdRunning = false;
  /** TIF_NEED_RESCHED: a task woken here should run; softirqs stop restarting. */
  need_resched = false;
  /** Function call IPIs taken (CAL in /proc/interrupts): RPS kicks. */
  ipi_call_count = 0;
  /** Context switches (ctxt in /proc/stat): ksoftirqd and woken readers. */
  nr_switches = 0;
  /** The current __do_softirq run's limits (jiffy deadline, rounds left) and
   * when softirq work on this CPU last ended. */
  softirqEnd = 0;
  softirqRestarts = 0;
  softirqLastEnd = -1;

  constructor(readonly id: number) {}

  /** Account `ns` of work in the current context and advance the clock. */
  spend(ns: number): void {
    ns = Math.ceil(ns); // time stays in whole nanoseconds
    this.clock += ns;
    switch (this.ctx) {
      case 'hardirq':
        this.time.irq += ns;
        // Interrupt work keeps the CPU from tasks: one woken meanwhile
        // (sock_def_readable from a softirq) runs only after it.
        if (this.clock > this.busyUntil) this.busyUntil = this.clock;
        break;
      case 'softirq':
      case 'ksoftirqd':
        this.time.softirq += ns;
        if (this.clock > this.busyUntil) this.busyUntil = this.clock;
        break;
      case 'user':
        this.time.user += ns;
        break;
      default:
        this.time.system += ns;
    }
  }
}
