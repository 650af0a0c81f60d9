// Each malformed frame of the table moves the counters Linux moves: the
// table (mutations.ts) states the kernel's rule, and kernel-counters.json is
// what a real kernel counted for the same bytes (record-kernel.py).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { MUTATIONS, ERROR_COUNTERS, PATH_COUNTERS } from './mutations.js';
import { counters, delta, target } from './harness.js';
import { tcp_v4_rcv_hook } from '../../core/net/ipv4/protocol.js';

const KERNEL: { kernel: string; deltas: Record<string, Record<string, number>> } = JSON.parse(
  readFileSync(new URL('./kernel-counters.json', import.meta.url), 'utf8'),
);
const WATCH = [...ERROR_COUNTERS, ...PATH_COUNTERS];

describe(`malformed frames move Linux's counters (kernel ${KERNEL.kernel})`, () => {
  test('the table agrees with the kernel recording', () => {
    for (const m of MUTATIONS) {
      if (m.noKernel) continue;
      const k = KERNEL.deltas[m.name];
      expect(k, `recording of '${m.name}'`).toBeDefined();
      const fromKernel = Object.fromEntries(ERROR_COUNTERS.map((c) => [c, k[c] ?? 0]));
      const fromTable = Object.fromEntries(ERROR_COUNTERS.map((c) => [c, m.expect[c] ?? 0]));
      expect(fromTable, m.name).toEqual(fromKernel);
    }
  });

  for (const m of MUTATIONS) {
    test(m.name, (ctx) => {
      const t = target();
      // Hosts register TCP when they boot (tcp_v4_init); skip its rows without it.
      if (m.tcp && !tcp_v4_rcv_hook.fn) return ctx.skip();
      const before = counters(t.b, WATCH);
      t.inject(m.frame);
      t.runner.idle(1.1e9);
      const d = delta(before, counters(t.b, WATCH));
      // Error counters: exactly the table's.
      const errors = Object.fromEntries(ERROR_COUNTERS.map((c) => [c, d[c]]));
      expect(errors, m.why).toEqual(Object.fromEntries(ERROR_COUNTERS.map((c) => [c, m.expect[c] ?? 0])));
      // The path counters as the kernel moved them.
      const k = KERNEL.deltas[m.name];
      if (k) for (const c of PATH_COUNTERS) expect(d[c], `${c} (kernel: ${k[c] ?? 0})`).toBe(k[c] ?? 0);
      // Nothing left behind once the reassembly and neighbour timers have run.
      t.runner.idle(40e9);
      expect(t.runner.outstanding()).toEqual({ a: 0, b: 0 });
    });
  }
});
