// The Wireshark-like packet list: frames captured where each host's NICs
// receive (netif_receive_skb) and send (net_dev_xmit), decoded by the
// server. Rows live in a bounded array outside deep reactivity; the selected
// packet's detail (header tree, bytes, kernel path, sk_buff layouts) is
// fetched on demand.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { useBridge } from '../bridge/bridge.js';
import type { PacketDetail, PacketRow } from '../bridge/protocol.js';

export const MAX_ROWS = 100_000;

/** Wireshark-ish display filter: words, or field:value (host, proto, src, dst, dev, dir). */
export function rowMatches(r: PacketRow, filter: string): boolean {
  const f = filter.trim().toLowerCase();
  if (!f) return true;
  return f.split(/\s+/).every((w) => {
    const m = /^(host|proto|src|dst|dev|dir|addr)[:=](.+)$/.exec(w);
    if (m) {
      const v = m[2];
      if (m[1] === 'addr') return r.src.toLowerCase() === v || r.dst.toLowerCase() === v;
      return String(r[m[1] as 'host' | 'proto' | 'src' | 'dst' | 'dev' | 'dir']).toLowerCase() === v;
    }
    return [r.host, r.src, r.dst, r.proto, r.info].some((x) => x.toLowerCase().includes(w));
  });
}

export const useFramesStore = defineStore('frames', () => {
  const rows = shallowRef<PacketRow[]>([]);
  /** Rows that fell out of the buffer (oldest first). */
  const evicted = ref(0);
  const filter = ref('');
  const selected = ref<number | null>(null);
  const detail = shallowRef<PacketDetail | null>(null);
  const loading = ref(false);
  const error = ref('');

  const visible = computed(() => (filter.value ? rows.value.filter((r) => rowMatches(r, filter.value)) : rows.value));

  function append(add: readonly PacketRow[]): void {
    if (!add.length) return;
    let next = rows.value.concat(add);
    const over = next.length - MAX_ROWS;
    if (over > 0) {
      next = next.slice(over);
      evicted.value += over;
    }
    rows.value = next;
  }

  /** Step back: frames after `frames` no longer happened. */
  function rewind(frames: number): void {
    rows.value = rows.value.filter((r) => r.no <= frames);
    if (selected.value !== null && selected.value > frames) {
      selected.value = null;
      detail.value = null;
    }
  }

  function clear(): void {
    rows.value = [];
    evicted.value = 0;
    selected.value = null;
    detail.value = null;
  }

  async function select(no: number | null): Promise<void> {
    selected.value = no;
    error.value = '';
    if (no === null) {
      detail.value = null;
      return;
    }
    loading.value = true;
    try {
      const d = await useBridge().request({ type: 'packet', no });
      if (selected.value === no) detail.value = d;
    } catch (e) {
      error.value = (e as Error).message;
      detail.value = null;
    } finally {
      loading.value = false;
    }
  }

  /** Move the selection up or down the visible list. */
  function move(delta: number): void {
    const v = visible.value;
    if (!v.length) return;
    const i = v.findIndex((r) => r.no === selected.value);
    const j = i < 0 ? (delta > 0 ? 0 : v.length - 1) : Math.max(0, Math.min(v.length - 1, i + delta));
    void select(v[j].no);
  }

  return { rows, evicted, filter, selected, detail, loading, error, visible, append, rewind, clear, select, move };
});
