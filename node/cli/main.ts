// stacklab headless CLI: `check LAB [--json] [--trace] [--digest] [--processes N]`.
// Hosts run one per process by default (--processes 0: all inline; N: hosts
// packed into N processes); results and trace are the same bytes either way.
// Exit status: 0 when the lab ran (whatever its checks say), 2 when the lab
// file is bad or a boot command failed.
import { readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { parseLab } from '../../core/lab/parse.js';
import { LabError } from '../../core/lab/topology.js';
import { MAX_FILE_BYTES } from '../../core/lab/limits.js';
import { BootError } from '../../core/runtime/lab_runner.js';
import { openLab } from '../runtime/lab.js';
import { formatTrace, canonicalTrace } from './trace_format.js';

export const RUNTIME = 'stacklab 0.1.0 (simulated linux 6.18 IPv4 stack)';

function usage(): never {
  process.stderr.write('usage: stacklab check LAB [--json] [--trace] [--digest] [--processes N]\n');
  process.exit(2);
}

function loadLab(path: string) {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (e) {
    process.stderr.write(`${path}:1:1: cannot read lab file: ${(e as NodeJS.ErrnoException).code ?? e}\n`);
    process.exit(2);
  }
  if (size > MAX_FILE_BYTES) {
    process.stderr.write(`${path}:1:1: file is ${size} bytes; the limit is ${MAX_FILE_BYTES}\n`);
    process.exit(2);
  }
  try {
    return parseLab(readFileSync(path, 'utf8'), path);
  } catch (e) {
    if (e instanceof LabError) {
      process.stderr.write(e.message + '\n');
      process.exit(2);
    }
    throw e;
  }
}

/** `--processes N` / `--processes=N`; undefined when absent. */
function processesArg(args: string[]): number | undefined {
  const i = args.findIndex((a) => a === '--processes' || a.startsWith('--processes='));
  if (i < 0) return undefined;
  const v = args[i].includes('=') ? args[i].split('=')[1] : args[i + 1];
  if (!/^\d+$/.test(v ?? '')) usage();
  return Number(v);
}

async function check(args: string[]): Promise<void> {
  const processes = processesArg(args);
  const path = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--processes');
  if (!path) usage();
  const json = args.includes('--json');
  const trace = args.includes('--trace');
  const digest = args.includes('--digest');
  const topo = loadLab(path);
  for (const w of topo.warnings) process.stderr.write(w + '\n');
  const lab = await openLab(topo, { processes, trace: trace || digest, onHostEvent: (e) => process.stderr.write(`stacklab: ${e.message}\n`) });
  const runner = lab.runner;
  try {
    await runner.bootAsync();
  } catch (e) {
    await lab.close();
    if (e instanceof BootError) {
      // Point at the exec line, as lab file errors do.
      const at = topo.hosts.find((h) => h.name === e.host)?.execPos?.[e.index];
      process.stderr.write(`${path}:${at ? `${at.line}:${at.col}:` : ''} ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const results = await runner.runChecksAsync();
  await lab.close();
  if (json) {
    const doc: Record<string, unknown> = { lab: topo.name, runtime: RUNTIME, results };
    if (digest) doc.trace_digest = createHash('sha256').update(canonicalTrace(runner.trace())).digest('hex');
    process.stdout.write(JSON.stringify(doc, null, 1) + '\n');
  } else {
    let pass = 0;
    let fail = 0;
    for (const r of results) {
      const mark = r.pass === undefined ? ' ' : r.pass ? '✓' : '✗';
      if (r.pass === true) pass++;
      if (r.pass === false) fail++;
      process.stdout.write(`${mark} ${r.host}$ ${r.run}${r.background ? ' &' : ''}\n`);
      const indent = (text: string, prefix: string) => text.replace(/\n$/, '').replace(/^/gm, prefix) + '\n';
      if (r.stdout) process.stdout.write(indent(r.stdout, '    '));
      if (r.stderr) process.stdout.write(indent(r.stderr, '    ! '));
      if (!r.background) process.stdout.write(`    [exit ${r.exit}]\n`);
    }
    process.stdout.write(`${topo.name}: ${pass} passed, ${fail} failed\n`);
  }
  if (trace && !json) process.stdout.write(formatTrace(runner.trace()));
  else if (trace) process.stderr.write(formatTrace(runner.trace()));
}

const [cmd, ...rest] = process.argv.slice(2);
if (cmd === 'check') await check(rest);
else if (cmd === 'capture' || cmd === 'export' || cmd === 'import' || cmd === 'grade') (await import(`./${cmd}.js`)).main(rest);
else usage();
