// NOT Linux. The Linux bridge has no storm control: with STP off (the
// default) a loop circulates and multiplies frames at line rate until CPUs
// saturate and queues overflow. Simulating that frame by frame would make a
// lab with a loop take minutes and unbounded memory, so the simulator bounds
// it: each bridge lets an identical frame arrive at most
// LOOP_GUARD_COPIES times while copies keep coming less than
// LOOP_GUARD_QUIET_NS apart, then drops further copies. The storm still
// happens (floods, FDB entries flapping between ports, hosts receiving many
// copies) but dies out after that many passes. Normal traffic never repeats
// a frame byte for byte that fast (IP IDs and sequence numbers change, ARP
// retries are a second apart), so it is not affected. Drops are counted in
// `dropped`, freed with the non-Linux reason STACKLAB_LOOP_GUARD, and the
// first drop of each looping frame leaves a `br_loop_guard` warning in the
// trace. Memory is a fixed table of recently seen frames per bridge.
import type { SkBuff } from '../core/skbuff.js';
import type { NetBridge } from './br_private.js';

/** Copies of one frame a bridge passes on before it treats it as looping. */
export const LOOP_GUARD_COPIES = 64;
/** A frame not seen again for this long is forgotten. */
export const LOOP_GUARD_QUIET_NS = 100_000_000;
const SLOTS = 1024;
const HASH_BYTES = 96;

export class LoopGuard {
  /** Frames dropped as looping copies. */
  dropped = 0;
  /** Distinct frames found looping. */
  loops = 0;
  private readonly hash = new Uint32Array(SLOTS);
  private readonly count = new Uint32Array(SLOTS);
  private readonly last = new Float64Array(SLOTS);

  /** Record one arrival of the frame in skb; returns how many times it has
   * now been seen. Its identity is its length and first HASH_BYTES bytes
   * (the headers, where IDs and sequence numbers differ between frames). */
  seen(skb: SkBuff, now: number): number {
    const b = skb.buf;
    const end = Math.min(skb.tail, skb.mac_header + HASH_BYTES);
    let h = Math.imul(0x811c9dc5 ^ (skb.tail - skb.mac_header), 0x01000193);
    for (let i = skb.mac_header; i < end; i++) h = Math.imul(h ^ b[i], 0x01000193);
    h >>>= 0;
    const s = h & (SLOTS - 1);
    if (this.count[s] && this.hash[s] === h && now - this.last[s] <= LOOP_GUARD_QUIET_NS) {
      this.last[s] = now;
      return ++this.count[s];
    }
    this.hash[s] = h;
    this.count[s] = 1;
    this.last[s] = now;
    return 1;
  }
}

/** Called by br_handle_frame_finish after learning: false means the frame
 * was dropped as a looping copy (and freed by the caller). */
export function br_loop_guard_pass(br: NetBridge, skb: SkBuff): boolean {
  const net = br.dev.net;
  const g = br.loop_guard;
  const n = g.seen(skb, net.now());
  if (n <= LOOP_GUARD_COPIES) return true;
  g.dropped++;
  if (n === LOOP_GUARD_COPIES + 1) {
    g.loops++;
    net.tracer.warn(skb, 'br_loop_guard', `WARNING ${br.dev.name}: frame arrived ${LOOP_GUARD_COPIES + 1} times (L2 loop, STP off): dropping further copies (simulator storm bound, not Linux)`);
  }
  return false;
}
