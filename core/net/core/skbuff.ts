// struct sk_buff over one buffer of real wire bytes (net/core/skbuff.c).
// head is always 0; data/tail move as layers push and pull headers; end is
// the buffer size. Every skb must end in kfree_skb (with a drop reason),
// consume_skb, or a hand-off; `outstanding` counts the ones still alive so
// tests can assert that nothing leaks.
import type { NetDevice } from './netdevice.js';
import type { DropReason } from './dropreason.js';

/** NET_SKB_PAD + NET_IP_ALIGN: headroom a driver reserves before DMA. */
export const NET_SKB_PAD = 64;
export const NET_IP_ALIGN = 2;
/** Room for Ethernet + IPv4 + UDP/TCP headers on locally built packets. */
export const MAX_HEADER = 128;

export const PACKET_HOST = 0;
export const PACKET_BROADCAST = 1;
export const PACKET_MULTICAST = 2;
export const PACKET_OTHERHOST = 3;
export const PACKET_OUTGOING = 4;

/** Hooks the host installs to observe skb lifetimes (tracing, leak checks). */
export interface SkbOwner {
  outstanding: number;
  nextId: number;
  onFree?(skb: SkBuff, reason: DropReason | null, where: string): void;
}

export class SkBuff {
  readonly id: number;
  buf: Uint8Array;
  data: number;
  tail: number;
  mac_header = -1;
  network_header = -1;
  transport_header = -1;
  protocol = 0;
  pkt_type = PACKET_HOST;
  dev: NetDevice | null = null;
  /** Routing decision attached by ip_route_input/output (skb_dst). */
  dst: any = null;
  /** Owning socket, if any. */
  sk: any = null;
  /** skb->destructor: runs when the skb is freed (sock_wfree gives the
   * sender's socket its send-buffer memory back). */
  destructor: ((skb: SkBuff) => void) | null = null;
  /** What the destructor gives back: the socket charged and by how much
   * (skb_set_owner_w), so no closure is made per skb. */
  destructor_sk: any = null;
  destructor_size = 0;
  /** Memory charged to a socket (truesize). */
  truesize: number;
  /** Receive queue on which the NIC placed it (skb_record_rx_queue). */
  queue_mapping = 0;
  /** Hash used by RSS/RPS. */
  hash = 0;
  /** Time the NIC received it or the socket sent it (virtual ns). */
  tstamp = 0;
  /** ICMP/IP control block scratch (IPCB): options, flags. */
  cb: Record<string, number> = {};
  /** Conntrack entry and ctinfo (skb->_nfct), set by nf_conntrack_in. */
  nfct: { ct: any; ctinfo: number } | null = null;
  freed = false;

  constructor(
    readonly owner: SkbOwner,
    size: number,
  ) {
    this.id = owner.nextId++;
    this.buf = takeBuf(size);
    this.data = 0;
    this.tail = 0;
    this.truesize = size + 256; // SKB_TRUESIZE: data plus struct sk_buff and shinfo
    owner.outstanding++;
  }

  get len(): number {
    return this.tail - this.data;
  }
  get end(): number {
    return this.buf.length;
  }
  get headroom(): number {
    return this.data;
  }
  get tailroom(): number {
    return this.buf.length - this.tail;
  }

  skb_reserve(n: number): void {
    this.data += n;
    this.tail += n;
  }

  /** Add n bytes at the tail; returns the offset of the new area. */
  skb_put(n: number): number {
    if (this.tail + n > this.buf.length) throw new Error(`skb_over_panic: put ${n} tailroom ${this.tailroom}`);
    const at = this.tail;
    this.tail += n;
    return at;
  }

  /** Add n bytes at the head; returns the new data offset. */
  skb_push(n: number): number {
    if (this.data - n < 0) throw new Error(`skb_under_panic: push ${n} headroom ${this.headroom}`);
    this.data -= n;
    return this.data;
  }

  /** Remove n bytes from the head; returns the new data offset. */
  skb_pull(n: number): number {
    if (n > this.len) throw new Error(`skb_pull beyond len`);
    this.data += n;
    return this.data;
  }

  /** Cut the packet to len bytes (pskb_trim). */
  skb_trim(len: number): void {
    if (len < this.len) this.tail = this.data + len;
  }

  skb_reset_network_header(): void {
    this.network_header = this.data;
  }
  skb_reset_transport_header(): void {
    this.transport_header = this.data;
  }
  skb_reset_mac_header(): void {
    this.mac_header = this.data;
  }

  /** The bytes from data to tail (a view, not a copy). */
  bytes(): Uint8Array {
    return this.buf.subarray(this.data, this.tail);
  }

  /** skb_copy: a private copy with the same headroom and headers. */
  copy(owner: SkbOwner = this.owner): SkBuff {
    const n = new SkBuff(owner, this.buf.length);
    n.buf.set(this.buf);
    n.data = this.data;
    n.tail = this.tail;
    n.mac_header = this.mac_header;
    n.network_header = this.network_header;
    n.transport_header = this.transport_header;
    n.protocol = this.protocol;
    n.pkt_type = this.pkt_type;
    n.dev = this.dev;
    n.dst = this.dst;
    n.queue_mapping = this.queue_mapping;
    n.hash = this.hash;
    n.tstamp = this.tstamp;
    n.cb = { ...this.cb };
    n.nfct = this.nfct;
    return n;
  }
}

