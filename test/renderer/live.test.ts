// The live lab through the bridge (issue #6): the credit-based batch
// stream, the protocol's new messages, packet flights, and the stores
// against the real request handler and simulator (pull mode: the in-process
// bridge has no push), from typing a ping to its packets' kernel paths,
// internals and knobs, stepping and stepping back.
import { createPinia, setActivePinia } from 'pinia';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LabSession, respond } from '../../node/web/handler.js';
import { hostProcesses, makeRunner } from '../../node/web/runner.js';
import { BatchStream, CREDITS, MAX_BATCH_RECORDS, type Timers } from '../../node/web/stream.js';
import { setBridge, type Bridge } from '../../renderer/src/bridge/bridge.js';
import { PROTOCOL_VERSION, ProtocolError, parsePushEnvelope, parseRequest, parseResponseEnvelope, type LiveBatch, type LiveView, type Request, type ResultOf, type TraceRecord } from '../../renderer/src/bridge/protocol.js';
import { Flights, MAX_FLIGHTS } from '../../renderer/src/graph/flights.js';
import { rowMatches, useFramesStore } from '../../renderer/src/stores/frames.js';
import { metrics, useInternalsStore } from '../../renderer/src/stores/internals.js';
import { useLabStore } from '../../renderer/src/stores/lab.js';
import { useLiveStore } from '../../renderer/src/stores/live.js';
import { useSessionStore } from '../../renderer/src/stores/session.js';

const LAB_PATH = new URL('../../labs/router-chain.lab.yaml', import.meta.url).pathname;
const VIEW: LiveView = { state: 'running', speed: 1, now: 0, windows: 0, behindMs: 0, events: 0, backSteps: 0 };
const rec = (i: number, fn = 'ip_rcv'): TraceRecord => ({ t: i, host: 'h1', cpu: 0, skb: i, fn });

/** Timers the test fires by hand. */
class ManualTimers implements Timers {
  fns: (() => void)[] = [];
  after(_ms: number, fn: () => void): () => void {
    this.fns.push(fn);
    return () => (this.fns = this.fns.filter((f) => f !== fn));
  }
  fire(): void {
    const fs = this.fns;
    this.fns = [];
    for (const f of fs) f();
  }
}

describe('batch stream (credit-based back-pressure)', () => {
  it('sends at most CREDITS unacknowledged batches; counters stay exact, sampled records are counted', () => {
    const sent: LiveBatch[] = [];
    const timers = new ManualTimers();
    const s = new BatchStream((b) => sent.push(b), () => VIEW, timers);
    for (let k = 0; k < 10; k++) {
      s.addRecords(Array.from({ length: 500 }, (_, i) => rec(k * 500 + i)));
      s.output(1, 7, 1, `line ${k}\n`);
      timers.fire();
    }
    expect(sent).toHaveLength(CREDITS);
    // nobody acknowledged: later records were cut to the newest, terminal text kept whole
    s.ack(sent[sent.length - 1].seq);
    timers.fire();
    const last = sent[sent.length - 1];
    expect(last.records.length).toBeLessThanOrEqual(MAX_BATCH_RECORDS);
    expect(last.records[last.records.length - 1].t).toBe(4999);
    expect(last.counters.records).toBe(5000);
    const shipped = sent.reduce((n, b) => n + b.records.length, 0);
    expect(shipped + last.counters.droppedRecords).toBe(5000);
    expect(sent.flatMap((b) => b.term.map((t) => t[3])).join('')).toBe(Array.from({ length: 10 }, (_, k) => `line ${k}\n`).join(''));
  });

  it('a rewind drops stale rows and resets the frame count', () => {
    const sent: LiveBatch[] = [];
    const timers = new ManualTimers();
    const s = new BatchStream((b) => sent.push(b), () => VIEW, timers);
    const row = (no: number) => ({ no, t: no, host: 'h1', dev: 'eth0', dir: 'out' as const, skb: no, fn: 'net_dev_xmit', src: '', dst: '', proto: 'ICMP', len: 98, info: '' });
    s.addPackets([row(1), row(2), row(3)], 3);
    s.setRewind({ frames: 1, now: 5 });
    expect(sent[0].packets.map((r) => r.no)).toEqual([1]);
    expect(sent[0].rewind).toEqual({ frames: 1, now: 5 });
    expect(sent[0].counters.frames).toBe(1);
  });

  it('pull mode acknowledges by asking', () => {
    const s = new BatchStream(null, () => VIEW, new ManualTimers());
    for (let i = 0; i < 5; i++) {
      s.addRecords([rec(i)]);
      expect(s.pull()?.records).toEqual([rec(i)]);
    }
    expect(s.pull()).toBeNull();
  });
});

