// The live lab as the renderer sees it: LiveLab's state (play, pause, speed,
// virtual time), the exact counters, and the batches the server streams.
// Batches are applied once per animation frame and acknowledged after
// (credit-based back-pressure: the server sends at most a few unacknowledged
// batches). Both transports push (WebSocket in web mode, the preload's
// onBatch in Electron); a bridge without push makes the store pull instead.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { useBridge } from '../bridge/bridge.js';
import type { LiveBatch, LiveCounters, LiveOp, LiveView, TraceRecord } from '../bridge/protocol.js';
import { flights } from '../graph/flights.js';
import { useFramesStore } from './frames.js';
import { usePacketStore } from './packets.js';
import { useSessionStore } from './session.js';
import { useUiStore } from './ui.js';

/** The speeds offered (0: as fast as possible). */
export const SPEEDS = [
  { label: '1x', value: 1 },
  { label: '0.1x', value: 0.1 },
  { label: '0.01x', value: 0.01 },
  { label: 'max', value: 0 },
] as const;

export interface TermSink {
  output(cmd: number, stream: 1 | 2, text: string): void;
  exit(cmd: number, code: number): void;
}

/** Wall ms of batch work per display frame before the rest waits a frame. */
const FRAME_BUDGET_MS = 8;

const EMPTY: LiveCounters = { records: 0, frames: 0, droppedRecords: 0, droppedPackets: 0, batches: 0 };

/** Run fn before the next paint (a timer outside the browser). */
function nextFrame(fn: () => void): void {
  const raf = (globalThis as { requestAnimationFrame?: (f: () => void) => number }).requestAnimationFrame;
  // a hidden page gets no animation frames: apply (and acknowledge) anyway
  const hidden = (globalThis as { document?: { hidden?: boolean } }).document?.hidden;
  if (raf && !hidden) raf(fn);
  else setTimeout(fn, 0);
}