/** alloc_skb(size) with `headroom` reserved. */
export function alloc_skb(owner: SkbOwner, size: number, headroom = 0): SkBuff {
  const skb = new SkBuff(owner, size + headroom);
  if (headroom) skb.skb_reserve(headroom);
  return skb;
}

function release(skb: SkBuff, reason: DropReason | null, where: string): void {
  if (skb.freed) throw new Error(`double free of skb ${skb.id} at ${where}`);
  skb.freed = true;
  skb.owner.outstanding--;
  if (skb.destructor) {
    const d = skb.destructor;
    skb.destructor = null;
    d(skb);
  }
  skb.owner.onFree?.(skb, reason, where);
  giveBuf(skb.buf);
}

// Buffers of freed skbs, kept by power-of-two size class and handed to new
// skbs (as a view of exactly the size asked for): a flood allocates two or
// three per packet, and fresh off-heap buffers cost an allocation, external
// memory accounting and GC work each. The pool keeps the views themselves,
// so a flood, whose sizes repeat, reuses them as they are (making a view
// costs about as much as the rest of an skb). A buffer is zeroed when its
// skb is freed, so a new skb sees zeros as from new Uint8Array, and code
// that read a freed skb would see zeros too (and show up in tests) rather
// than another packet's bytes. Leak accounting (outstanding) is unchanged.
const POOL_MIN_SHIFT = 6;
const POOL_MAX_SHIFT = 16;
const POOL_PER_CLASS = 1024;
const pools: Uint8Array[][] = [];
for (let c = 0; c <= POOL_MAX_SHIFT; c++) pools.push([]);
/** The views the pool made (only those go back): a WeakSet answers without
 * the call into the runtime that reading a view's .buffer costs. A view is
 * at offset 0 of a buffer of its size class. */
const pooled = new WeakSet<Uint8Array>();

function poolClass(size: number): number {
  return size <= 1 << POOL_MIN_SHIFT ? POOL_MIN_SHIFT : 32 - Math.clz32(size - 1);
}

function takeBuf(size: number): Uint8Array {
  if (size > 1 << POOL_MAX_SHIFT) return new Uint8Array(size);
  const c = poolClass(size);
  const v = popSized(pools[c], size);
  if (v !== undefined && v.length === size) return v;
  const n = new Uint8Array(v !== undefined ? v.buffer : new ArrayBuffer(1 << c), 0, size);
  pooled.add(n);
  return n;
}

/** A view of `size` from near the top of a class's stack if there is one
 * (a flood's few sizes alternate in a class), else the top one. */
function popSized(p: Uint8Array[], size: number): Uint8Array | undefined {
  const n = p.length;
  for (let i = n - 1; i >= 0 && i >= n - 4; i--) {
    const v = p[i];
    if (v.length === size) {
      p[i] = p[n - 1];
      p.pop();
      return v;
    }
  }
  return p.pop();
}

function giveBuf(b: Uint8Array): void {
  if (!pooled.has(b)) return;
  const p = pools[poolClass(b.length)];
  if (p.length >= POOL_PER_CLASS) return;
  b.fill(0);
  p.push(b);
}

// Frames on the wire (the NIC's copy of what it sends) have a pool of their
// own: every byte of one is written when it is made, so it is not zeroed
// when it comes back.
const framePools: Uint8Array[][] = [];
for (let c = 0; c <= POOL_MAX_SHIFT; c++) framePools.push([]);
const frames = new WeakSet<Uint8Array>();

function takeFrame(size: number): Uint8Array {
  if (size > 1 << POOL_MAX_SHIFT) return new Uint8Array(size);
  const c = poolClass(size);
  const v = popSized(framePools[c], size);
  if (v !== undefined && v.length === size) return v;
  const n = new Uint8Array(v !== undefined ? v.buffer : new ArrayBuffer(1 << c), 0, size);
  frames.add(n);
  return n;
}

/** A zeroed buffer of len bytes for a frame on the wire (the NIC's copy of
 * what it sends); give it back with free_frame_buf once the receiver has
 * copied it, or let it go to the GC. */
export function alloc_frame_buf(len: number): Uint8Array {
  const b = takeFrame(len);
  b.fill(0);
  return b;
}

/** alloc_frame_buf(len) holding `src` (len >= its length), zeros after it. */
export function frame_copy(src: Uint8Array, len: number): Uint8Array {
  const b = takeFrame(len);
  b.set(src);
  if (len > src.length) b.fill(0, src.length);
  return b;
}

export function free_frame_buf(b: Uint8Array): void {
  if (!frames.has(b)) return giveBuf(b);
  const p = framePools[poolClass(b.length)];
  if (p.length < POOL_PER_CLASS) p.push(b);
}

/** Buffers waiting in the pool (for tests and memory figures). */
export function skb_pool_size(): number {
  let n = 0;
  for (const p of pools) n += p.length;
  return n;
}

/** kfree_skb_reason: the packet was dropped. */
export function kfree_skb(skb: SkBuff, reason: DropReason, where: string): void {
  release(skb, reason, where);
}

/** consume_skb: the packet was used up normally. */
export function consume_skb(skb: SkBuff, where: string): void {
  release(skb, null, where);
}
