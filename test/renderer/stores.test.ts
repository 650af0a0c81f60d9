// The Pinia stores against the real request handler and simulator, through
// an in-process bridge (the same code paths as web mode, minus the socket).
import { readFileSync } from 'node:fs';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LabSession, respond } from '../../node/web/handler.js';
import { makeRunner } from '../../node/web/runner.js';
import { setBridge, type Bridge } from '../../renderer/src/bridge/bridge.js';
import { PROTOCOL_VERSION, parseResponseEnvelope, type Request, type ResultOf } from '../../renderer/src/bridge/protocol.js';
import { useChecksStore } from '../../renderer/src/stores/checks.js';
import { useLabStore } from '../../renderer/src/stores/lab.js';
import { MAX_RECORDS, matchesFilter, usePacketStore } from '../../renderer/src/stores/packets.js';
import { useSessionStore } from '../../renderer/src/stores/session.js';
import { useLiveStore } from '../../renderer/src/stores/live.js';

const LAB_PATH = new URL('../../labs/router-chain.lab.yaml', import.meta.url).pathname;

function inProcessBridge(session: LabSession): Bridge {
  let id = 0;
  return {
    kind: 'test',
    async request<T extends Request>(req: T): Promise<ResultOf<T['type']>> {
      // through JSON, as over the wire
      const wire = JSON.parse(JSON.stringify({ v: PROTOCOL_VERSION, id: ++id, req })) as unknown;
      const r = parseResponseEnvelope(JSON.parse(JSON.stringify(await respond(session, wire))));
      if (!r.ok) throw new Error(r.error);
      return r.result as ResultOf<T['type']>;
    },
  };
}

beforeEach(async () => {
  const session = new LabSession(makeRunner);
  await session.openFile(LAB_PATH);
  setBridge(inProcessBridge(session));
  setActivePinia(createPinia());
  await useLabStore().refresh();
});

afterEach(() => useLiveStore().detach());

describe('lab store', () => {
  it('loads the lab clean', () => {
    const lab = useLabStore();
    expect(lab.name).toBe('router-chain');
    expect(lab.hostNames).toEqual(['h1', 'r1', 'h2']);
    expect(lab.lab?.hosts.map((h) => h.kind)).toEqual(['host', 'router', 'host']);
    expect(lab.dirty).toBe(false);
    expect(lab.text).toBe(readFileSync(LAB_PATH, 'utf8'));
  });

  it('edits with undo and redo, tracking dirty', async () => {
    const lab = useLabStore();
    expect(await lab.addNode('router')).toBe('r2');
    await lab.connect('r1', 'r2');
    expect(lab.dirty).toBe(true);
    expect(lab.hostNames).toEqual(['h1', 'r1', 'h2', 'r2']);
    expect(lab.lab?.links).toHaveLength(3);
    await lab.undo();
    expect(lab.lab?.links).toHaveLength(2);
    await lab.undo();
    expect(lab.hostNames).toEqual(['h1', 'r1', 'h2']);
    expect(lab.dirty).toBe(false);
    expect(lab.canUndo).toBe(false);
    await lab.redo();
    await lab.redo();
    expect(lab.lab?.links).toHaveLength(3);
    expect(lab.canRedo).toBe(false);
    await lab.removeNode('r2');
    expect(lab.hostNames).toEqual(['h1', 'r1', 'h2']);
    expect(lab.dirty).toBe(false);
  });

  it('refuses an edit the parser rejects, leaving the lab as it was', async () => {
    const lab = useLabStore();
    await expect(lab.setText('version: 2\n')).rejects.toThrow(/version/);
    expect(lab.hostNames).toEqual(['h1', 'r1', 'h2']);
    expect(lab.canUndo).toBe(false);
  });

  it('marks a running lab as edited since start', async () => {
    const lab = useLabStore();
    await useSessionStore().start();
    await lab.setHost('h1', 2, lab.lab!.hosts[0].exec);
    expect(lab.changedSinceStart).toBe(true);
    await useSessionStore().start();
    expect(lab.changedSinceStart).toBe(false);
  });
});

describe('session and packets', () => {
  it('runs a command and collects its packet path', async () => {
    const session = useSessionStore();
    const packets = usePacketStore();
    await expect(session.run('h1', 'echo hi')).rejects.toThrow('not running');
    await session.start();
    expect(session.running).toBe(true);
    const r = await session.run('h1', 'ping -c 1 10.0.2.2');
    expect(r.stdout).toContain('1 received');
    expect(session.now).toBeGreaterThan(0);
    // a live lab streams its records (pulled here: the test bridge has no push)
    await vi.waitFor(() => expect(packets.rows.some((x) => x.host === 'r1' && x.fn === 'ip_forward')).toBe(true));
    expect(packets.rows.map((x) => x.no)).toEqual(packets.rows.map((_, i) => i + 1));
    packets.filter = 'host:r1 fn:ip_forward';
    expect(packets.visible.length).toBeGreaterThan(0);
    expect(packets.visible.every((x) => x.host === 'r1' && x.fn === 'ip_forward')).toBe(true);
    await session.stop();
    expect(session.running).toBe(false);
  });

  it('keeps at most MAX_RECORDS, counting the dropped', () => {
    const packets = usePacketStore();
    const rec = (i: number) => ({ t: i, host: 'h1', cpu: 0, skb: i, fn: 'ip_rcv' });
    packets.append(Array.from({ length: MAX_RECORDS }, (_, i) => rec(i)));
    packets.append([rec(1), rec(2)], 3);
    expect(packets.rows.length).toBe(MAX_RECORDS);
    expect(packets.dropped).toBe(5);
    expect(packets.rows[packets.rows.length - 1].no).toBe(MAX_RECORDS + 5);
  });

  it('selects a packet by host and skb', () => {
    const packets = usePacketStore();
    const a = { t: 1, host: 'r1', cpu: 0, skb: 3, fn: 'ip_rcv' };
    const b = { t: 2, host: 'h2', cpu: 0, skb: 3, fn: 'ip_rcv' };
    packets.select(a);
    expect(packets.isSelected(a)).toBe(true);
    expect(packets.isSelected(b)).toBe(false);
    packets.select(a);
    expect(packets.selected).toBeNull();
  });

  it('filters on words and fields', () => {
    const r = { t: 1, host: 'r1', cpu: 1, skb: 7, fn: 'ip_forward', info: 'to 10.0.2.2' };
    expect(matchesFilter(r, '')).toBe(true);
    expect(matchesFilter(r, 'forward 10.0.2')).toBe(true);
    expect(matchesFilter(r, 'cpu:1 skb:7')).toBe(true);
    expect(matchesFilter(r, 'host:r')).toBe(false);
  });
});

describe('checks store', () => {
  it('boots the lab and grades every check', async () => {
    const checks = useChecksStore();
    await checks.runAll();
    expect(useSessionStore().running).toBe(true);
    const lab = useLabStore();
    expect(checks.outcomes).toHaveLength(lab.lab!.checks.length);
    expect(checks.outcomes.map((o) => o?.pass)).toEqual([true, true, true, true]);
  });
});
