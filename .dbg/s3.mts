import { bootLab, pairLab } from '../test/support/lab.js';
const r = bootLab(pairLab());
const h = r.host('a');
for (const n of [10, 50, 80, 100, 150, 200, 300]) {
  const res = r.runCommand('a', `echo ${'$('.repeat(n)}echo x${')'.repeat(n)}`, 3e9);
  console.log(n, res.exit, JSON.stringify(res.stderr.slice(0, 100)), h.sched.crashes.length);
  if (h.sched.crashes.length) { console.log(String((h.sched.crashes[0].err as Error).stack).split('\n').slice(0, 12).join('\n')); break; }
}
