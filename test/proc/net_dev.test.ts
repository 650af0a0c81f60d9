// /proc/net/dev against text captured from Linux 6.18 (column widths, long names).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { PROC_NET_DEV_HEADER, procNetDev, procNetDevLine, type NetDevStats } from '../../core/proc/net_dev.js';

const fixture = (f: string) => readFileSync(new URL(`./fixtures/${f}`, import.meta.url), 'utf8');

const COLUMNS = [
  'rx_bytes', 'rx_packets', 'rx_errs', 'rx_drop', 'rx_fifo', 'rx_frame', 'rx_compressed', 'rx_multicast',
  'tx_bytes', 'tx_packets', 'tx_errs', 'tx_drop', 'tx_fifo', 'tx_colls', 'tx_carrier', 'tx_compressed',
] as const;

function parse(text: string): NetDevStats[] {
  return text
    .split('\n')
    .slice(2)
    .filter(Boolean)
    .map((line) => {
      const colon = line.indexOf(':');
      const nums = line.slice(colon + 1).trim().split(/\s+/).map(Number);
      const d = { name: line.slice(0, colon).trim() } as NetDevStats;
      COLUMNS.forEach((c, i) => (d[c] = nums[i]));
      return d;
    });
}

describe('/proc/net/dev', () => {
  test.each(['dev_fresh.txt', 'dev_traffic.txt'])('%s prints back byte for byte', (f) => {
    const text = fixture(f);
    expect(text.startsWith(PROC_NET_DEV_HEADER)).toBe(true);
    expect(procNetDev(parse(text))).toBe(text);
  });

  test('names wider than 6 and numbers wider than their column push the line right', () => {
    const zero = Object.fromEntries(COLUMNS.map((c) => [c, 0])) as Omit<NetDevStats, 'name'>;
    expect(procNetDevLine({ ...zero, name: 'eth0', rx_bytes: 123456789, tx_packets: 5 })).toBe(
      '  eth0: 123456789       0    0    0    0     0          0         0        0       5    0    0    0     0       0          0\n',
    );
    expect(procNetDevLine({ ...zero, name: 'averylongname15' }).startsWith('averylongname15:       0 ')).toBe(true);
  });
});
