// Live running for the app: pacing against a (fake) wall clock at a chosen
// speed, pause, steps, and commands typed while the lab runs, inline and
// with hosts in other processes.
import { describe, it, expect, afterAll } from 'vitest';
import { parseLab } from '../../core/lab/parse.js';
import { LabRunner } from '../../core/runtime/lab_runner.js';
import { LiveLab, type WallClock } from '../../core/runtime/live.js';
import type { TraceRecord } from '../../core/net/core/trace.js';
import { openLab, type OpenLab } from '../../node/runtime/lab.js';
import { systemClock } from '../../node/runtime/clock.js';

const LAB = `
version: 1
name: pair
hosts:
  h1:
    exec: [ip addr add 10.0.0.1/24 dev eth0]
  h2:
    exec: [ip addr add 10.0.0.2/24 dev eth0]
links:
  - endpoints: [h1:eth0, h2:eth0]
    delay: 100us
`;

/** A wall clock the test moves by hand; run() fires due timers in order and
 * lets each tick finish (ticks may wait for host processes). */
class FakeClock implements WallClock {
  t = 0;
  private timers: { at: number; fn: () => void; seq: number }[] = [];
  private seq = 0;
  now = () => this.t;
  after(ms: number, fn: () => void): () => void {
    const timer = { at: this.t + ms, fn, seq: this.seq++ };
    this.timers.push(timer);
    return () => (this.timers = this.timers.filter((x) => x !== timer));
  }
  async run(ms: number, live: LiveLab): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = Math.max(this.t, next.at);
      next.fn();
      // A running lab schedules its next tick when this one is done.
      while (live.state === 'running' && !this.timers.length) await new Promise((r) => setImmediate(r));
    }
    this.t = end;
  }
}

const MS = 1e6;

function inlineLive(opts: ConstructorParameters<typeof LiveLab>[2] = {}) {
  const runner = new LabRunner(parseLab(LAB, 'pair.lab.yaml'), { trace: true });
  runner.boot();
  const clock = new FakeClock();
  const live = new LiveLab(runner, clock, opts);
  return { runner, clock, live };
}

