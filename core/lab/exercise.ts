// Grading: an exercise is a lab file with an `exercise` block and graded
// checks; a submission is a student's lab file. The submission provides the
// topology and the boot commands, the exercise provides the checks, which
// run against the student's network in the simulator. Locked hosts (and
// links) must be exactly as the exercise has them. See docs/exercises.md.
import type { CheckSpec, HostSpec, LinkSpec, Topology } from './topology.js';
import { LabRunner, BootError, type CheckResult } from '../runtime/lab_runner.js';

export interface GradedCheck {
  index: number;
  title: string;
  points: number;
  /** Points earned (0 or points). */
  earned: number;
  pass: boolean;
  hidden: boolean;
  /** Shown for visible checks only. */
  host?: string;
  run?: string;
  exit?: number;
  stdout?: string;
  stderr?: string;
  /** The hint, when the check failed. */
  hint?: string;
}

export interface GradeReport {
  exercise: string;
  title: string;
  submission: string;
  score: number;
  max: number;
  /** Every graded check passed and nothing was refused. */
  passed: boolean;
  /** Why the submission could not be run as given (locked parts changed, boot failure, ...). */
  errors: string[];
  checks: GradedCheck[];
}

/** Checks that count: those with an expect. Others only prepare (background servers, traffic). */
export function gradedChecks(ex: Topology): CheckSpec[] {
  return ex.checks.filter((c) => c.expect);
}

export function maxScore(ex: Topology): number {
  return gradedChecks(ex).reduce((n, c) => n + (c.points ?? 1), 0);
}

function sameHost(a: HostSpec, b: HostSpec): boolean {
  return a.cpus === b.cpus && JSON.stringify(a.exec) === JSON.stringify(b.exec) && JSON.stringify(a.ifaces) === JSON.stringify(b.ifaces);
}

function linkKey(l: LinkSpec): string {
  const eps = l.endpoints.map((e) => `${e.host}:${e.ifname}`).sort();
  return `${eps.join(' ')} ${l.delayNs} ${l.rateBps} ${l.lossPct}`;
}

/** What the submission changed of what the exercise locks. */
export function lockViolations(ex: Topology, sub: Topology): string[] {
  const out: string[] = [];
  for (const l of ex.exercise?.locked ?? []) {
    if (l === 'links') {
      const a = ex.links.map(linkKey).sort().join('\n');
      const b = sub.links.map(linkKey).sort().join('\n');
      if (a !== b) out.push('the links are locked by the exercise and were changed');
      continue;
    }
    const eh = ex.hosts.find((h) => h.name === l)!;
    const sh = sub.hosts.find((h) => h.name === l);
    if (!sh) out.push(`host '${l}' is locked by the exercise and is missing`);
    else if (!sameHost(eh, sh)) out.push(`host '${l}' is locked by the exercise and was changed`);
  }
  return out;
}

/** Run the exercise's checks on the submission's network. */
export function grade(ex: Topology, sub: Topology, names: { exercise: string; submission: string }): GradeReport {
  const report: GradeReport = { exercise: names.exercise, title: ex.exercise?.title ?? ex.name, submission: names.submission, score: 0, max: maxScore(ex), passed: false, errors: [], checks: [] };
  report.errors.push(...lockViolations(ex, sub));
  for (const c of ex.checks) if (!sub.hosts.some((h) => h.name === c.host)) report.errors.push(`the exercise runs a check on host '${c.host}', which the submission does not have`);
  if (!report.errors.length) {
    // The student's network with the exercise's checks (and its seed, so
    // every submission meets the same random draws).
    const merged: Topology = { ...sub, seed: ex.seed, checks: ex.checks, exercise: undefined };
    const runner = new LabRunner(merged);
    let results: CheckResult[] = [];
    try {
      runner.boot();
      results = runner.runChecks();
    } catch (e) {
      if (!(e instanceof BootError)) throw e;
      report.errors.push(e.message);
    }
    let gi = 0;
    ex.checks.forEach((c, i) => {
      if (!c.expect) return;
      const r = results[i];
      report.checks.push(graded(c, gi++, r));
    });
  } else {
    let gi = 0;
    for (const c of ex.checks) if (c.expect) report.checks.push(graded(c, gi++, undefined));
  }
  report.score = report.checks.reduce((n, c) => n + c.earned, 0);
  report.passed = !report.errors.length && report.checks.every((c) => c.pass);
  return report;
}

function graded(c: CheckSpec, index: number, r: CheckResult | undefined): GradedCheck {
  const points = c.points ?? 1;
  const pass = r?.pass === true;
  const g: GradedCheck = { index, title: c.title ?? `${c.host}$ ${c.run}`, points, earned: pass ? points : 0, pass, hidden: !!c.hidden };
  if (!c.hidden) {
    g.host = c.host;
    g.run = c.run;
    if (r) {
      g.exit = r.exit;
      g.stdout = r.stdout;
      g.stderr = r.stderr;
    }
  }
  if (!pass && c.hint) g.hint = c.hint;
  return g;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A self-contained HTML page for a set of reports (no scripts, no external files). */
export function reportHtml(reports: GradeReport[]): string {
  const title = reports[0]?.title ?? 'Grading report';
  let h = `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}: grading report</title>\n<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}.pass{color:#196c2e}.fail{color:#b3261e}pre{background:#f6f6f6;padding:.5em;overflow:auto;margin:.3em 0}</style></head><body>\n`;
  h += `<h1>${esc(title)}</h1>\n<table><tr><th>submission</th><th>score</th><th>result</th></tr>\n`;
  for (const r of reports) h += `<tr><td><a href="#${esc(anchor(r.submission))}">${esc(r.submission)}</a></td><td>${r.score} / ${r.max}</td><td class="${r.passed ? 'pass' : 'fail'}">${r.passed ? 'passed' : 'not yet'}</td></tr>\n`;
  h += '</table>\n';
  for (const r of reports) {
    h += `<h2 id="${esc(anchor(r.submission))}">${esc(r.submission)}: ${r.score} / ${r.max}</h2>\n`;
    for (const e of r.errors) h += `<p class="fail">${esc(e)}</p>\n`;
    h += '<table><tr><th>check</th><th>points</th><th>result</th></tr>\n';
    for (const c of r.checks) {
      h += `<tr><td>${esc(c.hidden ? `hidden check ${c.index + 1}` : c.title)}`;
      if (!c.hidden && c.run) h += `<pre>${esc(`${c.host}$ ${c.run}`)}\n${esc(c.stdout ?? '')}${esc(c.stderr ?? '')}</pre>`;
      if (c.hint) h += `<p>Hint: ${esc(c.hint)}</p>`;
      h += `</td><td>${c.earned} / ${c.points}</td><td class="${c.pass ? 'pass' : 'fail'}">${c.pass ? 'pass' : 'fail'}</td></tr>\n`;
    }
    h += '</table>\n';
  }
  return h + '</body></html>\n';
}

function anchor(s: string): string {
  return 's-' + s.replace(/[^A-Za-z0-9_-]/g, '_');
}
