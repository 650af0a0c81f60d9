// stacklab capture LAB --format pcap|pcapng --out DIR [--per-hook] [--hooks a,b]
// Runs the lab (boot and checks) with frame capture on every host, then
// writes pcap or pcapng files: per interface by default, per kernel hook
// with --per-hook. Prints one line per file with its frame count.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLab } from '../../core/lab/parse.js';
import { LabError, type Topology } from '../../core/lab/topology.js';
import { MAX_FILE_BYTES } from '../../core/lab/limits.js';
import { LabRunner, BootError } from '../../core/runtime/lab_runner.js';
import { enableCapture, INTERFACE_POINTS, type Direction } from '../../core/pcap/capture.js';
import { exportCapture, type ExportFile } from '../../core/pcap/export.js';

/** Read and parse a lab file, or exit 2 with file:line:col: message. */
export function loadLabFile(path: string): Topology {
  try {
    const size = statSync(path).size;
    if (size > MAX_FILE_BYTES) fail(`${path}:1:1: file is ${size} bytes; the limit is ${MAX_FILE_BYTES}`);
    return parseLab(readFileSync(path, 'utf8'), path);
  } catch (e) {
    if (e instanceof LabError) fail(e.message);
    if ((e as NodeJS.ErrnoException).code) fail(`${path}:1:1: cannot read lab file: ${(e as NodeJS.ErrnoException).code}`);
    throw e;
  }
}

export function fail(msg: string, status = 2): never {
  process.stderr.write(msg + '\n');
  process.exit(status);
}

/** Flag values: --name value or --name=value. */
export function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i >= 0) return args[i + 1];
  const eq = args.find((a) => a.startsWith(name + '='));
  return eq?.slice(name.length + 1);
}

/** The files a capture of `topo` produces (the function the app calls too). */
export function captureLab(topo: Topology, o: { format: 'pcap' | 'pcapng'; perHook?: boolean; hooks?: string[] }): { files: ExportFile[]; runner: LabRunner; lost: number } {
  const runner = new LabRunner(topo, { trace: true });
  const points: Record<string, Direction> | null = o.perHook ? (o.hooks ? Object.fromEntries(o.hooks.map((h) => [h, INTERFACE_POINTS[h] ?? ''])) : null) : INTERFACE_POINTS;
  const caps = enableCapture(runner.hosts.map((h) => h.net), points);
  runner.boot();
  runner.runChecks();
  runner.idle(100e6); // let TX completions land so counters and captures agree
  const files = exportCapture(caps.map((c) => c.frames), { format: o.format, perHook: o.perHook, name: topo.name, trace: runner.trace() });
  return { files, runner, lost: caps.reduce((n, c) => n + c.lost, 0) };
}

export function main(args: string[]): void {
  const usage = 'usage: stacklab capture LAB --format pcap|pcapng --out DIR [--per-hook] [--hooks fn,fn]';
  const lab = args.find((a, i) => !a.startsWith('--') && !['--format', '--out', '--hooks'].includes(args[i - 1]));
  const format = flag(args, '--format') ?? 'pcapng';
  const outDir = flag(args, '--out');
  if (!lab || !outDir || (format !== 'pcap' && format !== 'pcapng')) fail(usage);
  const topo = loadLabFile(lab);
  for (const w of topo.warnings) process.stderr.write(w + '\n');
  let r: ReturnType<typeof captureLab>;
  try {
    r = captureLab(topo, { format, perHook: args.includes('--per-hook'), hooks: flag(args, '--hooks')?.split(',') });
  } catch (e) {
    if (e instanceof BootError) fail(`${lab}: ${e.message}`);
    throw e;
  }
  mkdirSync(outDir, { recursive: true });
  for (const f of r.files) {
    writeFileSync(join(outDir, f.name), f.bytes);
    process.stdout.write(`${join(outDir, f.name)}: ${f.frames} frames\n`);
  }
  if (r.lost) process.stderr.write(`capture: ${r.lost} frames not kept (capture limit reached)\n`);
}
