// What the app reads of hosts comes over the host protocol: frames captured
// at the interface points and at every hook, the sk_buff layout at each
// trace point, losses past the bounds, and a host's kernel state. Same lab,
// same seed: all of it identical inline, one host per process, and several
// hosts per process.
import { describe, it, expect, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLab } from '../../core/lab/parse.js';
import { LabRunner } from '../../core/runtime/lab_runner.js';
import { appCaptureOptions, captureOf, hostInternals, setLabCapture, type CaptureOptions } from '../../core/runtime/capture.js';
import { openLab } from '../../node/runtime/lab.js';
import { ProcessPool } from '../../node/runtime/pool.js';
import { childProcessSpawner } from '../../node/runtime/spawn.js';
import { generatedLab } from './gen_lab.js';

const ROUTER_CHAIN = join(__dirname, '../../labs/router-chain.lab.yaml');
const topo = () => parseLab(readFileSync(ROUTER_CHAIN, 'utf8'), ROUTER_CHAIN);

/** Everything the app reads, as plain data (frame bytes as hex). */
async function whatTheAppSees(r: LabRunner): Promise<unknown> {
  const hosts = r.topo.hosts.map((h) => h.index);
  const caps = hosts.map((h) => {
    const c = captureOf(r, h)!;
    const frame = (f: (typeof c.iface)[number]) => ({ ...f, data: Buffer.from(f.data).toString('hex') });
    return { iface: c.iface.map(frame), hooks: c.hooks.map(frame), ifaceLost: c.ifaceLost, hookLost: c.hookLost, layouts: [...c.layouts] };
  });
  const internals = [];
  for (const h of hosts) internals.push(await hostInternals(r, h));
  return { caps, internals };
}

async function run(runner: LabRunner, opts: CaptureOptions): Promise<unknown> {
  await setLabCapture(runner, opts);
  await runner.bootAsync();
  const results = await runner.runChecksAsync();
  return { results, seen: await whatTheAppSees(runner) };
}

let pool: ProcessPool | undefined;
afterAll(() => pool?.close());

async function inProcesses(t: ReturnType<typeof topo>, processes: number, opts: CaptureOptions): Promise<unknown> {
  pool ??= new ProcessPool(await childProcessSpawner());
  const lab = await openLab(t, { processes, trace: true, pool, supervisor: { hangMs: 30_000 } });
  try {
    return await run(lab.runner, opts);
  } finally {
    await lab.close();
  }
}

describe('capture and internals over the host protocol', () => {
  it('router-chain: the same frames, layouts and kernel state inline and in processes', async () => {
    const opts = appCaptureOptions(3);
    const want = (await run(new LabRunner(topo(), { trace: true }), opts)) as { seen: { caps: { iface: unknown[]; hooks: unknown[]; layouts: unknown[] }[] } };
    // something to compare: the pings crossed r1, seen at its interfaces and hooks
    const r1 = want.seen.caps[1];
    expect(r1.iface.length).toBeGreaterThan(10);
    expect(r1.hooks.length).toBeGreaterThan(r1.iface.length);
    expect(r1.layouts.length).toBeGreaterThan(5);
    expect(await inProcesses(topo(), 3, opts)).toEqual(want);
    expect(await inProcesses(topo(), 2, opts)).toEqual(want);
  }, 60_000);

  it('bounds: frames past them are lost the same way inline and in processes', async () => {
    const opts: CaptureOptions = { ifaceFrames: 7, ifaceBytes: 1 << 20, hookFrames: 1000, hookBytes: 20_000 };
    const want = (await run(new LabRunner(generatedLab(), { trace: true }), opts)) as { seen: { caps: { ifaceLost: number; hookLost: number; iface: unknown[] }[] } };
    expect(want.seen.caps.some((c) => c.ifaceLost > 0 && c.iface.length === 7)).toBe(true);
    expect(want.seen.caps.some((c) => c.hookLost > 0)).toBe(true);
    expect(await inProcesses(generatedLab(), 5, opts)).toEqual(want);
  }, 120_000);
});
