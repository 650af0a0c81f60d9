// A host process that dies while the lab runs, as the app sees it: the
// host goes down with a message saying why (pushed to every renderer), the
// command running there ends with status 137, the other hosts run on, the
// internals panel says the host is down, and the user brings it back by
// restarting it from the lab or by stepping back (the run replayed, every
// host up again). The server never goes down with it.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { LabSession } from '../../node/web/handler.js';
import { hostProcesses } from '../../node/web/runner.js';
import type { LiveBatch } from '../../renderer/src/bridge/protocol.js';

const LAB_PATH = new URL('../../labs/router-chain.lab.yaml', import.meta.url).pathname;
const processes = hostProcesses();
afterAll(() => processes.close?.());

describe('a host process dies under the running lab', () => {
  it('marks the host down with a message; restart and step back bring it back', async () => {
    const session = new LabSession(processes);
    const batches: LiveBatch[] = [];
    const stream = session.openStream((b) => {
      batches.push(b);
      queueMicrotask(() => stream.ack(b.seq));
    });
    await session.openFile(LAB_PATH);
    await session.handle({ type: 'start' });
    try {
      const procs = session.processStatus();
      expect(procs.map((p) => p.hosts)).toEqual([['h1'], ['r1'], ['h2']]);
      expect(procs.every((p) => p.pid !== process.pid && p.state === 'up')).toBe(true);
      await session.handle({ type: 'speed', speed: 0 });
      await session.handle({ type: 'live', op: 'play' });
      // a listener on h2 that runs until its host goes away
      const nc = (await session.handle({ type: 'exec', host: 'h2', line: 'nc -u -l 5000', term: 3 })).cmd;
      const ping = await session.handle({ type: 'run', host: 'h1', line: 'ping -c 1 10.0.2.2' });
      expect(ping.result.stdout).toContain('1 received');

      process.kill(procs[2].pid!, 'SIGKILL');
      await vi.waitFor(() => expect(session.liveView().down?.map((d) => d.host)).toEqual(['h2']), { timeout: 10_000 });
      const notice = () => batches.flatMap((b) => b.notices ?? []).map((n) => n.text).join('\n');
      await vi.waitFor(() => expect(notice()).toMatch(/^h2 is down: host process of h2 died \(killed by SIGKILL\)\. Restart it/m));
      expect(session.liveView().down![0].message).toBe('host process of h2 died (killed by SIGKILL)');
      // its command ended as killed, saying why
      await vi.waitFor(() => expect(batches.flatMap((b) => b.exits)).toContainEqual([3, nc, 137]));
      expect(batches.flatMap((b) => b.term).filter((t) => t[1] === nc).map((t) => t[3]).join('')).toContain('stacklab: host process of h2 died (killed by SIGKILL)');
      // the others run on; h2 answers nothing and says it is down
      expect((await session.handle({ type: 'run', host: 'h1', line: 'ping -c 1 10.0.1.1' })).result.stdout).toContain('1 received');
      expect((await session.handle({ type: 'run', host: 'h1', line: 'ping -c 1 -W 1 10.0.2.2' })).result.stdout).toContain('0 received');
      expect((await session.handle({ type: 'run', host: 'h2', line: 'echo hi' })).result).toMatchObject({ exit: 126, stderr: 'h2: host is down\n' });
      await expect(session.handle({ type: 'snapshot', host: 'h2' })).rejects.toThrow(/^h2 is down: host process of h2 died/);
      expect((await session.handle({ type: 'snapshot', host: 'r1' })).host).toBe('r1');

      // restart: a new process, h2 booted from the lab again, reachable
      const r = await session.handle({ type: 'restartHost', host: 'h2' });
      expect(r.live.down).toBeUndefined();
      expect(session.processStatus()[2].pid).not.toBe(procs[2].pid);
      await vi.waitFor(() => expect(notice()).toMatch(/h2 restarted from the lab at [\d.]+ s; state since boot/));
      expect((await session.handle({ type: 'run', host: 'h1', line: 'ping -c 1 10.0.2.2' })).result.stdout).toContain('1 received');
      await expect(session.handle({ type: 'restartHost', host: 'h2' })).rejects.toThrow('h2 is not down');

      // down again, then step back: the run is rebuilt with every host up
      await session.handle({ type: 'live', op: 'pause' });
      await session.handle({ type: 'live', op: 'step' });
      process.kill(session.processStatus()[2].pid!, 'SIGKILL');
      await vi.waitFor(() => expect(session.liveView().down?.map((d) => d.host)).toEqual(['h2']), { timeout: 10_000 });
      const back = await session.handle({ type: 'live', op: 'stepBack' });
      expect(back.live.down).toBeUndefined();
      expect(session.processStatus().every((p) => p.state === 'up')).toBe(true);
      expect((await session.handle({ type: 'run', host: 'h1', line: 'ping -c 1 10.0.2.2' })).result.stdout).toContain('1 received');
    } finally {
      session.closeStream(stream);
      await session.close();
    }
  }, 60_000);
});