describe('live pacing (inline hosts)', () => {
  it('runs in real time at speed 1 and a thousand times slower at 0.001', async () => {
    const { runner, clock, live } = inlineLive();
    const t0 = runner.now;
    live.play();
    await clock.run(500, live);
    expect(runner.now - t0).toBeGreaterThan(480 * MS);
    expect(runner.now - t0).toBeLessThanOrEqual(500 * MS);
    live.setSpeed(0.001);
    const t1 = runner.now;
    await clock.run(1000, live);
    expect(runner.now - t1).toBeGreaterThan(0.9 * MS);
    expect(runner.now - t1).toBeLessThanOrEqual(1 * MS);
    await live.pause();
    const t2 = runner.now;
    await clock.run(1000, live);
    expect(runner.now).toBe(t2);
    live.play();
    await clock.run(100, live);
    expect(runner.now).toBeGreaterThan(t2);
  });

  it('a command typed while the lab runs enters at the current time and prints as it goes', async () => {
    const { runner, clock, live } = inlineLive();
    live.play();
    await clock.run(100, live);
    const seen: { at: number; text: string }[] = [];
    const typedAt = runner.now;
    const cmd = await live.exec('h1', 'ping -c 3 -i 0.2 10.0.0.2', { onOutput: (_s, text) => seen.push({ at: runner.now, text }) });
    await clock.run(150, live);
    expect(cmd.exitCode).toBeNull();
    expect(cmd.stdout).toContain('icmp_seq=1 ');
    expect(cmd.stdout).not.toContain('icmp_seq=2 ');
    await clock.run(500, live);
    expect(cmd.exitCode).toBe(0);
    expect(cmd.stdout).toContain('3 packets transmitted, 3 received');
    // The first line came at once, the replies over 0.4 s of virtual time.
    expect(seen[0].at).toBe(typedAt);
    expect(seen.at(-1)!.at - typedAt).toBeGreaterThan(400 * MS);
    await live.close();
  });

  it('steps to the next instant and follows one packet', async () => {
    const records: TraceRecord[] = [];
    const { runner, live } = inlineLive({ onTrace: (r) => records.push(...r) });
    const cmd = await live.exec('h1', 'ping -c 1 10.0.0.2');
    // The first packet h1 sent (queued for its NIC when the command started).
    const sent = records.find((r) => r.host === 'h1' && r.skb > 0)!;
    expect(sent).toBeDefined();
    // One step: the events of the next instant, on every host (their
    // records carry CPU time, which runs on while a CPU works).
    const t = runner.nextEventTime();
    const s = await live.step();
    expect(s.now).toBe(t + 1);
    expect(s.records.every((r) => r.t >= t)).toBe(true);
    // Follow that skb to the next thing that happens to it.
    const p = await live.stepPacket('h1', sent.skb);
    expect(p.packet!.length).toBeGreaterThan(0);
    expect(p.packet!.every((r) => r.host === 'h1' && r.skb === sent.skb && r.t > sent.t)).toBe(true);
    while (cmd.exitCode === null) await live.step();
    expect(cmd.stdout).toContain('1 received');
    // Everything stepped through also went to onTrace, once.
    const all = runner.trace();
    expect(records).toHaveLength(all.length);
    expect(new Set(records)).toEqual(new Set(all));
  });

  it('terminals: stdin lines, Ctrl-C, and a shell session that keeps its state', async () => {
    const { clock, live } = inlineLive();
    live.play();
    const listener = await live.exec('h2', 'nc -u -l 5000', { session: 2 });
    const sender = await live.exec('h1', 'nc -u 10.0.0.2 5000', { session: 1 });
    await live.input(sender, 'hello\n');
    await clock.run(50, live);
    await live.input(sender, 'again\n');
    await clock.run(50, live);
    expect(listener.stdout).toBe('hello\nagain\n');
    await live.interrupt(sender);
    await clock.run(50, live);
    expect(sender.exitCode).toBe(130);
    await live.exec('h1', 'X=42', { session: 1 });
    const echo = await live.exec('h1', 'echo $X', { session: 1 });
    await clock.run(50, live);
    expect(echo.stdout).toBe('42\n');
    await live.close();
  });

  it('runs as fast as possible at speed Infinity', async () => {
    const runner = new LabRunner(parseLab(LAB, 'pair.lab.yaml'));
    runner.boot();
    const live = new LiveLab(runner, systemClock, { speed: Infinity });
    live.play();
    const t0 = performance.now();
    const cmd = await live.exec('h1', 'ping -c 5 -i 1 10.0.0.2');
    while (cmd.exitCode === null) await new Promise((r) => setTimeout(r, 5));
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(cmd.stdout).toContain('5 received');
    await live.close();
  });
});

describe('live pacing with hosts in processes', () => {
  let lab: OpenLab | null = null;
  afterAll(async () => lab?.close());

  it('paces, takes commands while running, pauses and steps', async () => {
    lab = await openLab(parseLab(LAB, 'pair.lab.yaml'), { processes: 2, trace: true });
    await lab.runner.bootAsync();
    await lab.runner.subscribe(true, true); // trace and counters stream with every window
    const clock = new FakeClock();
    const live = new LiveLab(lab.runner, clock);
    const t0 = lab.runner.now;
    live.play();
    await clock.run(200, live);
    expect(lab.runner.now - t0).toBeGreaterThan(180 * MS);
    const cmd = await live.exec('h1', 'ping -c 2 -i 0.2 10.0.0.2');
    await clock.run(100, live);
    expect(cmd.stdout).toContain('icmp_seq=1 ');
    expect(cmd.exitCode).toBeNull();
    await live.pause();
    const s = await live.step();
    expect(s.now).toBeGreaterThan(0);
    live.play();
    await clock.run(500, live);
    expect(cmd.stdout).toContain('2 received');
    const counters = lab.runner.counters();
    expect(counters.map((c) => c.host)).toEqual(['h1', 'h2']);
    expect(counters[0].devices.find((d) => d.name === 'eth0')!.tx_packets).toBeGreaterThanOrEqual(2);
    expect(lab.runner.trace().some((r) => r.host === 'h2' && r.fn === 'ip_rcv')).toBe(true);
    await live.close();
  });
});
