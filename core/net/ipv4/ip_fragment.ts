// net/ipv4/ip_output.c (ip_do_fragment) and ip_fragment.c (ip_defrag):
// splitting packets larger than the MTU into 8-byte-aligned fragments, and
// reassembling them within ipfrag_time, with Linux's Frag*/Reasm* counters.
import type { Net } from '../net_namespace.js';
import { type SkBuff, alloc_skb, kfree_skb, consume_skb, MAX_HEADER } from '../core/skbuff.js';
import { iph, ip_send_check, put16, IP_MF, IP_OFFSET, IP_DF } from '../wire/ip.js';
import { IP_INC_STATS } from '../snmp_stats.js';
import type { Timer } from '../../sim/timer.js';
import { timer_setup } from '../../kernel/timer.js';
import { icmp_send } from './icmp.js';
import { ICMP_TIME_EXCEEDED, ICMP_EXC_FRAGTIME } from '../wire/icmp.js';

/** ip_do_fragment (slow path). Consumes skb; output gets each fragment. */
export function ip_do_fragment(net: Net, skb: SkBuff, mtu: number, output: (frag: SkBuff) => void): void {
  const b = skb.buf;
  const nh = skb.network_header;
  const hlen = iph.ihl(b, nh) * 4;
  if (iph.frag_off(b, nh) & IP_DF && !skb.cb.ignore_df) {
    IP_INC_STATS(net, 'FragFails');
    kfree_skb(skb, 'PKT_TOO_BIG', 'ip_fragment');
    return;
  }
  const total = skb.tail - nh - hlen;
  const per = (mtu - hlen) & ~7;
  const baseOff = (iph.frag_off(b, nh) & IP_OFFSET) * 8;
  const moreAfter = (iph.frag_off(b, nh) & IP_MF) !== 0;
  let done = 0;
  net.tracer.fn(skb, 'ip_do_fragment', `mtu ${mtu}`);
  while (done < total) {
    const len = Math.min(per, total - done);
    const f = alloc_skb(net, hlen + len, MAX_HEADER);
    const o = f.skb_put(hlen + len);
    f.buf.set(b.subarray(nh, nh + hlen), o);
    f.buf.set(b.subarray(nh + hlen + done, nh + hlen + done + len), o + hlen);
    f.skb_reset_network_header();
    f.transport_header = o + hlen;
    const last = done + len >= total;
    put16(f.buf, o + 2, hlen + len);
    put16(f.buf, o + 6, ((baseOff + done) >> 3) | (!last || moreAfter ? IP_MF : 0));
    ip_send_check(f.buf, o);
    f.dst = skb.dst;
    f.dev = skb.dev;
    f.protocol = skb.protocol;
    IP_INC_STATS(net, 'FragCreates');
    output(f);
    done += len;
  }
  IP_INC_STATS(net, 'FragOKs');
  consume_skb(skb, 'ip_fragment');
}

interface FragQueue {
  frags: { off: number; data: Uint8Array; more: boolean }[];
  header: Uint8Array;
  first: SkBuff | null;
  timer: Timer;
  meat: number;
  len: number;
}

/** ip_defrag: returns the reassembled packet when complete, else null. Consumes skb. */
export function ip_defrag(net: Net, skb: SkBuff): SkBuff | null {
  IP_INC_STATS(net, 'ReasmReqds');
  const b = skb.buf;
  const nh = skb.network_header;
  const key = `${iph.saddr(b, nh)}/${iph.daddr(b, nh)}/${iph.id(b, nh)}/${iph.protocol(b, nh)}`;
  const hlen = iph.ihl(b, nh) * 4;
  const fo = iph.frag_off(b, nh);
  const off = (fo & IP_OFFSET) * 8;
  const more = (fo & IP_MF) !== 0;
  const data = b.slice(nh + hlen, skb.tail);
  let q: FragQueue | undefined = net.ipv4_frags.get(key);
  if (!q) {
    const timeout = net.sysctlInt('net.ipv4.ipfrag_time') * 1e9;
    const nq: FragQueue = { frags: [], header: new Uint8Array(0), first: null, timer: null!, meat: 0, len: 0 };
    nq.timer = timer_setup(net, () => {
      net.ipv4_frags.delete(key);
      IP_INC_STATS(net, 'ReasmFails');
      IP_INC_STATS(net, 'ReasmTimeout');
      if (nq.first) {
        icmp_send(net, nq.first, ICMP_TIME_EXCEEDED, ICMP_EXC_FRAGTIME, 0);
        kfree_skb(nq.first, 'FRAG_REASM_TIMEOUT', 'ip_expire');
      }
    });
    nq.timer.mod(net.engine.now + timeout);
    q = nq;
    net.ipv4_frags.set(key, q);
  }
  if (q.frags.some((f) => f.off === off)) {
    kfree_skb(skb, 'DUP_FRAG', 'ip_frag_queue');
    return null;
  }
  q.frags.push({ off, data, more });
  q.meat += data.length;
  if (!more) q.len = off + data.length;
  if (off === 0) {
    q.header = b.slice(nh, nh + hlen);
    if (q.first) consume_skb(q.first, 'ip_frag_queue');
    q.first = skb;
  } else consume_skb(skb, 'ip_frag_queue');
  if (!q.len || q.meat !== q.len || !q.header.length) return null;
  // Complete: ip_frag_reasm.
  q.timer.del();
  net.ipv4_frags.delete(key);
  const first = q.first!;
  const whole = alloc_skb(net, q.header.length + q.len, MAX_HEADER);
  const o = whole.skb_put(q.header.length + q.len);
  whole.buf.set(q.header, o);
  for (const f of q.frags) whole.buf.set(f.data, o + q.header.length + f.off);
  put16(whole.buf, o + 2, q.header.length + q.len);
  put16(whole.buf, o + 6, 0);
  ip_send_check(whole.buf, o);
  whole.skb_reset_network_header();
  whole.transport_header = o + q.header.length;
  whole.dev = first.dev;
  whole.dst = first.dst;
  whole.protocol = first.protocol;
  whole.pkt_type = first.pkt_type;
  consume_skb(first, 'ip_frag_reasm');
  IP_INC_STATS(net, 'ReasmOKs');
  return whole;
}
