// Host processes over blocking pipes (node/runtime/fifo_channel.ts): the
// same results, trace digest and window count as inline and as over Node's
// IPC channel; the synchronous LabRunner methods work with processes; a
// process that dies or hangs while the parent is blocked in a read is
// reported (the hang by the watchdog thread, the event loop being blocked),
// a starved one is tolerated; nothing is left on disk or open.
import { describe, it, expect, afterAll } from 'vitest';
import { closeSync, constants, openSync, readdirSync, readFileSync, readlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Topology } from '../../core/lab/topology.js';
import { parseLab } from '../../core/lab/parse.js';
import { packFrames } from '../../core/runtime/protocol.js';
import { openLab, type OpenLab } from '../../node/runtime/lab.js';
import { ProcessPool } from '../../node/runtime/pool.js';
import { childProcessSpawner } from '../../node/runtime/spawn.js';
import type { HostEvent } from '../../node/runtime/supervisor.js';
import { FrameReader, FrameWriter } from '../../node/runtime/pipe_frames.js';
import { casesIn, SHARED_ORACLE } from '../support/oracle.js';
import { generatedLab } from './gen_lab.js';
import { inline, outcome, until, VICTIM_LAB, type Outcome } from './outcome.js';
import { pairsLab, pairsLoad } from '../../bench/labs.js';

const CASES = [...casesIn(join(SHARED_ORACLE, 'cases'), join(SHARED_ORACLE, 'expected')), ...casesIn(join(__dirname, '../oracle/cases'), join(__dirname, '../oracle/expected'))];
/** In processes; `sync`: through the synchronous methods (pipes only). */
async function inProcesses(topo: Topology, processes: number, pool: ProcessPool, sync: boolean): Promise<Outcome> {
  const lab = await openLab(topo, { processes, trace: true, pool, supervisor: { hangMs: 30_000 } });
  try {
    const r = lab.runner;
    let results: string;
    try {
      if (sync) {
        r.boot();
        results = JSON.stringify(r.runChecks());
      } else {
        await r.bootAsync();
        results = JSON.stringify(await r.runChecksAsync());
      }
    } catch (e) {
      results = (e as Error).message;
    }
    return outcome(r, results);
  } finally {
    await lab.close();
  }
}

// Processes go back to their pool after each lab, and the next lab boots in them.
let pipes: ProcessPool | undefined;
let ipc: ProcessPool | undefined;
const pools = async () => {
  pipes ??= new ProcessPool(await childProcessSpawner({ transport: 'pipes' }));
  ipc ??= new ProcessPool(await childProcessSpawner({ transport: 'ipc' }));
  return { pipes, ipc };
};
afterAll(() => {
  pipes?.close();
  ipc?.close();
});

describe('pipes: identical to inline and to IPC', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const topo = () => parseLab(readFileSync(c.lab, 'utf8'), c.lab);
      const want = inline(topo());
      const sp = await pools();
      const n = topo().hosts.length;
      // (determinism.test.ts runs the async methods over the default spawner: pipes.)
      expect(await inProcesses(topo(), n, sp.pipes, true)).toEqual(want);
      expect(await inProcesses(topo(), n, sp.ipc, false)).toEqual(want);
    });
  }

  it('a generated 20-host lab: 20 and 5 processes over pipes (sync and async), 20 over IPC', async () => {
    const want = inline(generatedLab());
    expect(want.results).toContain('5 packets transmitted');
    const sp = await pools();
    expect(await inProcesses(generatedLab(), 20, sp.pipes, true)).toEqual(want);
    expect(await inProcesses(generatedLab(), 5, sp.pipes, false)).toEqual(want);
    expect(await inProcesses(generatedLab(), 20, sp.ipc, false)).toEqual(want);
  }, 180_000);
});

