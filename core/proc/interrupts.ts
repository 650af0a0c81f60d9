// /proc/interrupts, as show_interrupts (kernel/irq/proc.c) and the x86
// arch_show_interrupts (arch/x86/kernel/irq.c) print it on Linux 6.18:
//
//            CPU0       CPU1
//  24:          1          0  IO-APIC   5-edge      ACPI:Ged
//  38:          0       3279 PCI-MSIX-0000:00:03.0   1-edge      virtio2-input.0
// NMI:          0          0   Non-maskable interrupts
// ERR:          0
//
// The first column is right-aligned to `prec` digits (3 while nr_irqs < 1000,
// one more per power of ten); each CPU count is " %10u"; the chip is " %8s";
// hwirq " %*lu" (prec wide); the flow handler name "-%-8s"; then "  " and the
// action names joined by ", ".

import { padLeft, padRight, u32 } from './fmt.js';

export interface IrqDesc {
  /** Linux IRQ number. */
  irq: number;
  /** Per-CPU counts (kstat_irqs), one per online CPU. */
  counts: ArrayLike<number>;
  /** irq_chip name as printed, e.g. 'IO-APIC', 'PCI-MSIX-0000:00:03.0', 'PCI-MSI-0000:00:03.0'. */
  chip: string;
  /** Hardware IRQ number in its domain; omitted for IRQs without a domain. */
  hwirq?: number;
  /** Flow handler name (desc->name): 'edge', 'fasteoi', ...; omitted prints nothing. */
  handler?: string;
  /** Action names (request_irq names), e.g. 'eth0-TxRx-0'. */
  actions: string | readonly string[];
}

/** An architecture line: per-CPU counts and a description, or one global count (ERR, MIS). */
export interface ArchIrqLine {
  symbol: string;
  /** Description printed after the counts; absent for the single-count lines. */
  text?: string;
}

/** The arch lines an x86-64 6.18 KVM guest prints, in order. */
export const X86_ARCH_IRQ_LINES: readonly ArchIrqLine[] = [
  { symbol: 'NMI', text: 'Non-maskable interrupts' },
  { symbol: 'LOC', text: 'Local timer interrupts' },
  { symbol: 'SPU', text: 'Spurious interrupts' },
  { symbol: 'PMI', text: 'Performance monitoring interrupts' },
  { symbol: 'IWI', text: 'IRQ work interrupts' },
  { symbol: 'RTR', text: 'APIC ICR read retries' },
  { symbol: 'RES', text: 'Rescheduling interrupts' },
  { symbol: 'CAL', text: 'Function call interrupts' },
  { symbol: 'TLB', text: 'TLB shootdowns' },
  { symbol: 'TRM', text: 'Thermal event interrupts' },
  { symbol: 'HYP', text: 'Hypervisor callback interrupts' },
  { symbol: 'ERR' },
  { symbol: 'MIS' },
  { symbol: 'PIN', text: 'Posted-interrupt notification event' },
  { symbol: 'NPI', text: 'Nested posted-interrupt event' },
  { symbol: 'PIW', text: 'Posted-interrupt wakeup event' },
];

/** Width of the IRQ number column for `nrIrqs` descriptors. */
export function interruptsPrec(nrIrqs: number): number {
  let prec = 3;
  for (let j = 1000; prec < 10 && j <= nrIrqs; j *= 10) prec++;
  return prec;
}

function counts(ncpus: number, c: ArrayLike<number> | undefined): string {
  let s = '';
  for (let cpu = 0; cpu < ncpus; cpu++) s += ' ' + padLeft(u32(c?.[cpu] ?? 0), 10);
  return s;
}

/** The header: prec+8 spaces then "CPU%-8d" per online CPU. */
export function procInterruptsHeader(ncpus: number, prec: number): string {
  let s = ' '.repeat(prec + 8);
  for (let cpu = 0; cpu < ncpus; cpu++) s += padRight('CPU' + cpu, 11);
  return s + '\n';
}

/** One device IRQ line. */
export function procInterruptsIrqLine(ncpus: number, d: IrqDesc, prec: number): string {
  const actions = typeof d.actions === 'string' ? [d.actions] : d.actions;
  let s = padLeft(String(d.irq), prec) + ':' + counts(ncpus, d.counts);
  s += ' ' + padLeft(d.chip || '-', 8);
  s += ' ' + (d.hwirq === undefined ? ' '.repeat(prec) : padLeft(String(d.hwirq), prec));
  if (d.handler) s += '-' + padRight(d.handler, 8);
  if (actions.length) s += '  ' + actions.join(', ');
  return s + '\n';
}

/** One arch line; `value` is per-CPU counts, or a single number for ERR/MIS. */
export function procInterruptsArchLine(
  ncpus: number,
  line: ArchIrqLine,
  value: ArrayLike<number> | number | undefined,
  prec: number,
): string {
  const head = padLeft(line.symbol, prec) + ':';
  if (line.text === undefined) {
    const n = typeof value === 'number' ? value : (value?.[0] ?? 0);
    return head + ' ' + padLeft(u32(n), 10) + '\n';
  }
  const per = typeof value === 'number' ? [value] : value;
  return head + counts(ncpus, per) + '   ' + line.text + '\n';
}

export interface ProcInterruptsOptions {
  /** nr_irqs (allocated descriptors), which sets the column width; default max irq + 1. */
  nrIrqs?: number;
  /** Arch lines to print; default X86_ARCH_IRQ_LINES. */
  archLines?: readonly ArchIrqLine[];
}

/**
 * The exact text of /proc/interrupts for `ncpus` online CPUs. `irqs` are the
 * descriptors with an action (sorted by irq here); `arch` maps an arch symbol
 * ('LOC', 'RES', 'ERR', ...) to its counts, missing ones print zeros.
 */
export function procInterrupts(
  ncpus: number,
  irqs: readonly IrqDesc[],
  arch: Readonly<Record<string, ArrayLike<number> | number>> = {},
  opts: ProcInterruptsOptions = {},
): string {
  const sorted = [...irqs].sort((a, b) => a.irq - b.irq);
  const nr = opts.nrIrqs ?? (sorted.length ? sorted[sorted.length - 1].irq + 1 : 0);
  const prec = interruptsPrec(nr);
  let out = procInterruptsHeader(ncpus, prec);
  for (const d of sorted) out += procInterruptsIrqLine(ncpus, d, prec);
  for (const line of opts.archLines ?? X86_ARCH_IRQ_LINES) {
    out += procInterruptsArchLine(ncpus, line, arch[line.symbol], prec);
  }
  return out;
}