describe('protocol: live messages', () => {
  it('parses the new requests and rejects malformed ones', () => {
    expect(parseRequest({ type: 'live', op: 'stepPacket', host: 'r1', skb: 3 })).toEqual({ type: 'live', op: 'stepPacket', host: 'r1', skb: 3 });
    expect(parseRequest({ type: 'speed', speed: 0.01 })).toEqual({ type: 'speed', speed: 0.01 });
    expect(parseRequest({ type: 'input', cmd: 2, text: null })).toEqual({ type: 'input', cmd: 2, text: null });
    expect(parseRequest({ type: 'export', format: 'pcapng', perHook: true, host: 'h1' })).toMatchObject({ perHook: true, host: 'h1' });
    expect(() => parseRequest({ type: 'live', op: 'rewind' })).toThrow(ProtocolError);
    expect(() => parseRequest({ type: 'live', op: 'stepPacket', host: 'r1' })).toThrow(/needs 'host' and 'skb'/);
    expect(() => parseRequest({ type: 'speed', speed: -1 })).toThrow(ProtocolError);
    expect(() => parseRequest({ type: 'exec', host: 'h1', line: 'x', term: 1.5 })).toThrow(/integer/);
    expect(() => parseRequest({ type: 'ack', seq: 1, extra: 1 })).toThrow(/unexpected field/);
    expect(() => parseRequest({ type: 'export', format: 'pdf', perHook: false })).toThrow(/pcap or pcapng/);
  });

  it('validates pushed batches', () => {
    const b: LiveBatch = { seq: 1, live: VIEW, counters: { records: 0, frames: 0, droppedRecords: 0, droppedPackets: 0, batches: 1 }, records: [], packets: [], term: [], exits: [] };
    expect(parsePushEnvelope({ v: 1, push: b }).push.seq).toBe(1);
    expect(() => parsePushEnvelope({ v: 1, push: { seq: 1 } })).toThrow(ProtocolError);
    expect(() => parsePushEnvelope({ v: 2, push: b })).toThrow(/version/);
  });
});

describe('flights', () => {
  it('flies frames sent on a link to its peer, a bounded number at once', () => {
    const f = new Flights();
    let now = 1000;
    f.now = () => now;
    f.setLab({ name: 'x', description: '', seed: 1, hosts: [], checks: [], warnings: [], links: [{ a: { host: 'h1', ifname: 'eth0' }, b: { host: 'r1', ifname: 'eth0' }, delayNs: 0, rateBps: 0, lossPct: 0 }] });
    const xmit = (i: number): TraceRecord => ({ t: i, host: 'h1', cpu: 0, skb: i, fn: 'net_dev_xmit', info: 'dev=eth0 len=98 rc=0' });
    f.add([xmit(1), { ...xmit(2), info: 'dev=eth9 len=1' }, rec(3)], [{ no: 1, t: 1, host: 'h1', dev: 'eth0', dir: 'out', skb: 1, fn: 'net_dev_xmit', src: '', dst: '', proto: 'ICMP', len: 98, info: '' }], 1);
    expect(f.size).toBe(1);
    expect(f.active()[0].f).toMatchObject({ from: 'h1', to: 'r1', proto: 'ICMP' });
    f.add(Array.from({ length: 100 }, (_, i) => xmit(10 + i)), [], 0);
    expect(f.size).toBe(MAX_FLIGHTS);
    expect(f.skipped).toBe(100 - (MAX_FLIGHTS - 1));
    now += 5000;
    expect(f.active()).toEqual([]);
  });
});

