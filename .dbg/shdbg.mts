import fc from 'fast-check';
import { bootLab, pairLab } from '../test/support/lab.js';
import { line } from './shgen.ts';
const r = bootLab(pairLab());
const samples = fc.sample(fc.array(line, { minLength: 1, maxLength: 5 }), { seed: 0x5e11, numRuns: 40 });
let i = 0;
for (const batch of samples) for (const l of batch) {
  i++;
  const t0 = performance.now();
  process.stderr.write(`#${i} len=${l.length} ${JSON.stringify(l.slice(0, 150))}\n`);
  const res = r.runCommand('a', l, 3e9);
  const mem = process.memoryUsage().heapUsed / 1e6;
  process.stderr.write(`   -> exit ${res.exit} ${(performance.now() - t0).toFixed(0)}ms heap ${mem.toFixed(0)}MB out ${res.stdout.length}/${res.stderr.length}\n`);
}
