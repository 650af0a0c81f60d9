// Text forms of the trace: a pwru-like listing per packet for people, and a
// canonical line form for digests.
import type { TraceRecord } from '../../core/net/core/trace.js';

function fmtTime(ns: number): string {
  return (ns / 1e9).toFixed(9);
}

/** One line per record: time, host, CPU, skb, function, detail. */
export function formatTrace(recs: TraceRecord[]): string {
  let s = '\n--- kernel path (virtual time, host, cpu, skb, function) ---\n';
  for (const r of recs) {
    s += `${fmtTime(r.t)} ${r.host.padEnd(8)} [${r.cpu < 0 ? ' - ' : String(r.cpu).padStart(3, '0')}] ${r.skb ? 'skb#' + String(r.skb).padEnd(5) : '       '} ${r.fn}${r.info ? ' ' + r.info : ''}\n`;
  }
  return s;
}

export function canonicalTrace(recs: TraceRecord[]): string {
  return recs.map((r) => `${r.t} ${r.host} ${r.cpu} ${r.skb} ${r.fn} ${r.info ?? ''}`).join('\n');
}