function inProcessBridge(session: LabSession): Bridge {
  let id = 0;
  return {
    kind: 'test',
    async request<T extends Request>(req: T): Promise<ResultOf<T['type']>> {
      const wire = JSON.parse(JSON.stringify({ v: PROTOCOL_VERSION, id: ++id, req })) as unknown;
      const r = parseResponseEnvelope(JSON.parse(JSON.stringify(await respond(session, wire))));
      if (!r.ok) throw new Error(r.error);
      return r.result as ResultOf<T['type']>;
    },
  };
}

// Inline (the tests' fallback) and with every host in a child process, as
// the app runs them: the same answers.
const processes = hostProcesses();
afterAll(() => processes.close?.());

describe.each([
  ['inline', makeRunner],
  ['host processes', processes],
])('the live lab through the stores (%s)', (_how, runner) => {
  let session: LabSession;
  beforeEach(async () => {
    session = new LabSession(runner);
    await session.openFile(LAB_PATH);
    setBridge(inProcessBridge(session));
    setActivePinia(createPinia());
    await useLabStore().refresh();
  });
  afterEach(async () => {
    useLiveStore().detach();
    await session.handle({ type: 'stop' });
  });

  /** Type a line into terminal 1 of a host and collect what it prints until it exits. */
  async function type(host: string, line: string): Promise<{ out: string; code: number }> {
    const live = useLiveStore();
    let out = '';
    let done!: (c: number) => void;
    const exited = new Promise<number>((r) => (done = r));
    const off = live.registerTerm(1, { output: (_c, _s, t) => (out += t), exit: (_c, code) => done(code) });
    await live.exec(host, line, 1);
    const code = await exited;
    off();
    return { out, code };
  }

  it('runs a typed ping at the current virtual time; its packets decode and show their kernel path', async () => {
    const s = useSessionStore();
    const live = useLiveStore();
    const frames = useFramesStore();
    await s.start();
    await live.setSpeed(0);
    await live.play();
    const { out, code } = await type('h1', 'ping -c 1 10.0.2.2');
    expect(code).toBe(0);
    expect(out).toMatch(/64 bytes from 10\.0\.2\.2: icmp_seq=1 ttl=63/);
    await vi.waitFor(() => expect(frames.rows.filter((r) => r.proto === 'ICMP')).toHaveLength(8));
    // h1 out, r1 in and out, h2 in; and the reply back
    const req = frames.rows.filter((r) => r.proto === 'ICMP' && r.info.startsWith('echo request')).map((r) => `${r.host} ${r.dev} ${r.dir}`);
    expect(req).toEqual(['h1 eth0 out', 'r1 eth0 in', 'r1 eth1 out', 'h2 eth0 in']);
    expect(frames.rows.map((r) => r.no)).toEqual(frames.rows.map((_, i) => i + 1));
    expect(frames.rows.filter((r) => rowMatches(r, 'host:r1 proto:icmp')).length).toBe(4);
    const fwd = frames.rows.find((r) => r.host === 'r1' && r.dir === 'in' && r.proto === 'ICMP')!;
    await frames.select(fwd.no);
    const d = frames.detail!;
    expect(d.tree.map((n) => n.label.split(',')[0])).toEqual(['Frame: 98 bytes on wire', 'Ethernet II', 'Internet Protocol Version 4', 'Internet Control Message Protocol', 'Data (56 bytes)']);
    expect(d.tree[3].children!.map((c) => c.label)).toContain('Type: 8 (Echo (ping) request)');
    const fns = d.path.map((p) => p.fn);
    expect(fns.slice(0, 4)).toEqual(['nic_rx_dma', 'stlnic_clean_rx_irq', 'netif_receive_skb', 'ip_rcv']);
    expect(fns).toContain('ip_forward');
    expect(d.drop).toBeNull();
    // the sk_buff: eth_type_trans pulls the 14-byte Ethernet header, the driver pushes it back on output
    const at = (fn: string) => d.path.find((p) => p.fn === fn)!.layout!;
    expect(at('netif_receive_skb').data - at('nic_rx_dma').data).toBe(14);
    expect(at('netif_receive_skb').mac).toBe(at('nic_rx_dma').data);
    expect(at('ip_rcv').network).toBe(at('ip_rcv').data);
    expect(at('net_dev_xmit').data).toBe(at('ip_rcv').data - 14);
    expect(d.hex.length).toBe(98 * 2);
    await live.pause();
    expect(live.view.state).toBe('paused');
    expect(session.liveView().state).toBe('paused');
  });

  it('snapshots host internals; a knob edit runs its command in the host', async () => {
    const s = useSessionStore();
    await s.start();
    const st = useInternalsStore();
    st.show('r1');
    await st.refresh();
    const snap = st.snap!;
    expect(snap.cpus).toHaveLength(2);
    expect(snap.devices.filter((d) => d.nic).map((d) => [d.name, d.nic!.rxRing])).toEqual([['eth0', 256], ['eth1', 256]]);
    expect(snap.irqs.map((i) => i.name)).toEqual(['eth0-TxRx-0', 'eth1-TxRx-0']);
    expect(snap.sysctls.find((x) => x.name === 'net.ipv4.ip_forward')?.value).toBe('1');
    expect(metrics(snap)).toHaveProperty(['eth0 q0 rx ring used'], 0);
    const r = await s.run('r1', 'ethtool -G eth0 rx 512');
    expect(r.exit).toBe(0);
    await s.run('r1', 'sysctl -w net.core.netdev_budget=64');
    await st.refresh();
    expect(st.snap!.devices.find((d) => d.name === 'eth0')!.nic!.rxRing).toBe(512);
    expect(st.snap!.sysctls.find((x) => x.name === 'net.core.netdev_budget')?.value).toBe('64');
    // traffic moves r1's counters
    const before = st.snap!.softnet.reduce((n, x) => n + x.processed, 0);
    expect((await s.run('h1', 'ping -c 1 10.0.2.2')).stdout).toContain('1 received');
    await st.refresh();
    expect(st.snap!.softnet.reduce((n, x) => n + x.processed, 0)).toBeGreaterThan(before);
    expect(st.snap!.outstanding).toBe(0);
  });

  it('steps, steps a packet, and steps back to the same state by replaying the run', async () => {
    const s = useSessionStore();
    const live = useLiveStore();
    const frames = useFramesStore();
    await s.start();
    // paused: the command starts at the current time; time passes only by steps
    const cmd = await live.exec('h1', 'ping -c 2 -i 0.5 10.0.2.2', 2);
    expect(cmd).toBeGreaterThan(0);
    const times: number[] = [];
    for (let i = 0; i < 6; i++) {
      await live.step();
      times.push(live.view.now);
    }
    expect(new Set(times).size).toBe(6);
    await vi.waitFor(() => expect(live.counters.frames).toBeGreaterThan(0));
    const framesAt5 = (await session.handle({ type: 'pull' })) && live.counters.frames;
    await live.stepBack();
    expect(live.view.now).toBe(times[4]);
    await live.step();
    expect(live.view.now).toBe(times[5]);
    // the replayed run captured the same frames
    await vi.waitFor(() => expect(live.counters.frames).toBe(framesAt5));
    const last = frames.rows[frames.rows.length - 1];
    await live.stepPacket(last.host, last.skb);
    expect(live.view.now).toBeGreaterThan(times[5]);
  });

  it('exports pcap per interface and pcapng per hook', async () => {
    await useSessionStore().start();
    await useSessionStore().run('h1', 'ping -c 1 10.0.2.2');
    const pcap = await session.handle({ type: 'export', format: 'pcap', perHook: false });
    expect(pcap.files.map((f) => f.name).sort()).toEqual(['h1-eth0.pcap', 'h2-eth0.pcap', 'r1-eth0.pcap', 'r1-eth1.pcap']);
    const h1 = Buffer.from(pcap.files.find((f) => f.name === 'h1-eth0.pcap')!.base64, 'base64');
    expect([0xa1b2c3d4, 0xa1b23c4d]).toContain(h1.readUInt32LE(0)); // pcap, host byte order
    const ng = await session.handle({ type: 'export', format: 'pcapng', perHook: true, host: 'r1' });
    expect(ng.files).toHaveLength(1);
    expect(ng.files[0].name).toBe('router-chain-r1-hooks.pcapng');
    expect(ng.files[0].frames).toBeGreaterThan(10);
  });
});