describe('the synchronous methods with host processes', () => {
  it('over pipes: boot, commands and checks without awaiting; over IPC: refused', async () => {
    const file = join(SHARED_ORACLE, 'cases/02-router-chain.lab.yaml');
    const topo = () => parseLab(readFileSync(file, 'utf8'), file);
    const sp = await pools();
    const lab = await openLab(topo(), { pool: sp.pipes });
    try {
      const r = lab.runner;
      expect(r.inline).toBe(false);
      expect(r.synchronous).toBe(true);
      r.boot();
      const res = r.runCommand('h1', 'ping -c 2 -i 0.2 10.0.2.2');
      expect(res.stdout).toContain('2 packets transmitted, 2 received');
      const bg = r.startBackground('h2', 'ping -c 3 -i 0.1 10.0.1.2');
      r.idle(1e9);
      expect(bg.exitCode).toBe(0);
      expect(Object.values(r.outstanding()).every((n) => n === 0)).toBe(true);
    } finally {
      await lab.close();
    }
    const viaIpc = await openLab(topo(), { pool: sp.ipc });
    try {
      expect(viaIpc.runner.synchronous).toBe(false);
      expect(() => viaIpc.runner.boot()).toThrow(/async methods/);
    } finally {
      await viaIpc.close();
    }
  });
});

describe('supervision while the parent is blocked in a read', () => {
  const open = async (supervisor: { hangMs?: number; starvedMs?: number; busyCpuMs?: number } = {}) => {
    const events: HostEvent[] = [];
    const lab = await openLab(parseLab(VICTIM_LAB, 'victim.lab.yaml'), { spawner: await childProcessSpawner({ transport: 'pipes' }), testHooks: true, supervisor, onHostEvent: (e) => events.push(e) });
    expect(lab.runner.synchronous).toBe(true);
    lab.runner.boot();
    return { lab, events, pid: () => lab.supervisor!.status()[2].pid! };
  };
  let lab: OpenLab | null = null;
  afterAll(async () => lab?.close());

  it('a process that died: the read ends (EOF), its command ends 137, it is restarted after the run', async () => {
    const o = await open();
    lab = o.lab;
    const pid = o.pid();
    o.lab.groups[2].debug('crash');
    const r = o.lab.runner.runCommand('v', 'ip addr');
    expect(r.exit).toBe(137);
    const crashed = o.events.find((e) => e.kind === 'crashed')!;
    expect(crashed.message).toBe('host process of v died (exit status 70)');
    await until(() => o.events.find((e) => e.kind === 'restarted'), 5000, 'restart');
    expect(o.pid()).not.toBe(pid);
    expect(o.lab.runner.synchronous).toBe(true);
    expect(o.lab.runner.runCommand('a', 'ping -c 1 10.0.1.2').stdout).toContain('1 received');
    await o.lab.close();
    lab = null;
  });

  it('a process that hangs (burns CPU) is killed by the watchdog thread after hangMs', async () => {
    const o = await open({ hangMs: 800, busyCpuMs: 50 }); // busy even when the machine is loaded
    lab = o.lab;
    o.lab.groups[2].debug('hang');
    const t0 = performance.now();
    const r = o.lab.runner.runCommand('v', 'ip addr'); // blocks in the read: no timer of this thread runs
    const blocked = performance.now() - t0;
    expect(r.exit).toBe(137);
    const hung = o.events.find((e) => e.kind === 'hung')!;
    expect(hung.message).toMatch(/^host process of v stopped answering for \d+ ms and was killed$/);
    expect(blocked).toBeGreaterThan(800);
    expect(blocked).toBeLessThan(5000);
    await until(() => o.events.find((e) => e.kind === 'restarted'), 5000, 'restart');
    expect(o.lab.runner.runCommand('a', 'ping -c 1 10.0.1.2').stdout).toContain('1 received');
    await o.lab.close();
    lab = null;
  });

  it('a process whose reply waits unread while another is starved is not taken for starved too', async () => {
    // Two pairs flooding each other (h0 -> h1, h2 -> h3): every process
    // works in every window. Replies are read in order: blocked on h0
    // (stopped: no CPU), the coordinator has not read the others', which
    // sleep on their pipes just as long.
    const events: HostEvent[] = [];
    lab = await openLab(parseLab(pairsLab(4), 'pairs.lab.yaml'), { spawner: await childProcessSpawner({ transport: 'pipes' }), supervisor: { hangMs: 500, starvedMs: 1500 }, onHostEvent: (e) => events.push(e) });
    const r = lab.runner;
    r.boot();
    for (const [h, line] of pairsLoad(4)) r.startBackground(h, line);
    r.idle(20_000);
    const pids = lab.supervisor!.status().map((s) => s.pid);
    process.kill(pids[0]!, 'SIGSTOP');
    r.idle(20_000);
    expect(events.map((e) => [e.kind, e.hosts])).toEqual([['hung', ['h0']]]); // (its restart comes once this code yields)
    expect(lab.supervisor!.status().slice(1).map((s) => s.pid)).toEqual(pids.slice(1));
    await lab.close();
    lab = null;
  });

  it('a process that gets no CPU (stopped) is given until starvedMs, not hangMs', async () => {
    const o = await open({ hangMs: 300, starvedMs: 2000 });
    lab = o.lab;
    process.kill(o.pid(), 'SIGSTOP');
    const t0 = performance.now();
    const r = o.lab.runner.runCommand('v', 'ip addr');
    const blocked = performance.now() - t0;
    expect(r.exit).toBe(137);
    expect(o.events.find((e) => e.kind === 'hung')).toBeDefined();
    expect(blocked).toBeGreaterThan(2000);
    await o.lab.close();
    lab = null;
  });
});

