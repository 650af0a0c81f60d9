// kernel/printk: the kernel log ring buffer that `dmesg` reads. Each record
// keeps its level and the time since boot (the host's virtual clock).
import type { Net } from '../net/net_namespace.js';

export interface PrintkRecord {
  /** Nanoseconds since boot. */
  ts: number;
  level: number;
  text: string;
}

/** CONFIG_LOG_BUF_SHIFT=17: about this many bytes of text are kept. */
const LOG_BUF_LEN = 1 << 17;

const buffers = new WeakMap<Net, { recs: PrintkRecord[]; bytes: number }>();

function log_buf(net: Net) {
  let b = buffers.get(net);
  if (!b) {
    b = { recs: [], bytes: 0 };
    buffers.set(net, b);
  }
  return b;
}

/** printk at a level (0 emerg .. 7 debug); older records fall out when full. */
export function printk(net: Net, level: number, text: string): void {
  const b = log_buf(net);
  b.recs.push({ ts: net.now(), level, text });
  b.bytes += text.length + 16;
  while (b.bytes > LOG_BUF_LEN && b.recs.length > 1) b.bytes -= b.recs.shift()!.text.length + 16;
}

export function printk_records(net: Net): PrintkRecord[] {
  return log_buf(net).recs;
}

/** dmesg --clear / -C. */
export function printk_clear(net: Net): void {
  const b = log_buf(net);
  b.recs = [];
  b.bytes = 0;
}
