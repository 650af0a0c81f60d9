// One observability mechanism (design rule 7): every modelled function an skb
// passes records (time, host, cpu, skb, function[, detail]) when tracing is
// on, and every skb's end (consumed, dropped with a reason) is recorded.
// Consumers (--trace, the packet list, pcap, digests) read these records.
import type { Net } from '../net_namespace.js';
import type { SkBuff } from './skbuff.js';
import type { DropReason } from './dropreason.js';

export interface TraceRecord {
  /** Virtual time, ns. */
  t: number;
  host: string;
  cpu: number;
  /** skb id within the host, 0 for records not about one packet. */
  skb: number;
  fn: string;
  info?: string;
}

/** Takes a copy of the frame an skb holds at a trace point (bounded by its owner). */
export interface FrameTap {
  take(net: Net, skb: SkBuff, fn: string): void;
}

/** Bound on records kept per host; older ones are dropped and counted. */
export const TRACE_LIMIT = 1_000_000;

export class Tracer {
  /** Per-packet path tracing (pwru-like). Off unless asked for. */
  on = false;
  records: TraceRecord[] = [];
  lost = 0;
  /** Live subscribers (the app's packet view). */
  listeners: ((r: TraceRecord) => void)[] = [];

  constructor(private net: Net) {}

  /** Frame capture for pcap export (core/pcap/capture.ts); null unless asked for. */
  capture: FrameTap | null = null;

  fn(skb: SkBuff | null, fn: string, info?: string): void {
    if (this.capture && skb) this.capture.take(this.net, skb, fn);
    if (!this.on) return;
    const c = this.net.curCpu;
    const r: TraceRecord = { t: this.net.now(), host: this.net.hostName, cpu: c ? c.id : -1, skb: skb ? skb.id : 0, fn };
    if (info !== undefined) r.info = info;
    this.push(r);
  }

  /** A warning (kernel log line, simulator bound hit): recorded even when
   * per-packet tracing is off. */
  warn(skb: SkBuff | null, fn: string, info: string): void {
    const c = this.net.curCpu;
    this.push({ t: this.net.now(), host: this.net.hostName, cpu: c ? c.id : -1, skb: skb ? skb.id : 0, fn, info });
  }

  /** skb:kfree_skb / skb:consume_skb. */
  free(skb: SkBuff, reason: DropReason | null, where: string): void {
    if (!this.on) return;
    this.fn(skb, reason ? 'kfree_skb' : 'consume_skb', reason ? `${where} reason: ${reason}` : where);
  }

  private push(r: TraceRecord): void {
    if (this.records.length >= TRACE_LIMIT) {
      this.records.shift();
      this.lost++;
    }
    this.records.push(r);
    for (const l of this.listeners) l(r);
  }
}
