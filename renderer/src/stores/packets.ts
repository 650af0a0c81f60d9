// Trace records (the packet list), in a bounded buffer outside deep
// reactivity: a shallowRef replaced once per fetch.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { useBridge } from '../bridge/bridge.js';
import type { TraceRecord } from '../bridge/protocol.js';

export const MAX_RECORDS = 50_000;

export interface Row extends TraceRecord {
  /** 1-based number since the lab started, as Wireshark numbers frames. */
  no: number;
}

export function matchesFilter(r: TraceRecord, filter: string): boolean {
  const f = filter.trim().toLowerCase();
  if (!f) return true;
  return f.split(/\s+/).every((w) => {
    const m = /^(host|fn|cpu|skb)[:=](.+)$/.exec(w);
    if (m) {
      const v = m[1] === 'host' ? r.host : m[1] === 'fn' ? r.fn : String(m[1] === 'cpu' ? r.cpu : r.skb);
      return v.toLowerCase() === m[2];
    }
    return r.host.toLowerCase().includes(w) || r.fn.toLowerCase().includes(w) || (r.info ?? '').toLowerCase().includes(w);
  });
}

export const usePacketStore = defineStore('packets', () => {
  const rows = shallowRef<Row[]>([]);
  const dropped = ref(0);
  const filter = ref('');
  /** The packet picked in the list: skb ids are per host. */
  const selected = ref<{ host: string; skb: number } | null>(null);
  let counter = 0;

  const visible = computed(() => (filter.value ? rows.value.filter((r) => matchesFilter(r, filter.value)) : rows.value));

  function append(records: TraceRecord[], droppedNow = 0): void {
    if (!records.length && !droppedNow) return;
    counter += droppedNow;
    const added = records.map((r) => ({ ...r, no: ++counter }));
    let next = rows.value.concat(added);
    const over = next.length - MAX_RECORDS;
    if (over > 0) next = next.slice(over);
    dropped.value += droppedNow + Math.max(0, over);
    rows.value = next;
  }

  async function fetch(): Promise<void> {
    const r = await useBridge().request({ type: 'trace' });
    append(r.records, r.dropped);
  }

  /** Step back: records from `now` on no longer happened. */
  function rewind(now: number): void {
    rows.value = rows.value.filter((r) => r.t < now);
    if (selected.value && !rows.value.some((r) => isSelected(r))) selected.value = null;
  }

  function clear(): void {
    rows.value = [];
    dropped.value = 0;
    counter = 0;
    selected.value = null;
  }

  function select(r: TraceRecord | null): void {
    const same = r && selected.value && selected.value.host === r.host && selected.value.skb === r.skb;
    selected.value = !r || same || r.skb === 0 ? null : { host: r.host, skb: r.skb };
  }

  function isSelected(r: TraceRecord): boolean {
    return selected.value !== null && r.skb === selected.value.skb && r.host === selected.value.host;
  }

  return { rows, dropped, filter, selected, visible, append, fetch, clear, select, isSelected, rewind };
});
