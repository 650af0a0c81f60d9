// Interrupt descriptors (kernel/irq): one per MSI-X vector, with per-CPU
// counts for /proc/interrupts and an affinity mask as /proc/irq/N/smp_affinity.
import type { Net } from '../net/net_namespace.js';
import { run_on_cpu } from './softirq.js';
import { COST } from './costs.js';

export class IrqDesc {
  readonly counts: Float64Array;
  /** Bit i set: CPU i may take this IRQ (smp_affinity). */
  affinity: number;
  constructor(
    readonly irq: number,
    readonly name: string,
    readonly chip: string,
    readonly hwirq: number,
    ncpus: number,
    readonly handler: () => void,
  ) {
    this.counts = new Float64Array(ncpus);
    this.affinity = (1 << ncpus) - 1;
  }

  /** The CPU that takes the next interrupt: the first in the mask, as with
   * a single-target MSI message. */
  targetCpu(): number {
    for (let i = 0; i < this.counts.length; i++) if (this.affinity & (1 << i)) return i;
    return 0;
  }
}

export function request_irq(net: Net, name: string, chip: string, hwirq: number, handler: () => void): IrqDesc {
  const d = new IrqDesc(net.nextIrq++, name, chip, hwirq, net.cpus.length, handler);
  net.irqs.push(d);
  return d;
}

/** The device raised the interrupt line: run the handler on its CPU. */
export function generic_handle_irq(net: Net, d: IrqDesc): void {
  const cpu = net.cpus[d.targetCpu()];
  run_on_cpu(net, cpu, 'hardirq', () => {
    d.counts[cpu.id]++;
    cpu.spend(COST.hardirq);
    net.tracer.fn(null, 'irq_handler_entry', `irq=${d.irq} name=${d.name}`);
    d.handler();
  });
}
