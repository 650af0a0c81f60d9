// Same lab, same seed: byte-identical check results and trace whether the
// hosts run inline, one per process, or several per process. Every oracle
// case and a generated 20-host lab with traffic (loss drawn from the seed,
// background pings, UDP, traceroute).
import { describe, it, expect, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Topology } from '../../core/lab/topology.js';
import { parseLab } from '../../core/lab/parse.js';
import { packFrames, unpackFrames, type ToHost } from '../../core/runtime/protocol.js';
import { openLab, type OpenLab } from '../../node/runtime/lab.js';
import { ProcessPool } from '../../node/runtime/pool.js';
import { childProcessSpawner, inProcessSpawner, type Spawner } from '../../node/runtime/spawn.js';
import { casesIn, SHARED_ORACLE } from '../support/oracle.js';
import { generatedLab } from './gen_lab.js';
import { inline, outcome, type Outcome } from './outcome.js';

const CASES = [...casesIn(join(SHARED_ORACLE, 'cases'), join(SHARED_ORACLE, 'expected')), ...casesIn(join(__dirname, '../oracle/cases'), join(__dirname, '../oracle/expected'))];

async function distributed(topo: Topology, processes: number, via: { pool: ProcessPool } | { spawner: Spawner }, onLab?: (lab: OpenLab) => void): Promise<Outcome> {
  // A machine loaded by parallel test files must not pass for a hung host.
  const lab = await openLab(topo, { processes, trace: true, ...via, supervisor: { hangMs: 30_000 } });
  try {
    const r = lab.runner;
    let results: string;
    try {
      await r.bootAsync();
      results = JSON.stringify(await r.runChecksAsync());
    } catch (e) {
      results = (e as Error).message;
    }
    expect(lab.groups.length).toBe(Math.min(processes, topo.hosts.length));
    onLab?.(lab);
    return outcome(r, results);
  } finally {
    await lab.close();
  }
}

// Processes go back to the pool after each lab, and the next lab boots in
// them: that is also a test that nothing of a lab survives a new boot.
let pool: ProcessPool | undefined;
async function processes(): Promise<{ pool: ProcessPool }> {
  pool ??= new ProcessPool(await childProcessSpawner());
  return { pool };
}
afterAll(() => pool?.close());

describe('one process per host, two per process, inline: identical', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const topo = () => parseLab(readFileSync(c.lab, 'utf8'), c.lab);
      const want = inline(topo());
      const via = await processes();
      const n = topo().hosts.length;
      const perHost = await distributed(topo(), n, via);
      expect(perHost).toEqual(want);
      const packed = await distributed(topo(), Math.ceil(n / 2), via);
      expect(packed).toEqual(want);
    });
  }
});

describe('a generated 20-host lab with traffic', () => {
  it('runs the same inline, 20 processes, 5 processes and 3 in-process agents', async () => {
    const want = inline(generatedLab());
    expect(JSON.parse(want.results).length).toBe(9);
    expect(want.results).toContain('5 packets transmitted');
    const via = await processes();
    for (const n of [20, 5]) expect(await distributed(generatedLab(), n, via)).toEqual(want);
    expect(await distributed(generatedLab(), 3, { spawner: inProcessSpawner() })).toEqual(want);
  }, 180_000);

  it('sends one message per busy process per window, frames packed in one buffer', async () => {
    const inner = (await processes()).pool.take;
    const windowMsgs = new Map<number, number>();
    let framesSent = 0;
    const counting: Spawner = (label) => {
      const p = inner(label);
      const send = p.send.bind(p);
      const id = windowMsgs.size;
      windowMsgs.set(id, 0);
      return Object.assign(Object.create(p), {
        send: (m: ToHost, t?: ArrayBuffer[]) => {
          if (m.t === 'window') {
            windowMsgs.set(id, windowMsgs.get(id)! + 1);
            if (m.frames) framesSent += unpackFrames(m.frames).length;
          }
          send(m, t);
        },
      });
    };
    const lab = await openLab(generatedLab(), { processes: 5, spawner: counting });
    try {
      await lab.runner.bootAsync();
      await lab.runner.runChecksAsync();
      const windows = lab.runner.windows;
      for (const n of windowMsgs.values()) expect(n).toBeLessThanOrEqual(windows);
      const total = [...windowMsgs.values()].reduce((a, b) => a + b, 0);
      // Idle processes sit windows out, so far fewer than processes x windows.
      expect(total).toBeLessThan(5 * windows);
      expect(framesSent).toBeGreaterThan(total / 10);
    } finally {
      await lab.close();
    }
  });
});

describe('scale', () => {
  const rssMiB = (pid: number) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)![1]) / 1024;

  it('32 hosts, one per process', async () => {
    const want = inline(generatedLab(4, 7, 7, true));
    let rss: number[] = [];
    const got = await distributed(generatedLab(4, 7, 7, true), 32, await processes(), (lab) => (rss = lab.supervisor!.processes().map((p) => rssMiB(p.pid!))));
    expect(got).toEqual(want);
    expect(rss.length).toBe(32);
    console.log(`32 host processes: RSS avg ${(rss.reduce((a, b) => a + b) / rss.length).toFixed(1)} MiB, max ${Math.max(...rss).toFixed(1)} MiB`);
    expect(Math.max(...rss)).toBeLessThan(150);
  }, 180_000);

  it('200 hosts, 50 per process', async () => {
    const want = inline(generatedLab(8, 24, 7, true));
    expect(want.results).toContain('5 packets transmitted');
    expect(await distributed(generatedLab(8, 24, 7, true), 4, await processes())).toEqual(want);
  }, 180_000);
});

describe('the CLI', () => {
  const cli = (args: string[]) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '../../node/cli/main.ts'), 'check', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0 || r.stderr.includes('stacklab:')) throw new Error(`cli exit ${r.status}: ${r.stderr}`);
    return r.stdout;
  };

  it('--processes 2: results and trace digest as inline', () => {
    const lab = join(SHARED_ORACLE, 'cases/02-router-chain.lab.yaml');
    const doc = JSON.parse(cli(['--processes', '2', lab, '--json', '--digest']));
    const want = inline(parseLab(readFileSync(lab, 'utf8'), lab));
    expect(doc.trace_digest).toBe(want.digest);
    expect(JSON.stringify(doc.results)).toBe(want.results);
  });
});

describe('frame batches', () => {
  it('pack and unpack round-trip, 8-byte aligned', () => {
    const frames = [5, 60, 1514].map((len, i) => ({ arrival: 1e9 + i, fromHost: i, seq: 2 ** 40 + i, toHost: 7, toIfindex: 3, bytes: Uint8Array.from({ length: len }, (_, k) => (k * 7 + i) & 255) }));
    const buf = packFrames(frames);
    expect(buf.byteLength % 8).toBe(0);
    expect(unpackFrames(buf)).toEqual(frames);
    expect(unpackFrames(packFrames([]))).toEqual([]);
  });
});
