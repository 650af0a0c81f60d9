// Interrupt descriptors (kernel/irq): one per MSI-X vector, with per-CPU
// counts for /proc/interrupts, the affinity mask of /proc/irq/N/smp_affinity
// and the CPU the vector is actually routed to (effective_affinity). An x86
// MSI message targets one CPU: the vector matrix allocator picks, among the
// CPUs of the mask, the one with the fewest device vectors, which is why a
// multi-queue NIC's vectors spread over the CPUs even without irqbalance.
import type { Net } from '../net/net_namespace.js';
import type { TraceFmt } from '../net/core/trace.js';
import { run_on_cpu_arg } from './softirq.js';
import { COST } from './costs.js';

/** The first IRQ number handed to devices (the ones below belong to the platform). */
export const FIRST_DEVICE_IRQ = 24;

export class IrqDesc {
  readonly counts: Float64Array;
  /** Bit i set: CPU i may take this IRQ (smp_affinity). */
  affinity: number;
  /** The CPU the vector is routed to (effective_affinity). */
  effective = 0;
  /** The namespace whose handler this is (set when it fires). */
  net: Net | null = null;
  constructor(
    readonly irq: number,
    readonly name: string,
    readonly chip: string,
    readonly hwirq: number,
    ncpus: number,
    readonly handler: () => void,
  ) {
    this.counts = new Float64Array(ncpus);
    this.affinity = allCpus(ncpus);
  }

  /** The CPU that takes the next interrupt. */
  targetCpu(): number {
    return this.effective;
  }
}

export function allCpus(ncpus: number): number {
  return ncpus >= 31 ? 0x7fffffff : (1 << ncpus) - 1;
}

/** irq_matrix_alloc: the CPU of `mask` with the fewest device vectors. */
function matrix_best_cpu(net: Net, mask: number, except?: IrqDesc): number {
  const load = new Array(net.cpus.length).fill(0);
  for (const d of net.irqs) if (d !== except) load[d.effective]++;
  let best = -1;
  for (let c = 0; c < net.cpus.length; c++) if (mask & (1 << c) && (best < 0 || load[c] < load[best])) best = c;
  return best < 0 ? 0 : best;
}

/** __irq_alloc_descs: the lowest run of `cnt` free IRQ numbers. */
export function irq_alloc_descs(net: Net, cnt: number): number {
  const used = new Set(net.irqs.map((d) => d.irq));
  for (let start = FIRST_DEVICE_IRQ; ; start++) {
    let ok = true;
    for (let i = 0; i < cnt && ok; i++) if (used.has(start + i)) ok = false;
    if (ok) return start;
  }
}

/** request_irq on an already allocated number (MSI-X vectors come as a block). */
export function request_irq(net: Net, name: string, chip: string, hwirq: number, handler: () => void, irq = irq_alloc_descs(net, 1)): IrqDesc {
  const d = new IrqDesc(irq, name, chip, hwirq, net.cpus.length, handler);
  d.effective = matrix_best_cpu(net, d.affinity);
  net.irqs.push(d);
  return d;
}

/** free_irq: the descriptor goes away with its counts and affinity. */
export function free_irq(net: Net, d: IrqDesc): void {
  const i = net.irqs.indexOf(d);
  if (i >= 0) net.irqs.splice(i, 1);
}

/** irq_set_affinity (a write to smp_affinity): assign_vector_locked keeps
 * the current CPU when the new mask still holds it, else re-routes. */
export function irq_set_affinity(net: Net, d: IrqDesc, mask: number): void {
  d.affinity = mask;
  if (!(mask & (1 << d.effective))) d.effective = matrix_best_cpu(net, mask, d);
}

const fmtIrqEntry: TraceFmt = (irq, name) => `irq=${irq} name=${name}`;

/** The device raised the interrupt line: run the handler on its CPU. */
export function generic_handle_irq(net: Net, d: IrqDesc): void {
  const cpu = net.cpus[d.targetCpu()];
  d.net = net;
  run_on_cpu_arg(net, cpu, 'hardirq', handle_irq, d);
}

/** handle_irq_event on the CPU the interrupt came to. */
function handle_irq(d: IrqDesc): void {
  const net = d.net!;
  const cpu = net.curCpu!;
  d.counts[cpu.id]++;
  cpu.spend(COST.hardirq);
  if (net.tracer.active) net.tracer.fnf(null, 'irq_handler_entry', fmtIrqEntry, d.irq, d.name);
  d.handler();
}
