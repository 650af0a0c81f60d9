// Exercises: every bundled exercise passes against its reference solution
// and fails against its blank start (the exercise file itself); locked
// parts are enforced; the new lab fields are validated with file:line:col;
// `stacklab grade` writes the JSON and HTML reports. The topic labs that
// go with the exercises pass their own checks.
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync, mkdtempSync, mkdirSync, copyFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLab } from '../../core/lab/parse.js';
import { grade, maxScore, reportHtml } from '../../core/lab/exercise.js';
import { LabRunner } from '../../core/runtime/lab_runner.js';

const LABS = join(__dirname, '../../labs');
const load = (p: string) => parseLab(readFileSync(p, 'utf8'), p);
const EXERCISES = readdirSync(join(LABS, 'exercises')).filter((f) => f.endsWith('.lab.yaml')).sort();
const TOPICS = ['addressing', 'static-routing', 'default-routes', 'longest-prefix-match', 'forwarding', 'arp', 'ttl-traceroute', 'icmp-errors'];

describe('bundled exercises', () => {
  it('cover every topic, each with a reference solution', () => {
    for (const t of TOPICS) {
      expect(EXERCISES).toContain(`${t}.lab.yaml`);
      expect(existsSync(join(LABS, 'solutions', `${t}.lab.yaml`))).toBe(true);
    }
  });
  for (const f of EXERCISES) {
    describe(f, () => {
      const ex = load(join(LABS, 'exercises', f));
      it('is an exercise with graded checks', () => {
        expect(ex.exercise?.title).toBeTruthy();
        expect(ex.exercise?.tasks).toBeTruthy();
        expect(maxScore(ex)).toBeGreaterThan(0);
      });
      it('passes against its reference solution', () => {
        const r = grade(ex, load(join(LABS, 'solutions', f)), { exercise: f, submission: 'solution' });
        expect(r.errors).toEqual([]);
        expect(r.checks.filter((c) => !c.pass).map((c) => `${c.title}: ${c.stdout}${c.stderr}`)).toEqual([]);
        expect(r.score).toBe(r.max);
        expect(r.passed).toBe(true);
      });
      it('fails against its blank start', () => {
        const r = grade(ex, ex, { exercise: f, submission: 'blank' });
        expect(r.passed).toBe(false);
        expect(r.score).toBeLessThan(r.max);
        // A failed check with a hint shows it.
        for (const c of r.checks) if (!c.pass && c.hint) expect(c.hint.length).toBeGreaterThan(0);
      });
    });
  }
});

describe('grading rules', () => {
  const ex = load(join(LABS, 'exercises', 'static-routing.lab.yaml'));
  const sol = load(join(LABS, 'solutions', 'static-routing.lab.yaml'));

  it('refuses a submission that changed a locked host', () => {
    const cheat = { ...sol, hosts: sol.hosts.map((h) => (h.name === 'h1' ? { ...h, exec: [...h.exec, 'ip route add 10.0.2.0/24 via 10.0.1.1'] } : h)) };
    const r = grade(ex, cheat, { exercise: 'x', submission: 'cheat' });
    expect(r.errors).toEqual(["host 'h1' is locked by the exercise and was changed"]);
    expect(r.score).toBe(0);
    expect(r.passed).toBe(false);
  });

  it('refuses changed links and a missing host', () => {
    const r = grade(ex, { ...sol, links: sol.links.slice(0, 2), hosts: sol.hosts.filter((h) => h.name !== 'h2') }, { exercise: 'x', submission: 's' });
    expect(r.errors).toContain('the links are locked by the exercise and were changed');
    expect(r.errors).toContain("host 'h2' is locked by the exercise and is missing");
  });

  it('hides hidden checks and weights points', () => {
    const r = grade(ex, sol, { exercise: 'x', submission: 's' });
    const hidden = r.checks.filter((c) => c.hidden);
    expect(hidden.length).toBe(1);
    expect(hidden[0].run).toBeUndefined();
    expect(hidden[0].stdout).toBeUndefined();
    expect(r.max).toBe(5);
    const html = reportHtml([r]);
    expect(html).toContain('5 / 5');
    expect(html).toContain('hidden check 4');
    expect(html).not.toContain('192.0.2.1');
  });

  it('reports a boot failure of the submission', () => {
    const broken = { ...sol, hosts: sol.hosts.map((h) => (h.name === 'r1' ? { ...h, exec: [...h.exec, 'ip route add 10.9.0.0/16 via 10.7.7.7'] } : h)) };
    const r = grade(ex, broken, { exercise: 'x', submission: 'broken' });
    expect(r.errors.length).toBe(1);
    expect(r.errors[0]).toMatch(/^r1: boot command 'ip route add 10\.9\.0\.0\/16 via 10\.7\.7\.7' failed/);
    expect(r.score).toBe(0);
  });
});

