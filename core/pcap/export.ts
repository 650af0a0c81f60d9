// pcap and pcapng files from a lab run's captured frames (core/pcap/capture):
// per interface (one pcap per host interface, or one pcapng with an
// interface per host interface and the direction of each frame), or per
// kernel hook (one pcapng interface per host and trace point, as retis
// does). pcapng frames carry the packet's path through the modelled kernel
// on that host as a comment (opt_comment).
import type { TraceRecord } from '../net/core/trace.js';
import type { CapturedFrame } from './capture.js';
import { LINKTYPE_ETHERNET, LINKTYPE_RAW, writePcap } from './pcap.js';
import { writePcapng, EPB_INBOUND, EPB_OUTBOUND, type NgInterface, type NgPacket } from './pcapng.js';

export interface ExportFile {
  name: string;
  bytes: Uint8Array;
  /** Frames in the file. */
  frames: number;
}

export interface ExportOptions {
  format: 'pcap' | 'pcapng';
  /** One interface per trace point instead of per network interface. */
  perHook?: boolean;
  /** Base name for single-file outputs. */
  name?: string;
  /** Trace records (tracing on) to describe each frame's path in comments. */
  trace?: TraceRecord[];
}

/** Frames of all hosts in (time, host order, capture order). */
function ordered(frames: CapturedFrame[][]): CapturedFrame[] {
  const all: { f: CapturedFrame; h: number; i: number }[] = [];
  frames.forEach((fs, h) => fs.forEach((f, i) => all.push({ f, h, i })));
  all.sort((a, b) => a.f.t - b.f.t || a.h - b.h || a.i - b.i);
  return all.map((x) => x.f);
}

/** host -> skb id -> the functions it passed, with its end. */
export function skbPaths(trace: TraceRecord[]): Map<string, string> {
  const m = new Map<string, string[]>();
  for (const r of trace) {
    if (!r.skb) continue;
    const k = `${r.host}#${r.skb}`;
    let p = m.get(k);
    if (!p) m.set(k, (p = []));
    p.push(r.fn === 'kfree_skb' && r.info ? `kfree_skb (${r.info.replace(/^.* reason: /, 'reason: ')})` : r.fn);
  }
  const out = new Map<string, string>();
  for (const [k, p] of m) out.set(k, p.join(' > '));
  return out;
}

export function exportCapture(frames: CapturedFrame[][], o: ExportOptions): ExportFile[] {
  const all = ordered(frames);
  const paths = o.trace ? skbPaths(o.trace) : null;
  const comment = (f: CapturedFrame) => {
    const p = paths?.get(`${f.host}#${f.skb}`);
    return `${f.host} skb#${f.skb} at ${f.fn}${f.dev ? ` dev ${f.dev}` : ''} cpu ${f.cpu}${p ? `; path: ${p}` : ''}`;
  };
  const keyOf = (f: CapturedFrame) => (o.perHook ? `${f.host}:${f.fn}${f.l2 ? '' : ':raw'}` : `${f.host}:${f.dev}`);
  const linktype = (f: CapturedFrame) => (f.l2 ? LINKTYPE_ETHERNET : LINKTYPE_RAW);
  const base = o.name ?? 'capture';
  if (o.format === 'pcap') {
    const groups = new Map<string, CapturedFrame[]>();
    for (const f of all) {
      const k = keyOf(f);
      let g = groups.get(k);
      if (!g) groups.set(k, (g = []));
      g.push(f);
    }
    return [...groups].map(([k, g]) => ({
      name: `${k.replace(/:/g, '-')}.pcap`,
      frames: g.length,
      bytes: writePcap({ linktype: linktype(g[0]), snaplen: 262_144, records: g.map((f) => ({ tsNs: f.t, data: f.data, origLen: f.len })) }),
    }));
  }
  const ifaces: NgInterface[] = [];
  const index = new Map<string, number>();
  const packets: NgPacket[] = [];
  for (const f of all) {
    const k = keyOf(f);
    let i = index.get(k);
    if (i === undefined) {
      i = ifaces.length;
      index.set(k, i);
      ifaces.push({ linktype: linktype(f), name: k, description: o.perHook ? `${f.fn} on ${f.host}` : `${f.dev} on ${f.host}`, snaplen: 262_144 });
    }
    packets.push({ iface: i, tsNs: f.t, data: f.data, origLen: f.len, direction: f.direction === 'in' ? EPB_INBOUND : f.direction === 'out' ? EPB_OUTBOUND : 0, comment: comment(f) });
  }
  return [{ name: `${base}${o.perHook ? '-hooks' : ''}.pcapng`, frames: packets.length, bytes: writePcapng(ifaces, packets) }];
}
