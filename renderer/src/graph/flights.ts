// Packets in flight on the canvas: each frame a host's NIC sends
// (net_dev_xmit, from the trace) becomes a dot moving along its link to the
// peer. A bounded number are on screen at once; the rest are skipped and
// counted. Pure state (no DOM): the canvas overlay draws `active(now)`.
import type { LabView, PacketRow, TraceRecord } from '../bridge/protocol.js';

export const MAX_FLIGHTS = 48;

export interface Flight {
  from: string;
  to: string;
  proto: string;
  /** Wall ms it starts and how long it takes. */
  start: number;
  dur: number;
}

export const PROTO_COLORS: Record<string, string> = {
  ICMP: '#16a34a',
  ARP: '#eab308',
  TCP: '#2563eb',
  UDP: '#9333ea',
};

/** How long one hop takes on screen (wall ms) at a speed (0: max). */
export function hopMs(speed: number): number {
  if (speed === 0 || speed >= 1) return 320;
  if (speed >= 0.1) return 500;
  return 800;
}

export class Flights {
  private peers = new Map<string, string>();
  private list: Flight[] = [];
  skipped = 0;
  /** Wall clock (tests replace it). */
  now: () => number = () => performance.now();

  setLab(lab: LabView | null): void {
    this.peers.clear();
    for (const l of lab?.links ?? []) {
      this.peers.set(`${l.a.host}:${l.a.ifname}`, l.b.host);
      this.peers.set(`${l.b.host}:${l.b.ifname}`, l.a.host);
    }
    this.clear();
  }

  /** Frames sent in these records start flying (protocols from the rows). */
  add(records: readonly TraceRecord[], rows: readonly PacketRow[], speed: number): void {
    const proto = new Map<string, string>();
    for (const r of rows) if (r.fn === 'net_dev_xmit') proto.set(`${r.host}#${r.skb}`, r.proto);
    const t = this.now();
    this.prune(t);
    const dur = hopMs(speed);
    let k = 0;
    for (const r of records) {
      if (r.fn !== 'net_dev_xmit') continue;
      const dev = /dev=(\S+)/.exec(r.info ?? '')?.[1];
      const to = dev && this.peers.get(`${r.host}:${dev}`);
      if (!to) continue;
      if (this.list.length >= MAX_FLIGHTS) {
        this.skipped++;
        continue;
      }
      // a burst is spread a little so the dots do not sit on each other
      this.list.push({ from: r.host, to, proto: proto.get(`${r.host}#${r.skb}`) ?? '', start: t + Math.min(k++, 8) * 40, dur });
    }
  }

  private prune(t: number): void {
    if (this.list.some((f) => f.start + f.dur < t)) this.list = this.list.filter((f) => f.start + f.dur >= t);
  }

  /** Flights on screen at wall time t, with how far along (0..1). */
  active(t = this.now()): { f: Flight; p: number }[] {
    this.prune(t);
    return this.list.filter((f) => f.start <= t).map((f) => ({ f, p: (t - f.start) / f.dur }));
  }

  get size(): number {
    return this.list.length;
  }

  clear(): void {
    this.list = [];
  }
}

/** The app's one set of flights. */
export const flights = new Flights();
