// Bench 4: the event queue (core/sim/engine.ts) under the "hold" model: with
// N events pending, each event run schedules one more at a random later
// time, so the queue stays at N. Events per second of wall time at N = 1k,
// 100k and 1M, run through Engine.runUntil as the hosts run it. Prints one
// JSON line per size.
import { Engine } from '../core/sim/engine.js';

export interface EngineResult {
  pending: number;
  events: number;
  wall_s: number;
  events_per_s: number;
  /** The same per CPU second of this process (steadier on a loaded machine). */
  events_per_cpu_s: number;
}

const SPAN = 1 << 20; // delays uniform in [1, 2^20] ns

export function holdBench(pending: number, events: number, EngineClass: new () => Engine = Engine): EngineResult {
  const e = new EngineClass();
  let x = 12345;
  const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 12) + 1;
  const fn = (arg: number) => e.after(rnd(), fn, arg);
  for (let i = 0; i < pending; i++) e.at(rnd(), fn, i);
  // Windows of about 1000 events each, as a host runs a busy window.
  const w = Math.max(1, Math.round((1000 * SPAN) / 2 / pending));
  const run = (n: number) => {
    const end = e.executed + n;
    while (e.executed < end) e.runUntil(e.nextTime() + w);
    return e.executed;
  };
  run(Math.min(events >> 2, 500_000)); // JIT warm-up
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const n0 = e.executed;
  const ran = run(events) - n0;
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cu = process.cpuUsage(c0);
  const cpu = (cu.user + cu.system) / 1e6;
  if (e.pending !== pending) throw new Error(`queue drifted to ${e.pending}`);
  return { pending, events: ran, wall_s: +wall.toFixed(3), events_per_s: Math.round(ran / wall), events_per_cpu_s: Math.round(ran / cpu) };
}