describe('a host down, as the stores show it', () => {
  it('restartHost is a request; a batch with notices and down hosts reaches the status line and the store', async () => {
    expect(parseRequest({ type: 'restartHost', host: 'h2' })).toEqual({ type: 'restartHost', host: 'h2' });
    expect(() => parseRequest({ type: 'restartHost' })).toThrow(ProtocolError);
    const asked: Request[] = [];
    setBridge({
      kind: 'test',
      async request<T extends Request>(req: T): Promise<ResultOf<T['type']>> {
        asked.push(req);
        return { running: true, now: 5, live: { ...VIEW, now: 5 } } as unknown as ResultOf<T['type']>;
      },
    });
    setActivePinia(createPinia());
    const live = useLiveStore();
    live.attach();
    const down = { ...VIEW, down: [{ host: 'h2', message: 'host process of h2 died (killed by SIGKILL)' }] };
    live.receive({ seq: 1, live: down, counters: { records: 0, frames: 0, droppedRecords: 0, droppedPackets: 0, batches: 1 }, records: [], packets: [], term: [], exits: [], notices: [{ level: 'error', text: 'h2 is down: host process of h2 died (killed by SIGKILL).' }] });
    live.flush();
    expect([...live.down]).toEqual([['h2', 'host process of h2 died (killed by SIGKILL)']]);
    const { useUiStore } = await import('../../renderer/src/stores/ui.js');
    expect(useUiStore()).toMatchObject({ message: 'h2 is down: host process of h2 died (killed by SIGKILL).', error: true });
    await live.restartHost('h2');
    expect(asked.at(-1)).toEqual({ type: 'restartHost', host: 'h2' });
    expect(live.down.size).toBe(0);
    live.detach();
  });
});