describe('the pipes themselves', () => {
  it('leave no FIFO on disk and no descriptor open', async () => {
    // The parent's ends: three per process (requests, replies, replies polled), names unlinked.
    const ends = () => readdirSync('/proc/self/fd').filter((f) => {
      try {
        return readlinkSync(`/proc/self/fd/${f}`).includes('stacklab-pipes-');
      } catch {
        return false;
      }
    }).length;
    const leftovers = () => ['/dev/shm', tmpdir()].flatMap((d) => readdirSync(d).filter((f) => f.startsWith('stacklab-pipes-')));
    const spawner = await childProcessSpawner({ transport: 'pipes' });
    const file = join(SHARED_ORACLE, 'cases/02-router-chain.lab.yaml');
    const before = ends(); // pooled processes of other tests keep theirs
    const lab = await openLab(parseLab(readFileSync(file, 'utf8'), file), { spawner });
    lab.runner.boot();
    expect(ends()).toBe(before + 3 * lab.groups.length);
    expect(leftovers()).toEqual([]);
    await lab.close();
    expect(ends()).toBe(before);
    expect(leftovers()).toEqual([]);
  });

  it('frames: window and plain replies in the compact form, others serialized, split across reads, larger than the buffer', () => {
    const dir = execFileSync('mktemp', ['-d']).toString().trim();
    execFileSync('mkfifo', [join(dir, 'p')]);
    const rfd = openSync(join(dir, 'p'), constants.O_RDONLY | constants.O_NONBLOCK);
    const wfd = openSync(join(dir, 'p'), constants.O_WRONLY);
    try {
      const frames = packFrames([{ arrival: 5, seq: 1, fromHost: 0, toHost: 1, toIfindex: 2, bytes: Uint8Array.from({ length: 100_000 }, (_, i) => i & 255) }]);
      const msgs = [
        { t: 'window', id: 7, end: 1.5e9, frames },
        { t: 'window', id: 8, end: 2e9, frames: null },
        { t: 'reply', id: -3, next: Infinity },
        { t: 'reply', id: 9, next: 12, out: frames.slice(0, 64) },
        { t: 'reply', id: 10, next: 1, io: [[4, 1, 'hi\n']], exits: [[4, 0]], bytes: new Uint8Array([1, 2, 3]) },
      ];
      // Encoded into a file, then fed through the pipe in pieces of 16 KB and
      // read through its non-blocking end after each piece.
      const file = openSync(join(dir, 'f'), 'w+');
      for (const m of msgs) expect(new FrameWriter(file).write(m)).toBe(true);
      const bytes = readFileSync(join(dir, 'f'));
      closeSync(file);
      const r = new FrameReader();
      const got: unknown[] = [];
      for (let o = 0; o < bytes.length; o += 16384) {
        writeSync(wfd, bytes, o, Math.min(16384, bytes.length - o));
        for (let x = r.next(rfd); x !== undefined; x = r.next(rfd)) got.push(x);
      }
      expect(got).toEqual(msgs);
    } finally {
      closeSync(rfd);
      closeSync(wfd);
      execFileSync('rm', ['-r', dir]);
    }
  });
});
