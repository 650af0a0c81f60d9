import { bootLab, pairLab } from '../test/support/lab.js';
const r = bootLab(pairLab());
const h = r.host('a');
const t0 = performance.now();
for (const l of [`echo ${'$('.repeat(3000)}echo x${')'.repeat(3000)}`, `echo ${'"$('.repeat(2000)}echo x${')"'.repeat(2000)}`, `C='sh -c "$C"'; export C; sh -c "$C"`, 'x=1; '.repeat(20000), 'echo ' + 'a|'.repeat(5000) + 'cat', 'sleep 1 & '.repeat(3000), 'echo $(( '.repeat(100)]) {
  const res = r.runCommand('a', l, 3e9);
  console.log(l.length, res.exit, JSON.stringify(res.stderr.slice(0, 100)), h.sched.crashes.length, (performance.now()-t0).toFixed(0), 'ms', h.sched.tasks.size, 'tasks', (process.memoryUsage().heapUsed/1e6).toFixed(0), 'MB');
  if (h.sched.crashes.length) { console.log(String((h.sched.crashes[0].err as Error).stack).split('\n').slice(0, 8).join('\n')); break; }
}
console.log(r.runCommand('a', 'echo ok', 3e9));
