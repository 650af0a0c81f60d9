// Bounded everything: each queue a flood can fill is filled past its bound,
// and the test checks the bound held and the drop counter Linux keeps for
// it moved by exactly the overflow. Then the host idles and every skb is
// freed again.
import { describe, expect, test } from 'vitest';
import { bootLab, pairLab } from '../support/lab.js';
import { standaloneHost } from '../support/host.js';
import { alloc_skb } from '../../core/net/core/skbuff.js';
import { netif_rx } from '../../core/net/core/dev.js';
import { TRACE_LIMIT } from '../../core/net/core/trace.js';
import { Sock } from '../../core/net/ipv4/sock.js';
import { udp_lib_get_port } from '../../core/net/ipv4/udp.js';
import { LOOP_GUARD_COPIES } from '../../core/net/bridge/br_loop_guard.js';
import { ipFrame, udp } from '../fuzz/frames.js';
import { target } from '../fuzz/harness.js';

const ip = (s: string) => s.split('.').reduce((a, x) => a * 256 + Number(x), 0);

describe('bounded queues', () => {
  test('neighbour queue: unres_qlen_bytes, then unresolved_discards', () => {
    const r = bootLab(pairLab());
    const a = r.host('a');
    r.startBackground('a', 'ping -q -c 400 -i 0.001 -s 1400 -W 1 10.0.0.99');
    r.idle(0.45e9); // 400 requests sent, the address still INCOMPLETE
    const n = [...a.net.arp_tbl.entries.values()].find((x) => x.key === ip('10.0.0.99'))!;
    const limit = a.net.sysctlInt('net.ipv4.neigh.eth0.unres_qlen_bytes');
    const queued = n.arp_queue.length;
    console.log(`arp_queue: ${queued} skbs, ${n.arp_queue_len_bytes} of ${limit} bytes; unresolved_discards ${a.net.arp_tbl.stats.unresolved_discards}`);
    expect(n.arp_queue_len_bytes).toBeLessThanOrEqual(limit);
    expect(n.arp_queue_len_bytes).toBeGreaterThan(limit - n.arp_queue[0].truesize);
    expect(a.net.arp_tbl.stats.unresolved_discards).toBe(400 - queued);
    r.idle(10e9); // resolution fails: the queue is freed
    expect(n.arp_queue.length).toBe(0);
    expect(r.outstanding()).toEqual({ a: 0, b: 0 });
  });

  test('backlog: netdev_max_backlog, then softnet dropped and rx_dropped', () => {
    const h = standaloneHost();
    const dev = h.nic('eth0')!;
    const max = h.net.sysctlInt('net.core.netdev_max_backlog');
    const N = max + 500;
    for (let i = 0; i < N; i++) {
      const skb = alloc_skb(h.net, 60, 64);
      skb.skb_put(60);
      skb.dev = dev;
      netif_rx(h.net, skb, h.net.cpus[0]);
    }
    const sd = h.net.softnet[0];
    // enqueue_to_backlog takes a packet while qlen <= netdev_max_backlog.
    expect(sd.input_pkt_queue.length).toBe(max + 1);
    expect(sd.dropped).toBe(N - max - 1);
    expect(dev.stats.rx_dropped).toBe(N - max - 1);
    h.engine.runUntil(h.engine.now + 1e9);
    expect(h.net.outstanding).toBe(0);
  });

  test('socket receive queue: sk_rcvbuf, then RcvbufErrors', () => {
    const t = target();
    const sk = new Sock(t.b.net, 'udp', 17);
    sk.rcv_saddr = 0;
    expect(udp_lib_get_port(t.b.net, sk, 7000)).toBe(true);
    const N = 400;
    for (let i = 0; i < N; i++) t.b.deliver({ arrival: t.runner.now + 1 + i * 20_000, fromHost: 0, seq: i, toHost: 1, toIfindex: t.b.nic('eth0')!.ifindex, bytes: ipFrame(udp(new Uint8Array(1000), { dport: 7000 }), { proto: 17, id: i }) });
    t.runner.idle(1e9);
    const queued = sk.receive_queue.length;
    const truesize = sk.receive_queue[0].truesize;
    console.log(`udp receive queue: ${queued} datagrams, rmem ${sk.rmem_alloc} of rcvbuf ${sk.rcvbuf}; RcvbufErrors ${t.b.net.mib.counter('Udp', 'RcvbufErrors')}`);
    // __udp_enqueue_schedule_skb lets one datagram overshoot sk_rcvbuf.
    expect(sk.rmem_alloc).toBeLessThanOrEqual(sk.rcvbuf + truesize);
    expect(queued).toBeLessThan(N);
    expect(t.b.net.mib.counter('Udp', 'RcvbufErrors')).toBe(N - queued);
    expect(sk.drops).toBe(N - queued);
    expect(t.b.net.mib.counter('Udp', 'InDatagrams')).toBe(0); // counted by udp_recvmsg, and nobody read
    expect(t.b.net.outstanding).toBe(queued);
  });

  test('qdisc: txqueuelen, then qdisc drops and tx_dropped', () => {
    const lab = pairLab(['ip link set dev eth0 txqueuelen 10']).replace('  - endpoints: [a:eth0, b:eth0]\n', '  - endpoints: [a:eth0, b:eth0]\n    rate: 1mbit\n').replace('    exec:\n      - ip addr add 10.0.0.1/24 dev eth0', '    nics: { eth0: { tx_ring: 64 } }\n    exec:\n      - ip addr add 10.0.0.1/24 dev eth0');
    const r = bootLab(lab);
    const a = r.host('a');
    const dev = a.nic('eth0')!;
    const q = dev.qdisc!;
    let most = 0;
    r.runCommand('a', 'ping -c 1 -W 1 10.0.0.2'); // resolve b first
    r.startBackground('a', 'ping -q -c 300 -i 0.001 -s 1400 -W 1 10.0.0.2');
    for (let i = 0; i < 40; i++) {
      r.idle(10e6);
      most = Math.max(most, q.qlen);
    }
    console.log(`qdisc: at most ${most} of ${q.limit} queued; drops ${q.qstats.drops}, tx_dropped ${dev.stats.tx_dropped}`);
    expect(q.limit).toBe(10);
    expect(most).toBeLessThanOrEqual(10);
    expect(q.qstats.drops).toBeGreaterThan(0);
    expect(dev.stats.tx_dropped).toBe(q.qstats.drops);
    r.idle(10e9);
    expect(r.outstanding()).toEqual({ a: 0, b: 0 });
  });

  test(`trace buffer: TRACE_LIMIT (${TRACE_LIMIT}) records, older ones counted as lost`, () => {
    const h = standaloneHost();
    const tr = h.net.tracer;
    tr.on = true;
    const N = TRACE_LIMIT + 5000;
    for (let i = 0; i < N; i++) tr.fn(null, 'bound_test', String(i));
    expect(tr.lost).toBe(5000);
    const recs = tr.records;
    expect(recs.length).toBe(TRACE_LIMIT);
    expect([recs[0].info, recs[recs.length - 1].info]).toEqual(['5000', String(N - 1)]);
  });

  test('an L2 loop: the broadcast storm dies out, drops are counted, nothing leaks', () => {
    // Two bridges joined by two cables: a loop with STP off (Linux's default).
    const r = bootLab(`version: 1
hosts:
  s1:
    exec:
      - ip link add br0 type bridge mcast_snooping 0
      - ip link set eth0 master br0
      - ip link set eth1 master br0
      - ip link set eth2 master br0
      - ip link set br0 up
  s2:
    exec:
      - ip link add br0 type bridge mcast_snooping 0
      - ip link set eth0 master br0
      - ip link set eth1 master br0
      - ip link set br0 up
  a:
    exec:
      - ip addr add 10.0.0.1/24 dev eth0
links:
  - endpoints: [s1:eth0, s2:eth0]
  - endpoints: [s1:eth1, s2:eth1]
  - endpoints: [s1:eth2, a:eth0]
`);
    const started = performance.now();
    r.runCommand('a', 'ping -c 1 -W 1 10.0.0.9'); // one ARP broadcast into the loop
    r.idle(5e9);
    const ms = performance.now() - started;
    const guard = (h: string) => (r.host(h).nic('br0')!.priv as { loop_guard: { dropped: number; loops: number } }).loop_guard;
    const dropped = guard('s1').dropped + guard('s2').dropped;
    const aRx = r.host('a').nic('eth0')!.stats.rx_packets;
    console.log(`L2 loop: ${dropped} looping copies dropped, a received ${aRx} frames, ${ms.toFixed(0)} ms`);
    expect(dropped).toBeGreaterThan(0);
    // Each bridge passes a looping frame at most LOOP_GUARD_COPIES times.
    expect(aRx).toBeLessThanOrEqual(2 * LOOP_GUARD_COPIES * 3 + 10);
    expect(ms).toBeLessThan(20_000);
    r.idle(10e9);
    expect(r.outstanding()).toEqual({ s1: 0, s2: 0, a: 0 });
  });
});