describe('window.__stacklab (web mode)', () => {
  it('reads the live counters, and cannot be replaced or written', async () => {
    const { exposeHandle } = await import('../../renderer/src/debug-handle.js');
    setBridge({ kind: 'test', request: async () => ({}) as never });
    setActivePinia(createPinia());
    const live = useLiveStore();
    live.attach();
    const win: Record<string, unknown> = {};
    const h = exposeHandle(win, live);
    expect(win.__stacklab).toBe(h);
    live.receive({ seq: 1, live: { ...VIEW, now: 42, events: 9 }, counters: { records: 3, frames: 1, droppedRecords: 2, droppedPackets: 0, batches: 1 }, records: [rec(1)], packets: [], term: [], exits: [] });
    live.flush();
    expect({ ...h }).toMatchObject({ state: 'running', virtualTime: 42, events: 9, records: 3, frames: 1, recordsReceived: 1, framesReceived: 0, sampledEvents: 2, batches: 1, hostsDown: [] });
    expect(() => ((h as { state: string }).state = 'paused')).toThrow(TypeError);
    expect(() => (win.__stacklab = {})).toThrow(TypeError);
    expect(h.state).toBe('running');
    live.detach();
  });
});

describe('applying pushed batches', () => {
  it('spends at most a frame budget per task: batches that arrive together are applied one frame after another, each acknowledged', () => {
    const acks: number[] = [];
    let push: ((b: LiveBatch) => void) | null = null;
    setBridge({
      kind: 'test',
      onPush: (cb: (b: LiveBatch) => void) => void (push = cb),
      request: async (req: Request) => {
        if (req.type === 'ack') acks.push(req.seq);
        return {} as never;
      },
    } as unknown as Bridge);
    setActivePinia(createPinia());
    const live = useLiveStore();
    live.attach();
    // every batch takes longer than the budget (a clock that moves 20 ms per look)
    let clock = 0;
    const now = vi.spyOn(performance, 'now').mockImplementation(() => (clock += 20));
    try {
      for (let seq = 1; seq <= 3; seq++) push!({ seq, live: { ...VIEW, now: seq }, counters: { records: seq, frames: 0, droppedRecords: 0, droppedPackets: 0, batches: seq }, records: [rec(seq)], packets: [], term: [], exits: [] });
      live.flush();
      expect(acks).toEqual([1]);
      expect(live.view.now).toBe(1);
      live.flush();
      live.flush();
      expect(acks).toEqual([1, 2, 3]);
      expect(live.view.now).toBe(3);
    } finally {
      now.mockRestore();
      live.detach();
    }
  });
});
