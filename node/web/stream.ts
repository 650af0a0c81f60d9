// The bridge's stream to one renderer: what the live lab produced, batched
// (one message per animation frame's worth of time, or sooner when N records
// are waiting) and credit-based: at most CREDITS batches are unacknowledged;
// while the renderer is behind, terminal output and counters keep
// accumulating exactly, and only sampled packet events (trace records for
// the event list and animation, packet rows) are cut, and counted.
import type { LiveBatch, LiveCounters, LiveView, PacketRow, TraceRecord } from '../../renderer/src/bridge/protocol.js';

/** Batches in flight before the renderer must acknowledge. */
export const CREDITS = 3;
/** Wall ms between batches (a display frame). */
export const FLUSH_MS = 16;
/** A batch goes out early once this many records wait. */
export const FLUSH_RECORDS = 2000;
/** Most sampled records and packet rows in one batch. */
export const MAX_BATCH_RECORDS = 2000;
export const MAX_BATCH_PACKETS = 1000;
/** Wall ms without an ack after which credits are restored. */
export const STALL_MS = 5000;

export interface Timers {
  after(ms: number, fn: () => void): () => void;
}

export const nodeTimers: Timers = {
  after(ms, fn) {
    const h = setTimeout(fn, ms);
    return () => clearTimeout(h);
  },
};

export class BatchStream {
  private seq = 0;
  private acked = 0;
  private records: TraceRecord[] = [];
  private packets: PacketRow[] = [];
  private term: LiveBatch['term'] = [];
  private exits: LiveBatch['exits'] = [];
  private rewind: LiveBatch['rewind'];
  private progress: LiveBatch['progress'];
  private notices: NonNullable<LiveBatch['notices']> = [];
  private dirty = false;
  private cancel: (() => void) | null = null;
  private sentAt = 0;
  readonly counters: LiveCounters = { records: 0, frames: 0, droppedRecords: 0, droppedPackets: 0, batches: 0 };

  constructor(
    private readonly send: ((b: LiveBatch) => void) | null,
    private readonly live: () => LiveView,
    private readonly timers: Timers = nodeTimers,
  ) {}

  get inFlight(): number {
    return this.seq - this.acked;
  }

  addRecords(recs: readonly TraceRecord[]): void {
    if (!recs.length) return;
    this.counters.records += recs.length;
    for (const r of recs) this.records.push(r);
    // Keep the newest: the renderer shows the present.
    const over = this.records.length - MAX_BATCH_RECORDS;
    if (over > 0) {
      this.records.splice(0, over);
      this.counters.droppedRecords += over;
    }
    this.touch(this.records.length >= FLUSH_RECORDS);
  }

  addPackets(rows: readonly PacketRow[], total: number): void {
    this.counters.frames += total;
    this.counters.droppedPackets += total - rows.length;
    for (const r of rows) this.packets.push(r);
    const over = this.packets.length - MAX_BATCH_PACKETS;
    if (over > 0) {
      this.packets.splice(0, over);
      this.counters.droppedPackets += over;
    }
    if (total) this.touch();
  }

  output(term: number, cmd: number, stream: 1 | 2, text: string): void {
    const last = this.term[this.term.length - 1];
    if (last && last[0] === term && last[1] === cmd && last[2] === stream) last[3] += text;
    else this.term.push([term, cmd, stream, text]);
    this.touch();
  }

  exit(term: number, cmd: number, code: number): void {
    this.exits.push([term, cmd, code]);
    this.touch();
  }

  setRewind(r: NonNullable<LiveBatch['rewind']>): void {
    // Rows and records from before the rewind are stale now.
    this.packets = this.packets.filter((p) => p.no <= r.frames);
    this.records = this.records.filter((x) => x.t < r.now);
    this.rewind = r;
    this.counters.frames = r.frames;
    this.touch(true);
  }

  /** A message for the user (a host went down, the lab stopped); never dropped. */
  notice(level: 'error' | 'info', text: string): void {
    if (this.notices.length < 100) this.notices.push({ level, text });
    this.touch(true);
  }

  setProgress(p: LiveBatch['progress']): void {
    this.progress = p;
    this.touch(true);
  }

  /** Something changed (state, time): send it with the next batch. */
  touch(now = false): void {
    this.dirty = true;
    if (now) this.flush();
    else if (!this.cancel) this.cancel = this.timers.after(FLUSH_MS, () => ((this.cancel = null), this.flush()));
  }

  /** The renderer took batch `seq`: one more credit. */
  ack(seq: number): void {
    if (seq > this.acked && seq <= this.seq) this.acked = seq;
    if (this.dirty) this.touch();
  }

  /** The batch to send now, if there is credit and something to say. A
   * renderer silent for STALL_MS gets its credits back (it may have missed
   * batches while reloading): the stream degrades, never deadlocks. */
  take(): LiveBatch | null {
    if (!this.dirty) return null;
    if (this.inFlight >= CREDITS) {
      if (Date.now() - this.sentAt < STALL_MS) {
        this.touch();
        return null;
      }
      this.acked = this.seq;
    }
    this.sentAt = Date.now();
    const b: LiveBatch = {
      seq: ++this.seq,
      live: this.live(),
      counters: { ...this.counters, batches: this.seq },
      records: this.records,
      packets: this.packets,
      term: this.term,
      exits: this.exits,
    };
    if (this.rewind) b.rewind = this.rewind;
    if (this.progress) b.progress = this.progress;
    if (this.notices.length) b.notices = this.notices;
    this.records = [];
    this.packets = [];
    this.term = [];
    this.exits = [];
    this.rewind = undefined;
    this.progress = undefined;
    this.notices = [];
    this.dirty = false;
    return b;
  }

  /** Pull mode (no push transport): the renderer asks, and asking acknowledges. */
  pull(): LiveBatch | null {
    this.acked = this.seq;
    return this.take();
  }

  flush(): void {
    if (!this.send) return;
    const b = this.take();
    if (b) this.send(b);
  }

  close(): void {
    this.cancel?.();
    this.cancel = null;
  }
}
