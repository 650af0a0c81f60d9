// Every bundled lab (labs/*.lab.yaml) runs headless: it boots, every check
// that states an `expect` passes, and once the lab is idle no sk_buff is
// left outstanding (except those still queued on open sockets).
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseLab } from '../../core/lab/parse.js';
import { LabRunner } from '../../core/runtime/lab_runner.js';

const LABS = join(__dirname, '../../labs');
const files = readdirSync(LABS)
  .filter((f) => f.endsWith('.lab.yaml'))
  .sort();

for (const f of files) {
  describe(`lab ${f}`, () => {
    const path = join(LABS, f);
    const topo = parseLab(readFileSync(path, 'utf8'), path);
    const runner = new LabRunner(topo);
    runner.boot();
    const results = runner.runChecks();

    it('says what it teaches', () => {
      expect(topo.description.trim().length).toBeGreaterThan(40);
      expect(results.some((r) => r.pass !== undefined)).toBe(true);
    });

    results.forEach((r, i) => {
      if (r.pass === undefined) return;
      it(`check ${i + 1}: ${r.host}$ ${r.run}`, () => {
        expect({ pass: r.pass, exit: r.exit, stdout: r.stdout, stderr: r.stderr }).toMatchObject({ pass: true });
      });
    });

    it('leaks no sk_buff once idle', () => {
      for (const h of runner.hosts) h.sched.tasks.forEach((t) => h.sched.interrupt(t));
      runner.idle(10e9);
      const left = Object.values(runner.outstanding()).reduce((s, n) => s + n, 0);
      const queued = runner.hosts.reduce((s, h) => s + [...h.net.socks.udp, ...h.net.socks.raw, ...h.net.socks.tcp].reduce((a, sk) => a + sk.receive_queue.length, 0), 0);
      expect(left).toBe(queued);
    });
  });
}
