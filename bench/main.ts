// `npm run bench [-- --json] [-- --only flood,engine,...]`: what users feel,
// measured. Each measurement runs in its own Node process from one esbuild
// bundle of bench/worker.ts (plain JS: no loader hooks in the measured code),
// one after another so that none disturbs another. The flood figures are
// also given as ratios to ../shared/bench/js-baseline.js run in the same
// bench, so that they hold on a loaded machine. Prints a table, or JSON.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'bench/.out/worker.mjs');
const BASELINE = path.join(ROOT, '../shared/bench/js-baseline.js');

/** The targets of issue #8. */
const TARGET = {
  flood_ratio: 0.5,
  trace_ratio: 0.4,
  engine_100k: 2_000_000,
  windows_32: 1000,
  rss_per_process_mb: 60,
  tti_ms: 2000,
  frame_median_ms: 16,
  longest_task_ms: 50,
};

type Json = Record<string, any>;

async function build(): Promise<void> {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'bench/worker.ts')],
    outfile: OUT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    absWorkingDir: ROOT,
    logLevel: 'warning',
    // Native or self-locating packages stay in node_modules.
    external: ['esbuild', 'playwright-core', 'vite', 'tsx'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
}

function run(file: string, args: string[], timeoutS: number, env: Record<string, string> = {}): Promise<Json> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', file, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutS * 1000);
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line));
      } catch {
        resolve({ error: `exit ${code}: ${(err || out).trim().slice(-400)}` });
      }
    });
  });
}

const worker = (args: string[], timeoutS = 120, env: Record<string, string> = {}) => run(OUT, args, timeoutS, env);

interface Row {
  item: string;
  value: string;
  target: string;
  ok: boolean | null;
}

