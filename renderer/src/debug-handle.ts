// window.__stacklab in web mode: a read-only view of the live lab for
// end-to-end tests and the renderer bench (bench/renderer.ts), so they need
// not scrape the page or patch WebSocket. Getters only, on a frozen object
// that cannot be replaced: nothing here changes the app's state.
import type { useLiveStore } from './stores/live.js';

export interface StackLabHandle {
  /** 'running' while the lab plays, 'paused', or 'closed' (not started). */
  readonly state: 'running' | 'paused' | 'closed';
  /** Virtual time, ns. */
  readonly virtualTime: number;
  /** Kernel events run, all hosts (exact). */
  readonly events: number;
  /** Trace records and captured frames since Start (exact, counted by the server). */
  readonly records: number;
  readonly frames: number;
  /** Sampled records and packet rows that reached this page since it loaded. */
  readonly recordsReceived: number;
  readonly framesReceived: number;
  /** Records and rows the server left out of batches under load. */
  readonly sampledEvents: number;
  /** Batches applied since the page loaded, and the wall ms the last apply took. */
  readonly batches: number;
  readonly lastApplyMs: number;
  /** Hosts whose process is down. */
  readonly hostsDown: readonly string[];
}

export function exposeHandle(target: object, live: ReturnType<typeof useLiveStore>): StackLabHandle {
  const get = (f: () => unknown): PropertyDescriptor => ({ get: f, enumerable: true });
  const handle = Object.freeze(
    Object.create(null, {
      state: get(() => live.view.state),
      virtualTime: get(() => live.view.now),
      events: get(() => live.view.events),
      records: get(() => live.counters.records),
      frames: get(() => live.counters.frames),
      recordsReceived: get(() => live.received().records),
      framesReceived: get(() => live.received().frames),
      sampledEvents: get(() => live.sampled),
      batches: get(() => live.applied),
      lastApplyMs: get(() => live.applyMs),
      hostsDown: get(() => Object.freeze([...live.down.keys()])),
    }) as StackLabHandle,
  );
  Object.defineProperty(target, '__stacklab', { value: handle, writable: false, configurable: false, enumerable: false });
  return handle;
}