describe('lab format: exercise fields', () => {
  const base = `version: 1
hosts:
  a: {}
  b: {}
links:
  - endpoints: [a:eth0, b:eth0]
`;
  const bad: [string, string][] = [
    [`${base}checks:\n  - host: a\n    run: "true"\n    points: many\n    expect: { exit: 0 }\n`, 't.lab.yaml:10:13: points must be an integer from 0 to 1000, not \'many\''],
    [`${base}checks:\n  - host: a\n    run: "true"\n    points: 2\n`, 't.lab.yaml:10:13: a graded check needs an expect'],
    [`${base}checks:\n  - host: a\n    run: "true"\n    hidden: yes\n    expect: { exit: 0 }\n`, "t.lab.yaml:10:13: hidden must be true or false, not 'yes'"],
    [`${base}checks:\n  - host: a\n    run: "true"\n    hint: [a]\n`, 't.lab.yaml:10:11: hint must be a string, not a list'],
    [`${base}exercise:\n  tasks: do it\n`, "t.lab.yaml:8:3: missing field 'title'"],
    [`${base}exercise:\n  title: T\n  locked: [a, c]\n`, "t.lab.yaml:9:15: locked: 'c' is neither a host of this lab nor 'links'"],
    [`${base}exercise:\n  title: T\n  locked: [links, links]\n`, "t.lab.yaml:9:19: locked: 'links' is listed twice"],
    [`${base}exercise:\n  title: T\n  points: 3\n`, "t.lab.yaml:9:3: unknown field 'points'"],
  ];
  for (const [text, msg] of bad)
    it(`refuses: ${msg.replace(/^t\.lab\.yaml:\d+:\d+: /, '')}`, () => {
      expect(() => parseLab(text, 't.lab.yaml')).toThrow(msg);
    });
  it('reads them', () => {
    const t = parseLab(`${base}exercise:\n  title: T\n  tasks: |\n    do it\n  locked: [b, links]\nchecks:\n  - host: a\n    run: "true"\n    title: ok\n    hint: h\n    points: 3\n    hidden: true\n    expect: { exit: 0 }\n`, 't.lab.yaml');
    expect(t.exercise).toEqual({ title: 'T', tasks: 'do it\n', locked: ['b', 'links'] });
    expect(t.checks[0]).toEqual({ host: 'a', run: 'true', title: 'ok', hint: 'h', points: 3, hidden: true, expect: { exit: 0 } });
  });
});

describe('stacklab grade', () => {
  it('grades a folder and a file, writes report.json and report.html', { timeout: 120_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'stacklab-grade-'));
    const subs = join(dir, 'subs');
    mkdirSync(subs);
    copyFileSync(join(LABS, 'solutions', 'default-routes.lab.yaml'), join(subs, 'alice.lab.yaml'));
    copyFileSync(join(LABS, 'exercises', 'default-routes.lab.yaml'), join(subs, 'bob.lab.yaml'));
    const out = join(dir, 'out');
    const r = spawnSync('npx', ['tsx', 'node/cli/main.ts', 'grade', join(LABS, 'exercises', 'default-routes.lab.yaml'), subs, '--out', out], { cwd: join(__dirname, '../..'), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${join(subs, 'alice.lab.yaml')}: 4/4 passed`);
    expect(r.stdout).toContain(`${join(subs, 'bob.lab.yaml')}: 0/4`);
    const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(rep.title).toBe('Default routes');
    expect(rep.submissions.map((s: { score: number }) => s.score)).toEqual([4, 0]);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<h1>Default routes</h1>');
  });
});

describe('topic labs', () => {
  for (const t of TOPICS) {
    it(`${t}.lab.yaml passes its own checks and leaks nothing`, () => {
      const runner = new LabRunner(load(join(LABS, `${t}.lab.yaml`)));
      runner.boot();
      const failed = runner.runChecks().filter((r) => r.pass === false);
      expect(failed.map((r) => `${r.host}$ ${r.run}\n${r.stdout}${r.stderr}`)).toEqual([]);
      for (const h of runner.hosts) h.sched.tasks.forEach((task) => h.sched.interrupt(task));
      runner.idle(10e9);
      const queued = runner.hosts.reduce((s, h) => s + [...h.net.socks.udp, ...h.net.socks.raw].reduce((a, sk) => a + sk.receive_queue.length, 0), 0);
      expect(Object.values(runner.outstanding()).reduce((a, b) => a + b, 0)).toBe(queued);
    });
  }
});
