// The Electron transport with the electron module mocked: requests over
// IPC to the shared handler, live batches pushed by main to its own page
// (credit-based, acknowledged by requests), the preload's typed onBatch
// subscription with its schema check, the renderer's bridge using it as
// the WebSocket bridge uses pushes, and the lab's hosts in utility
// processes. (Security checks: test/electron/security.test.ts; the real
// window: test/e2e/electron.spec.ts where the binary exists.)
import path from 'node:path';
import { createPinia, setActivePinia } from 'pinia';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { APP_PAGE, REPO, electron as m, ipcEvent } from '../electron/electron-mock.js';
import { CREDITS } from '../../node/web/stream.js';
import { setBridge } from '../../renderer/src/bridge/bridge.js';
import { electronBridge } from '../../renderer/src/bridge/electron-bridge.js';
import { PROTOCOL_VERSION, parsePushEnvelope, type LiveBatch, type PreloadApi } from '../../renderer/src/bridge/protocol.js';
import { useLiveStore } from '../../renderer/src/stores/live.js';

vi.mock('electron', async () => (await import('../electron/electron-mock.js')).electronModule());

beforeAll(async () => {
  await import('../../electron/main.js');
  m.ready();
  await vi.waitFor(() => expect(m.windows).toHaveLength(1));
});

const request = (id: number, req: unknown, w = m.windows[0]) => m.handlers.get('stacklab:request')!(ipcEvent(w), { v: 1, id, req }) as Promise<{ ok: boolean; result?: unknown; error?: string }>;
const batches = (w = m.windows[0]) => w.webContents.sent.filter(([ch]) => ch === 'stacklab:batch').map(([, msg]) => parsePushEnvelope(msg).push);

describe('electron main', () => {
  afterAll(async () => void (await request(99, { type: 'stop' })));

  it('answers IPC from its own page through the shared handler', async () => {
    const r = (await request(1, { type: 'getLab' })) as { ok: boolean; result: { lab: { name: string } } };
    expect(r.ok).toBe(true);
    expect(r.result.lab.name).toBe('router-chain');
    expect(await request(2, { type: 'nope' })).toMatchObject({ ok: false });
  });

  it('runs the hosts in utility processes of the bundled host entry', async () => {
    expect(await request(3, { type: 'start' })).toMatchObject({ ok: true, result: { running: true } });
    expect(m.utilities.length).toBeGreaterThanOrEqual(3);
    for (const u of m.utilities) {
      expect(u.modulePath).toBe(path.join(REPO, 'build/electron/host.cjs'));
      expect(u.opts).toMatchObject({ serviceName: expect.stringMatching(/^stacklab host /) });
    }
    const run = (await request(4, { type: 'run', host: 'h1', line: 'ping -c 1 10.0.2.2' })) as { result: { result: { stdout: string } } };
    expect(run.result.result.stdout).toContain('1 received');
  });

  it('pushes live batches to its page, at most CREDITS unacknowledged; acks are requests', async () => {
    const wc = m.windows[0].webContents;
    await request(5, { type: 'speed', speed: 0 });
    await request(6, { type: 'live', op: 'play' });
    await request(7, { type: 'exec', host: 'h1', line: 'ping -c 20 -i 0.05 10.0.2.2', term: 1 });
    await vi.waitFor(() => expect(batches().length).toBe(CREDITS), { timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 200));
    expect(batches().length).toBe(CREDITS); // no credit left until the page acknowledges
    expect(wc.sent.every(([ch, msg]) => ch === 'stacklab:batch' && (msg as { v: number }).v === PROTOCOL_VERSION)).toBe(true);
    expect(await request(8, { type: 'ack', seq: batches().at(-1)!.seq })).toMatchObject({ ok: true });
    await vi.waitFor(() => expect(batches().length).toBeGreaterThan(CREDITS));
    // the output of the ping came in those batches, for terminal 1
    let seen = 0;
    while (!batches().flatMap((b) => b.exits).some(([term]) => term === 1)) {
      const b = batches();
      if (b.length > seen) {
        seen = b.length;
        await request(9, { type: 'ack', seq: b.at(-1)!.seq });
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const text = batches().flatMap((b) => b.term).filter(([term]) => term === 1).map((t) => t[3]).join('');
    expect(text).toContain('20 packets transmitted, 20 received');
  });

  it('pushes nothing to a page that is not ours; a reload starts a fresh stream', async () => {
    const wc = m.windows[0].webContents;
    wc.mainFrame.url = 'https://evil.example/';
    wc.emit('did-finish-load');
    const before = wc.sent.length;
    await request(10, { type: 'live', op: 'step' }).catch(() => {}); // refused: untrusted frame
    await new Promise((r) => setTimeout(r, 100));
    expect(wc.sent.length).toBe(before);
    wc.mainFrame.url = APP_PAGE;
    wc.emit('did-finish-load');
    expect(await request(11, { type: 'live', op: 'step' })).toMatchObject({ ok: true });
    await vi.waitFor(() => expect(wc.sent.length).toBeGreaterThan(before));
    expect(batches().at(-1)!.seq).toBe(1); // the new stream's first batch
  });
});

describe('preload: a typed, schema-checked subscription to pushed batches', () => {
  let api: PreloadApi;
  const batch = (seq: number): LiveBatch => ({ seq, live: { state: 'running', speed: 1, now: seq, windows: 0, behindMs: 0, events: 0, backSteps: 0 }, counters: { records: 0, frames: 0, droppedRecords: 0, droppedPackets: 0, batches: seq }, records: [], packets: [], term: [], exits: [] });
  const fromMain = (msg: unknown) => {
    for (const f of m.rendererListeners.get('stacklab:batch') ?? []) f({}, msg);
  };

  beforeAll(async () => {
    await import('../../electron/preload.js');
    api = m.exposed.get('stacklab') as PreloadApi;
  });

  it('exposes functions only', () => {
    expect(Object.entries(api).map(([k, v]) => [k, typeof v])).toEqual(['request', 'pickOpenPath', 'pickSavePath', 'onMenu', 'onBatch'].map((k) => [k, 'function']));
  });

  it('onBatch gets checked batches until unsubscribed', () => {
    const got: number[] = [];
    const off = api.onBatch((b) => got.push(b.seq));
    fromMain({ v: 1, push: batch(1) });
    fromMain({ v: 1, push: { seq: 2 } }); // no live, counters or arrays: dropped
    fromMain({ v: 2, push: batch(3) }); // another protocol version: dropped
    fromMain('{"v":1}');
    fromMain({ v: 1, push: batch(4) });
    expect(got).toEqual([1, 4]);
    off();
    fromMain({ v: 1, push: batch(5) });
    expect(got).toEqual([1, 4]);
    expect(m.rendererListeners.get('stacklab:batch')).toEqual([]);
  });

  it('the renderer bridge takes pushes from it, as over WebSocket, and acknowledges each', async () => {
    const bridge = electronBridge(api);
    expect(bridge.onPush).toBeTypeOf('function');
    setBridge(bridge);
    setActivePinia(createPinia());
    const live = useLiveStore();
    live.attach();
    fromMain({ v: 1, push: batch(7) });
    await vi.waitFor(() => expect(live.view.now).toBe(7));
    await vi.waitFor(() => expect(m.invoked.some(([ch, env]) => ch === 'stacklab:request' && JSON.stringify(env).includes('"type":"ack","seq":7'))).toBe(true));
    // no pulling when pushed
    expect(m.invoked.some(([, env]) => JSON.stringify(env).includes('"pull"'))).toBe(false);
    live.detach();
  });
});