export const useLiveStore = defineStore('live', () => {
  const view = ref<LiveView>({ state: 'closed', speed: 1, now: 0, windows: 0, behindMs: 0, events: 0, backSteps: 0 });
  const counters = shallowRef<LiveCounters>(EMPTY);
  const progress = ref<LiveBatch['progress'] | null>(null);
  /** Kernel events per wall second (smoothed). */
  const eventRate = ref(0);
  /** Batches applied, and the wall ms the last apply took. */
  const applied = ref(0);
  const applyMs = ref(0);
  /** Sampled records and packet rows that reached this page since it loaded. */
  let recordsReceived = 0;
  let framesReceived = 0;
  const attached = ref(false);
  const terms = new Map<number, TermSink>();
  /** Output for terminals not registered yet (their exec reply comes after). */
  const early = new Map<number, LiveBatch['term']>();
  let queue: LiveBatch[] = [];
  let scheduled = false;
  let pushMode = false;
  let pulling = false;
  let lastRate: { wall: number; events: number } | null = null;

  const sampled = computed(() => counters.value.droppedRecords + counters.value.droppedPackets);
  const playing = computed(() => view.value.state === 'running');
  /** Hosts whose process died or hung: host -> why. */
  const down = computed(() => new Map((view.value.down ?? []).map((d) => [d.host, d.message])));

  function receive(b: LiveBatch): void {
    queue.push(b);
    if (!scheduled) {
      scheduled = true;
      nextFrame(flush);
    }
  }

  /** Apply waiting batches for at most FRAME_BUDGET_MS (always one), then
   * acknowledge the last applied; the rest wait for the next frame, so
   * several batches arriving together never make one long task. The
   * server sends more only as acks come back, so the queue stays short. */
  function flush(): void {
    scheduled = false;
    if (!queue.length) return;
    const t0 = performance.now();
    let last: LiveBatch | undefined;
    while (queue.length && (!last || performance.now() - t0 < FRAME_BUDGET_MS)) apply((last = queue.shift()!));
    applyMs.value = performance.now() - t0;
    if (pushMode && last) void useBridge().request({ type: 'ack', seq: last.seq }).catch(() => {});
    if (queue.length) {
      scheduled = true;
      nextFrame(flush);
    }
  }

  function apply(b: LiveBatch): void {
    const packets = usePacketStore();
    const frames = useFramesStore();
    if (b.rewind) {
      frames.rewind(b.rewind.frames);
      packets.rewind(b.rewind.now);
      flights.clear();
    }
    if (b.records.length) {
      packets.append(b.records);
      flights.add(b.records, b.packets, view.value.speed);
    }
    if (b.packets.length) frames.append(b.packets);
    recordsReceived += b.records.length;
    framesReceived += b.packets.length;
    for (const [term, cmd, stream, text] of b.term) {
      const sink = terms.get(term);
      if (sink) sink.output(cmd, stream, text);
      else {
        let e = early.get(term);
        if (!e) {
          // output for terminals of other windows is not kept for long
          if (early.size >= 32) early.delete(early.keys().next().value as number);
          early.set(term, (e = []));
        }
        if (e.length < 256) e.push([term, cmd, stream, text]);
      }
    }
    for (const [term, cmd, code] of b.exits) terms.get(term)?.exit(cmd, code);
    const wall = performance.now();
    if (lastRate && wall - lastRate.wall > 250) {
      const r = ((b.live.events - lastRate.events) * 1000) / (wall - lastRate.wall);
      eventRate.value = eventRate.value ? 0.6 * eventRate.value + 0.4 * Math.max(0, r) : Math.max(0, r);
      lastRate = { wall, events: b.live.events };
    } else if (!lastRate) lastRate = { wall, events: b.live.events };
    if (b.live.state !== 'running' && lastRate && wall - lastRate.wall > 1000) eventRate.value = 0;
    for (const n of b.notices ?? []) useUiStore().say(n.text, n.level === 'error');
    view.value = b.live;
    counters.value = b.counters;
    progress.value = b.progress && b.progress.done < b.progress.total ? b.progress : null;
    useSessionStore().now = b.live.now;
    applied.value++;
  }

  // Listen from the start: a batch that comes while detached (before Start,
  // a lab being replaced) is acknowledged unread, so credits never run out.
  const bridge = useBridge();
  if (bridge.onPush) {
    pushMode = true;
    bridge.onPush((b) => (attached.value ? receive(b) : void bridge.request({ type: 'ack', seq: b.seq }).catch(() => {})));
  }

  /** Start receiving batches (from Start, or a page opened on a running lab). */
  function attach(): void {
    if (attached.value) return;
    attached.value = true;
    if (!pushMode) void pullLoop();
  }

  async function pullLoop(): Promise<void> {
    if (pulling) return;
    pulling = true;
    try {
      while (attached.value) {
        const r = await useBridge().request({ type: 'pull' });
        if (r.batch) receive(r.batch);
        await new Promise((res) => setTimeout(res, r.batch ? 16 : 50));
      }
    } catch {
      attached.value = false;
    } finally {
      pulling = false;
    }
  }

  function detach(): void {
    attached.value = false;
    view.value = { ...view.value, state: 'closed' };
    counters.value = EMPTY;
    progress.value = null;
    eventRate.value = 0;
    lastRate = null;
    flights.clear();
  }

  async function control(op: LiveOp, host?: string, skb?: number): Promise<void> {
    const r = await useBridge().request({ type: 'live', op, ...(host !== undefined ? { host, skb } : {}) });
    view.value = r.live;
    useSessionStore().apply(r);
  }

  const play = () => control('play');
  const pause = () => control('pause');
  const step = () => control('step');
  const stepBack = () => control('stepBack');
  const stepPacket = (host: string, skb: number) => control('stepPacket', host, skb);
  const toggle = () => (playing.value ? pause() : play());

  /** Start a down host's process again from the lab. */
  async function restartHost(host: string): Promise<void> {
    const r = await useBridge().request({ type: 'restartHost', host });
    view.value = r.live;
    useSessionStore().apply(r);
  }

  async function setSpeed(speed: number): Promise<void> {
    const r = await useBridge().request({ type: 'speed', speed });
    view.value = r.live;
  }

  // ---- terminals

  function registerTerm(term: number, sink: TermSink): () => void {
    terms.set(term, sink);
    for (const [, cmd, stream, text] of early.get(term) ?? []) sink.output(cmd, stream, text);
    early.delete(term);
    return () => terms.delete(term);
  }

  async function exec(host: string, line: string, term: number): Promise<number> {
    const r = await useBridge().request({ type: 'exec', host, line, term });
    return r.cmd;
  }

  async function input(cmd: number, text: string | null): Promise<void> {
    await useBridge().request({ type: 'input', cmd, text });
  }

  async function interrupt(cmd: number): Promise<void> {
    await useBridge().request({ type: 'interrupt', cmd });
  }

  /** What has reached the page (window.__stacklab). */
  const received = () => ({ records: recordsReceived, frames: framesReceived });

  return {
    received,
    view, counters, progress, eventRate, applied, applyMs, attached, sampled, playing, down,
    receive, flush, attach, detach, play, pause, step, stepBack, stepPacket, toggle, setSpeed, restartHost,
    registerTerm, exec, input, interrupt,
  };
});

export type { TraceRecord };
