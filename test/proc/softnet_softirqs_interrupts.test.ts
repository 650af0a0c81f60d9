// /proc/net/softnet_stat, /proc/softirqs and /proc/interrupts: the layout of
// the live files (values parsed from them and printed back).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { procNetSoftnetStat, type SoftnetStat } from '../../core/proc/softnet_stat.js';
import { SOFTIRQ_NAMES, procSoftirqs, type SoftirqName } from '../../core/proc/softirqs.js';
import {
  X86_ARCH_IRQ_LINES,
  interruptsPrec,
  procInterrupts,
  type ArchIrqLine,
  type IrqDesc,
} from '../../core/proc/interrupts.js';

const fixture = (f: string) => readFileSync(new URL(`./fixtures/${f}`, import.meta.url), 'utf8');

describe('/proc/net/softnet_stat', () => {
  test('15 columns of %08x per CPU; column 12 is the CPU index', () => {
    const text = fixture('softnet_stat.txt');
    const cpus: SoftnetStat[] = text
      .trimEnd()
      .split('\n')
      .map((l) => l.split(' ').map((x) => parseInt(x, 16)))
      .map((c) => {
        expect(c).toHaveLength(15);
        expect(c[11]).toBe(c[13] + c[14]);
        return {
          processed: c[0], dropped: c[1], time_squeeze: c[2], received_rps: c[9],
          flow_limit_count: c[10], cpu: c[12], input_qlen: c[13], process_qlen: c[14],
        };
      });
    expect(procNetSoftnetStat(cpus)).toBe(text);
    expect(procNetSoftnetStat([{ processed: 0x1234, dropped: 2, time_squeeze: 3, input_qlen: 1, process_qlen: 2 }, { processed: 2 ** 32 + 1, dropped: 0, time_squeeze: 0 }])).toBe(
      '00001234 00000002 00000003 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000003 00000000 00000001 00000002\n' +
        '00000001 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000001 00000000 00000000\n',
    );
  });
});

describe('/proc/softirqs', () => {
  test('prints the live file back', () => {
    const text = fixture('softirqs.txt');
    const lines = text.trimEnd().split('\n');
    const ncpus = lines[0].trim().split(/\s+/).length;
    const counts: Partial<Record<SoftirqName, number[]>> = {};
    for (const l of lines.slice(1)) {
      const [name, rest] = l.split(':');
      counts[name.trim() as SoftirqName] = rest.trim().split(/\s+/).map(Number);
    }
    expect(Object.keys(counts)).toEqual([...SOFTIRQ_NAMES]);
    expect(procSoftirqs(ncpus, counts)).toBe(text);
  });

  test('header and rows for 4 CPUs', () => {
    const out = procSoftirqs(4, { NET_RX: [1, 22, 333, 4444444444] }).split('\n');
    expect(out[0]).toBe('                    CPU0       CPU1       CPU2       CPU3       ');
    expect(out[1]).toBe('          HI:          0          0          0          0');
    expect(out[4]).toBe('      NET_RX:          1         22        333  149477148');
  });
});

describe('/proc/interrupts', () => {
  const text = fixture('interrupts.txt');
  const lines = text.trimEnd().split('\n');
  const ncpus = lines[0].trim().split(/\s+/).length;
  const num = `((?: +\\d+){${ncpus}})`;
  const devRe = new RegExp(`^ *(\\d+):${num} +(\\S+) +(\\d+)-(\\S+) {2,}(.*)$`);
  const archRe = new RegExp(`^ *([A-Z]{3}):${num}(?:   (.*))?$`);
  const single = /^ *([A-Z]{3}): +(\d+)$/;
  const nums = (s: string) => s.trim().split(/ +/).map(Number);

  test('prints the live file back', () => {
    const irqs: IrqDesc[] = [];
    const arch: Record<string, number[] | number> = {};
    const archLines: ArchIrqLine[] = [];
    for (const l of lines.slice(1)) {
      let m = devRe.exec(l);
      if (m) {
        irqs.push({ irq: +m[1], counts: nums(m[2]), chip: m[3], hwirq: +m[4], handler: m[5], actions: m[6].split(', ') });
        continue;
      }
      m = single.exec(l);
      if (m) {
        arch[m[1]] = +m[2];
        archLines.push({ symbol: m[1] });
        continue;
      }
      m = archRe.exec(l);
      expect(m, l).not.toBeNull();
      arch[m![1]] = nums(m![2]);
      archLines.push({ symbol: m![1], text: m![3] });
    }
    expect(irqs.length).toBeGreaterThan(0);
    expect(archLines).toEqual(X86_ARCH_IRQ_LINES);
    expect(procInterrupts(ncpus, irqs, arch)).toBe(text);
  });

  test('a NIC queue IRQ, a shared IRQ, no domain, and wide IRQ numbers', () => {
    const out = procInterrupts(
      2,
      [
        { irq: 45, counts: [12, 0], chip: 'PCI-MSIX-0000:00:03.0', hwirq: 1, handler: 'edge', actions: 'eth0-TxRx-0' },
        { irq: 9, counts: [0, 3], chip: 'IO-APIC', hwirq: 9, handler: 'fasteoi', actions: ['acpi', 'eth1'] },
        { irq: 3, counts: [1, 1], chip: 'XT-PIC', actions: [] },
      ],
      { LOC: [100, 200], ERR: 0 },
      { archLines: [{ symbol: 'LOC', text: 'Local timer interrupts' }, { symbol: 'ERR' }] },
    );
    expect(out).toBe(
      '           CPU0       CPU1       \n' +
        '  3:          1          1   XT-PIC    \n' +
        '  9:          0          3  IO-APIC   9-fasteoi   acpi, eth1\n' +
        ' 45:         12          0 PCI-MSIX-0000:00:03.0   1-edge      eth0-TxRx-0\n' +
        'LOC:        100        200   Local timer interrupts\n' +
        'ERR:          0\n',
    );
    expect([999, 1000, 9999, 10000].map(interruptsPrec)).toEqual([3, 4, 4, 5]);
    expect(procInterrupts(1, [{ irq: 2048, counts: [1], chip: 'PCI-MSI', hwirq: 0, handler: 'edge', actions: 'x' }], {}, { archLines: [] })).toBe(
      '            CPU0       \n2048:          1  PCI-MSI    0-edge      x\n',
    );
  });
});