function fmt(n: number | undefined, unit = ''): string {
  if (n === undefined || Number.isNaN(n)) return 'n/a';
  return (n >= 100 ? Math.round(n).toLocaleString('en-US') : String(+n.toPrecision(n >= 1 ? 3 : 2))) + unit;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const onlyArg = args.find((a) => a.startsWith('--only'));
  const only = onlyArg ? new Set((onlyArg.includes('=') ? onlyArg.split('=')[1] : args[args.indexOf(onlyArg) + 1]).split(',')) : null;
  const want = (k: string) => !only || only.has(k);
  const log = (s: string) => process.stderr.write(s + '\n');
  const t0 = Date.now();
  await build();
  const res: Json = { machine: { node: process.version, cpus: (await import('node:os')).cpus().length, loadavg: (await import('node:os')).loadavg().map((x) => +x.toFixed(2)) } };
  const rows: Row[] = [];

  if (want('flood')) {
    log('bench: js-baseline');
    res.baseline = await run(BASELINE, ['1000000', 'off', 'typed', '1'], 120);
    log('bench: flood, tracing off');
    res.flood = await worker(['flood', '200000', 'off']);
    log('bench: flood, tracing on');
    res.flood_trace = await worker(['flood', '50000', 'on']);
    const base = res.baseline.sim_pkts_per_s;
    const r1 = res.flood.sim_pkts_per_s / base;
    const r2 = res.flood_trace.sim_pkts_per_s / base;
    res.ratios = { flood: +r1.toFixed(3), flood_trace: +r2.toFixed(3) };
    rows.push({ item: 'js-baseline (3 hosts, typed heap, pooled)', value: fmt(base, ' pkt/s'), target: '', ok: null });
    rows.push({ item: '1. UDP flood h1->r1->h2, tracing off', value: `${fmt(res.flood.sim_pkts_per_s, ' pkt/s')} (${r1.toFixed(3)}x)`, target: `>= ${TARGET.flood_ratio}x`, ok: r1 >= TARGET.flood_ratio });
    rows.push({ item: '2. the same, path tracing on', value: `${fmt(res.flood_trace.sim_pkts_per_s, ' pkt/s')} (${r2.toFixed(3)}x)`, target: `>= ${TARGET.trace_ratio}x`, ok: r2 >= TARGET.trace_ratio });
  }

  if (want('engine')) {
    res.engine = {};
    for (const n of [1_000, 100_000, 1_000_000]) {
      log(`bench: event queue, ${n} pending`);
      const r = await worker(['engine', String(n), '2000000']);
      res.engine[n] = r;
      rows.push({ item: `4. event queue, ${fmt(n)} pending`, value: fmt(r.events_per_s, ' ev/s'), target: n === 100_000 ? `>= ${fmt(TARGET.engine_100k)}` : '', ok: n === 100_000 ? r.events_per_s >= TARGET.engine_100k : null });
    }
  }

  if (want('multi')) {
    // Host processes over blocking pipes (the default), then the same over
    // Node's IPC channel (the fallback: Windows, Electron's utilityProcess).
    res.multi = {};
    res.multi_ipc = {};
    const value = (r: Json) => (r.unavailable ? `n/a (${r.unavailable})` : r.error ? `error: ${String(r.error).split('\n')[0]}` : `${fmt(r.windows_per_s, ' win/s')}, ${fmt(r.pkts_per_s, ' pkt/s')}`);
    for (const [hosts, procs] of [[2, 2], [8, 8], [32, 32], [200, 2]]) {
      const label = procs === hosts ? `${hosts} hosts, one per process` : `${hosts} hosts packed in ${procs} processes`;
      log(`bench: ${label}`);
      const r = await worker(['multi', String(hosts), String(procs), '3'], 240);
      res.multi[`${hosts}/${procs}`] = r;
      const target = hosts === 32 ? `>= ${TARGET.windows_32} win/s` : hosts === 200 ? 'runs' : '';
      const ok = r.unavailable || r.error ? (hosts === 32 || hosts === 200 ? false : null) : hosts === 32 ? r.windows_per_s >= TARGET.windows_32 : hosts === 200 ? r.pkts > 0 : null;
      rows.push({ item: `5. ${label}${r.transport ? ` (${r.transport})` : ''}`, value: value(r), target, ok });
      if (hosts === 32 && r.cpu_us_per_window) rows.push({ item: '5. 32 processes: CPU per window, coordinator / each host process', value: `${fmt(r.cpu_us_per_window.coordinator, ' us')} / ${fmt(r.cpu_us_per_window.host_process, ' us')} (after ${r.warm_s} s of JIT warm-up)`, target: '', ok: null });
    }
    for (const n of [2, 8, 32]) {
      log(`bench: ${n} hosts, one per process, Node IPC`);
      const r = await worker(['multi', String(n), String(n), '3'], 240, { STACKLAB_BENCH_TRANSPORT: 'ipc' });
      res.multi_ipc[`${n}/${n}`] = r;
      // Wall-time rates swing with the machine's load; CPU per window less so.
      const p = res.multi[`${n}/${n}`];
      const cpu = (x: Json) => x?.cpu_us_per_window && x.cpu_us_per_window.coordinator + n * x.cpu_us_per_window.host_process;
      const ratio = p?.windows_per_s && r.windows_per_s && cpu(p) && cpu(r) ? ` (pipes: ${(p.windows_per_s / r.windows_per_s).toFixed(1)}x the rate, ${(cpu(r) / cpu(p)).toFixed(1)}x less CPU per window)` : '';
      rows.push({ item: `5. ${n} hosts, one per process (Node IPC)`, value: value(r) + ratio, target: '', ok: null });
    }
  }

  if (want('memory')) {
    const m32 = res.multi?.['32/32'];
    const rss: number[] = m32?.rss_mb?.filter((x: number) => Number.isFinite(x)) ?? [];
    if (rss.length) {
      const avg = rss.reduce((a, b) => a + b, 0) / rss.length;
      res.memory = { ...(res.memory ?? {}), rss_per_host_process_mb: +avg.toFixed(1), rss_per_host_process_max_mb: Math.max(...rss) };
      rows.push({ item: '6. RSS per host process (32 hosts)', value: `${fmt(avg, ' MB')} (max ${fmt(Math.max(...rss), ' MB')})`, target: `<= ${TARGET.rss_per_process_mb} MB`, ok: avg <= TARGET.rss_per_process_mb });
    } else rows.push({ item: '6. RSS per host process', value: 'n/a (no host processes measured)', target: `<= ${TARGET.rss_per_process_mb} MB`, ok: null });
    log('bench: 200 hosts packed in one process (memory)');
    const p = await worker(['packed', '200'], 180);
    res.memory = { ...(res.memory ?? {}), packed: p };
    rows.push({ item: '6. memory per host, 200 packed in one process', value: p.error ? 'error' : `${fmt(p.per_host_mb, ' MB')} (RSS ${fmt(p.rss_after_mb, ' MB')})`, target: '', ok: null });
  }

  if (want('renderer')) {
    log('bench: renderer in Chromium');
    const r = await worker(['renderer'], 300);
    res.renderer = r;
    if (r.unavailable || r.error) rows.push({ item: '7. renderer', value: `n/a (${r.unavailable ?? String(r.error).split('\n')[0]})`, target: '', ok: null });
    else {
      rows.push({ item: '7. time to interactive (example lab)', value: fmt(r.tti_ms, ' ms'), target: `<= ${TARGET.tti_ms} ms`, ok: r.tti_ms <= TARGET.tti_ms });
      rows.push({ item: '7. time to interactive (500-node lab)', value: fmt(r.tti_500_ms, ' ms'), target: '', ok: null });
      // rAF intervals come in whole 60 Hz frames (16.7 ms): a median of one
      // frame is 60 fps; the main-thread work per frame must fit in 16 ms.
      const smooth = r.pan_frame_median_ms <= 1000 / 60 + 0.5 && r.pan_task_ms_per_frame <= TARGET.frame_median_ms;
      rows.push({ item: '7. panning 500 nodes: median / worst frame', value: `${fmt(r.pan_frame_median_ms, ' ms')} / ${fmt(r.pan_frame_worst_ms, ' ms')} (${fmt(r.pan_task_ms_per_frame, ' ms')} main-thread work per frame)`, target: `60 fps, work <= ${TARGET.frame_median_ms} ms`, ok: smooth });
      rows.push({ item: `7. longest main-thread task, stream of ${fmt(r.stream_records_per_s)} events/s`, value: `${fmt(r.stream_longest_task_ms, ' ms')} (${r.stream_long_tasks} tasks > 50 ms)`, target: `<= ${TARGET.longest_task_ms} ms`, ok: r.stream_longest_task_ms <= TARGET.longest_task_ms });
    }
  }

  res.bench_seconds = Math.round((Date.now() - t0) / 1000);
  if (json) {
    process.stdout.write(JSON.stringify({ ...res, table: rows }, null, 1) + '\n');
    return;
  }
  const w0 = Math.max(...rows.map((r) => r.item.length), 4);
  const w1 = Math.max(...rows.map((r) => r.value.length), 5);
  const w2 = Math.max(...rows.map((r) => r.target.length), 6);
  const line = (a: string, b: string, c: string, d: string) => `${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c.padEnd(w2)}  ${d}\n`;
  let s = line('item', 'value', 'target', '');
  s += line('-'.repeat(w0), '-'.repeat(w1), '-'.repeat(w2), '----');
  for (const r of rows) s += line(r.item, r.value, r.target, r.ok === null ? '' : r.ok ? 'ok' : 'MISS');
  s += `(${res.bench_seconds} s; load average ${res.machine.loadavg.join(' ')} on ${res.machine.cpus} CPUs; --json for every figure)\n`;
  process.stdout.write(s);
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(1);
});
