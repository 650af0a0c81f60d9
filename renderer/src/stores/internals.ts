// The internals panel's data: snapshots of one host's kernel objects
// (core/host/snapshot.ts via the `snapshot` request), polled while the panel
// shows, and the time series of the counters chosen for the plots.
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { useBridge } from '../bridge/bridge.js';
import type { HostInternals } from '../bridge/protocol.js';

/** Points kept per series. */
export const MAX_POINTS = 600;

/** Every plottable number of a snapshot, by a stable name. */
export function metrics(s: HostInternals): Record<string, number> {
  const m: Record<string, number> = {};
  for (const c of s.cpus) {
    m[`cpu${c.id} hardirq ns`] = c.irq;
    m[`cpu${c.id} softirq ns`] = c.softirq;
    m[`cpu${c.id} NET_RX softirqs`] = c.netRx;
    m[`cpu${c.id} NET_TX softirqs`] = c.netTx;
    m[`cpu${c.id} ksoftirqd wakeups`] = c.ksoftirqdWakeups;
  }
  for (const sd of s.softnet) {
    m[`softnet cpu${sd.cpu} processed`] = sd.processed;
    m[`softnet cpu${sd.cpu} dropped`] = sd.dropped;
    m[`softnet cpu${sd.cpu} time_squeeze`] = sd.time_squeeze;
    m[`softnet cpu${sd.cpu} backlog`] = sd.backlog;
  }
  for (const d of s.devices) {
    m[`${d.name} rx_packets`] = d.stats.rx_packets;
    m[`${d.name} tx_packets`] = d.stats.tx_packets;
    m[`${d.name} rx_dropped`] = d.stats.rx_dropped;
    m[`${d.name} rx_missed_errors`] = d.stats.rx_missed_errors;
    if (d.qdisc) m[`${d.name} qdisc qlen`] = d.qdisc.qlen;
    for (const q of d.nic?.queues ?? []) {
      m[`${d.name} q${q.index} rx ring used`] = q.rxUsed;
      m[`${d.name} q${q.index} tx ring used`] = q.txUsed;
      m[`${d.name} q${q.index} napi polls`] = q.napiPolls;
    }
  }
  for (const i of s.irqs) m[`irq ${i.irq} ${i.name}`] = i.counts.reduce((a, b) => a + b, 0);
  for (const [k, v] of Object.entries(s.snmp)) m[k] = v;
  return m;
}

export const useInternalsStore = defineStore('internals', () => {
  const host = ref<string | null>(null);
  const snap = shallowRef<HostInternals | null>(null);
  const error = ref('');
  /** Chosen series names. */
  const chosen = ref<string[]>([]);
  /** x (virtual seconds) and one array per chosen series. */
  const series = shallowRef<{ x: number[]; ys: number[][] }>({ x: [], ys: [] });
  let timer: ReturnType<typeof setTimeout> | null = null;
  let polling = false;

  async function refresh(): Promise<void> {
    const h = host.value;
    if (!h) return;
    try {
      const s = await useBridge().request({ type: 'snapshot', host: h });
      if (host.value !== h) return;
      error.value = '';
      snap.value = s;
      record(s);
    } catch (e) {
      error.value = (e as Error).message;
    }
  }

  function record(s: HostInternals): void {
    if (!chosen.value.length) return;
    const m = metrics(s);
    const x = s.now / 1e9;
    const cur = series.value;
    if (cur.x.length && cur.x[cur.x.length - 1] === x) return;
    const xs = cur.x.concat(x).slice(-MAX_POINTS);
    const ys = chosen.value.map((name, i) => (cur.ys[i] ?? []).concat(m[name] ?? 0).slice(-MAX_POINTS));
    series.value = { x: xs, ys };
  }

  function show(h: string | null): void {
    if (h !== host.value) {
      host.value = h;
      snap.value = null;
      series.value = { x: [], ys: [] };
    }
  }

  function choose(names: string[]): void {
    chosen.value = names.slice(0, 6);
    series.value = { x: [], ys: [] };
    if (snap.value) record(snap.value);
  }

  /** Poll every `ms` while on. */
  function poll(on: boolean, ms = 400): void {
    polling = on;
    if (timer) clearTimeout(timer);
    timer = null;
    const tick = async () => {
      if (!polling) return;
      await refresh();
      if (polling) timer = setTimeout(() => void tick(), ms);
    };
    if (on) void tick();
  }

  return { host, snap, error, chosen, series, refresh, show, choose, poll };
});
