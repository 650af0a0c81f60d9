import { describe, it, expect } from 'vitest';
import { alloc_skb, kfree_skb, consume_skb, type SkbOwner } from '../../core/net/core/skbuff.js';

function owner(): SkbOwner & { freed: string[] } {
  const o: any = { outstanding: 0, nextId: 1, freed: [] };
  o.onFree = (_s: unknown, reason: string | null, where: string) => o.freed.push(`${reason ?? 'consumed'}@${where}`);
  return o;
}

describe('sk_buff', () => {
  it('moves data and tail as layers push, pull and put', () => {
    const o = owner();
    const skb = alloc_skb(o, 100, 64);
    expect(skb.headroom).toBe(64);
    expect(skb.len).toBe(0);
    skb.skb_put(28); // payload
    skb.skb_push(20); // IP header
    skb.skb_reset_network_header();
    skb.skb_push(14); // Ethernet
    expect(skb.len).toBe(62);
    expect(skb.data).toBe(64 - 34);
    expect(skb.network_header).toBe(64 - 20);
    skb.skb_pull(14);
    expect(skb.data).toBe(skb.network_header);
    expect(() => skb.skb_push(1000)).toThrow(/skb_under_panic/);
    expect(() => skb.skb_put(1000)).toThrow(/skb_over_panic/);
    consume_skb(skb, 'test');
  });

  it('counts outstanding buffers and refuses double frees', () => {
    const o = owner();
    const a = alloc_skb(o, 10);
    const b = a.copy();
    expect(o.outstanding).toBe(2);
    kfree_skb(a, 'NO_SOCKET', '__udp4_lib_rcv');
    consume_skb(b, 'icmp_rcv');
    expect(o.outstanding).toBe(0);
    expect(o.freed).toEqual(['NO_SOCKET@__udp4_lib_rcv', 'consumed@icmp_rcv']);
    expect(() => consume_skb(a, 'again')).toThrow(/double free/);
  });
});
