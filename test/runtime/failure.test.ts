// A host process that dies is noticed within 1 s and restarted from the lab;
// one that stops answering is flagged within 3 s and killed; after 3
// restarts in 5 minutes the user decides. The other hosts keep running.
import { describe, it, expect, afterEach, afterAll } from 'vitest';
import { parseLab } from '../../core/lab/parse.js';
import { LiveLab } from '../../core/runtime/live.js';
import { openLab, type OpenLab } from '../../node/runtime/lab.js';
import { systemClock } from '../../node/runtime/clock.js';
import { Supervisor, type HostEvent } from '../../node/runtime/supervisor.js';
import { LabRunner } from '../../core/runtime/lab_runner.js';
import { RemoteHosts } from '../../core/runtime/remote_hosts.js';
import { ProcessPool } from '../../node/runtime/pool.js';
import { childProcessSpawner, type HostProcess } from '../../node/runtime/spawn.js';
import { until, VICTIM_LAB } from './outcome.js';

interface Seen extends HostEvent {
  wall: number;
}

// Processes that survive a test serve the next one.
let pool: ProcessPool | undefined;
afterAll(() => pool?.close());

async function open(opts: { maxRestarts?: number } = {}) {
  const events: Seen[] = [];
  pool ??= new ProcessPool(await childProcessSpawner());
  const lab = await openLab(parseLab(VICTIM_LAB, 'victim.lab.yaml'), { pool, testHooks: true, supervisor: opts, onHostEvent: (e) => events.push({ ...e, wall: performance.now() }) });
  await lab.runner.bootAsync();
  return { lab, events };
}

const pidOf = (lab: OpenLab, host: string) => lab.supervisor!.status().find((s) => s.hosts.includes(host))!.pid!;
const exists = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let current: OpenLab | null = null;
afterEach(async () => {
  await current?.close();
  current = null;
});

describe('host process failures', () => {
  for (const how of ['dies', 'hangs'] as const) {
    it(`a host process that ${how} is caught, restarted from the lab, and the others keep running`, async () => {
      const { lab, events } = await open();
      current = lab;
      const live = new LiveLab(lab.runner, systemClock, { speed: 1 });
      live.play();
      // 1.5 s of pinging at real-time pace; the victim goes down in the middle.
      let exit = -1;
      const ping = await live.exec('a', 'ping -c 30 -i 0.05 10.0.0.2', { onExit: (c) => (exit = c) });
      await new Promise((r) => setTimeout(r, 300));
      const pid = pidOf(lab, 'v');
      const t0 = performance.now();
      if (how === 'dies') process.kill(pid, 'SIGKILL');
      else lab.groups[2].debug('hang');
      const caught = await until(() => events.find((e) => e.kind === (how === 'dies' ? 'crashed' : 'hung')), 4000, 'report');
      expect(caught.hosts).toEqual(['v']);
      expect(caught.message).toContain('v');
      expect(caught.wall - t0).toBeLessThan(how === 'dies' ? 1000 : 3000);
      await until(() => (exists(pid) ? undefined : true), 1000, 'end of the old process');
      const restarted = await until(() => events.find((e) => e.kind === 'restarted'), 5000, 'restart');
      expect(restarted.message).toMatch(/state .* is lost/);
      expect(pidOf(lab, 'v')).not.toBe(pid);
      // The ping between a and b never noticed.
      await until(() => (exit >= 0 ? exit : undefined), 10_000, 'end of ping');
      expect(ping.stdout).toContain('30 packets transmitted, 30 received, 0% packet loss');
      await live.close();
      // v booted again from the lab: its address is back and it answers.
      const r = await lab.runner.runCommandAsync('a', 'ping -c 2 -i 0.2 10.0.1.2');
      expect(r.stdout).toContain('2 received');
    });
  }

  it('after 3 restarts in 5 minutes the user decides', async () => {
    const { lab, events } = await open({ maxRestarts: 3 });
    current = lab;
    for (let i = 1; i <= 4; i++) {
      process.kill(pidOf(lab, 'v'), 'SIGKILL');
      await until(() => (events.filter((e) => e.kind === 'crashed').length === i ? true : undefined), 2000, `crash ${i}`);
      if (i < 4) await until(() => (events.filter((e) => e.kind === 'restarted').length === i ? true : undefined), 5000, `restart ${i}`);
    }
    const ask = await until(() => events.find((e) => e.kind === 'needs-decision'), 2000, 'question to the user');
    expect(ask.hosts).toEqual(['v']);
    expect(lab.supervisor!.status()[2].state).toBe('down');
    // Meanwhile: v is down, the rest works.
    expect((await lab.runner.runCommandAsync('v', 'ip addr')).exit).toBe(126);
    expect((await lab.runner.runCommandAsync('a', 'ping -c 1 10.0.0.2')).stdout).toContain('1 received');
    expect((await lab.runner.runCommandAsync('a', 'ping -c 1 -W 1 10.0.1.2')).stdout).toContain('0 received');
    // The user says restart.
    await lab.supervisor!.restart(2);
    expect(events.at(-1)!.kind).toBe('restarted');
    expect((await lab.runner.runCommandAsync('a', 'ping -c 1 10.0.1.2')).stdout).toContain('1 received');
  });
});

describe('hung or starved', () => {
  // A process that never answers; the test says how much CPU it burns.
  function watch(cpuPerMs: number) {
    let now = 0;
    let cpu = 0;
    const events: HostEvent[] = [];
    const topo = parseLab(VICTIM_LAB, 'victim.lab.yaml');
    let group!: RemoteHosts;
    const runner = new LabRunner(topo, { groups: (sink) => [(group = new RemoteHosts(topo, [0, 1, 2], sink, { trace: false }))] });
    const silent: HostProcess = { pid: 4242, alive: true, send: () => {}, onMessage: () => {}, onExit: () => {}, kill: () => {} };
    const sup = new Supervisor(runner, [group], () => silent, { clock: () => now, cpuOf: () => cpu, autoRestart: false, onEvent: (e) => events.push(e) });
    group.attach(sup.spawn(0), 0).catch(() => {}); // never answered; fails once called hung
    const tick = (sup as unknown as { tick(): void }).tick.bind(sup);
    return {
      events,
      /** Let `ms` of wall time pass in watchdog ticks; when did it say hung? */
      runFor(ms: number): number | null {
        for (let t = 0; t < ms; t += 250) {
          now += 250;
          cpu += 250 * cpuPerMs;
          tick();
          if (events.some((e) => e.kind === 'hung')) return now;
        }
        return null;
      },
    };
  }

  it('a process that burns CPU without answering is hung after 2 s', () => {
    const w = watch(1);
    const at = w.runFor(5000);
    expect(at).toBeGreaterThan(2000);
    expect(at).toBeLessThanOrEqual(2500);
  });

  it('one that waits for a CPU (a loaded machine) gets until 15 s', () => {
    const w = watch(0.01);
    const at = w.runFor(20_000);
    expect(at).toBeGreaterThan(15_000);
    expect(w.events[0].message).toContain('stopped answering');
  });
});
