// Runs a lab through the simulator and compares each check with a recording
// from the real kernel, after ../shared/oracle/normalize.json (the same rules
// compare.py applies).
import * as fs from 'node:fs';
import { readFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseLab } from '../../core/lab/parse.js';
import { LabRunner, type CheckResult } from '../../core/runtime/lab_runner.js';

const here = dirname(fileURLToPath(import.meta.url));
export const SHARED_ORACLE = join(here, '../../../shared/oracle');
const NORMALIZE = JSON.parse(readFileSync(join(SHARED_ORACLE, 'normalize.json'), 'utf8'));
const RULES: [RegExp, string][] = NORMALIZE.rules.map((r: { pattern: string; replace: string }) => [new RegExp(r.pattern, 'g'), r.replace]);
const SORTED: RegExp[] = NORMALIZE.sort_lines_when_command_matches.map((p: string) => new RegExp(p));

export function norm(text: string | undefined, sort = false): string {
  let t = text ?? '';
  for (const [re, rep] of RULES) t = t.replace(re, rep);
  const lines = t.split('\n').map((l) => l.trimEnd());
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return (sort ? lines.sort() : lines).join('\n');
}

export function view(r: Partial<CheckResult>): string {
  if (r.background) return '(background)';
  const sort = SORTED.some((p) => p.test(r.run ?? ''));
  return `exit ${r.exit}\n--- stdout\n${norm(r.stdout, sort)}\n--- stderr\n${norm(r.stderr)}`;
}

export interface OracleCase {
  name: string;
  lab: string;
  expected: string;
}

export function casesIn(dir: string, expectedDir: string): OracleCase[] {
  if (!existsSync(dir)) return [];
  return fs.readdirSync(dir)
    .filter((f: string) => f.endsWith('.lab.yaml'))
    .sort()
    .map((f: string) => ({ name: f.replace('.lab.yaml', ''), lab: join(dir, f), expected: join(expectedDir, f.replace('.lab.yaml', '.json')) }))
    .filter((c: OracleCase) => existsSync(c.expected));
}


/** Run a lab; return per-check [expected view, actual view] and the runner. */
export function runCase(c: OracleCase) {
  const topo = parseLab(readFileSync(c.lab, 'utf8'), c.lab);
  const runner = new LabRunner(topo);
  let actual: CheckResult[] = [];
  let bootError: string | null = null;
  try {
    runner.boot();
    actual = runner.runChecks();
  } catch (e) {
    bootError = (e as Error).message; // a feature of an open issue: every check then differs
  }
  const expected: Partial<CheckResult>[] = JSON.parse(readFileSync(c.expected, 'utf8')).results;
  const checks = expected.map((e, i) => ({ run: `${e.host}$ ${e.run}`, expected: view(e), actual: view(actual[i] ?? {}) }));
  return { runner, checks, bootError };
}
