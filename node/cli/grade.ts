// stacklab grade EXERCISE SUBMISSION... [--out DIR] [--json]
// Grades student lab files (files, or folders of *.lab.yaml / *.lab.json)
// against an exercise: the student's file provides the network, the
// exercise's checks are run on it. Writes report.json and report.html to
// DIR (default: the current directory) and prints one line per submission.
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { grade, reportHtml, maxScore, type GradeReport } from '../../core/lab/exercise.js';
import { parseLab } from '../../core/lab/parse.js';
import { LabError } from '../../core/lab/topology.js';
import { loadLabFile, fail, flag } from './capture.js';

function submissions(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      fail(`${p}: no such file or directory`);
    }
    if (st.isDirectory()) {
      for (const f of readdirSync(p).sort()) if (/\.lab\.(ya?ml|json)$/.test(f)) out.push(join(p, f));
    } else out.push(p);
  }
  return out;
}

export function main(args: string[]): void {
  const pos = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--out');
  if (pos.length < 2) fail('usage: stacklab grade EXERCISE SUBMISSION... [--out DIR]');
  const [exPath, ...subPaths] = pos;
  const ex = loadLabFile(exPath);
  if (!ex.exercise) fail(`${exPath}:1:1: not an exercise (no 'exercise' block)`);
  const reports: GradeReport[] = [];
  for (const s of submissions(subPaths)) {
    let r: GradeReport;
    try {
      r = grade(ex, parseLab(readFileSync(s, 'utf8'), s), { exercise: exPath, submission: s });
    } catch (e) {
      if (!(e instanceof LabError) && !(e as NodeJS.ErrnoException).code) throw e;
      // A file that does not parse scores nothing; the message says where.
      r = { exercise: exPath, title: ex.exercise!.title, submission: s, score: 0, max: maxScore(ex), passed: false, errors: [(e as Error).message], checks: [] };
    }
    reports.push(r);
    process.stdout.write(`${s}: ${r.score}/${r.max}${r.passed ? ' passed' : ''}${r.errors.length ? ` (${r.errors.join('; ')})` : ''}\n`);
  }
  const out = flag(args, '--out') ?? '.';
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'report.json'), JSON.stringify({ exercise: exPath, title: ex.exercise!.title, max: reports[0]?.max ?? 0, submissions: reports }, null, 1) + '\n');
  writeFileSync(join(out, 'report.html'), reportHtml(reports));
}
