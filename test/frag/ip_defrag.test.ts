// ip_defrag edge cases against a host's stack: fragments are injected with
// ip_rcv as if they had arrived on eth0. Reassembly, duplicates, overlaps
// (the whole queue is dropped, ReasmOverlaps), and the ipfrag_time timeout,
// which sends "fragment reassembly time exceeded" only when the first
// fragment had arrived.
import { describe, it, expect } from 'vitest';
import { parseLab } from '../../core/lab/parse.js';
import { LabRunner } from '../../core/runtime/lab_runner.js';
import { alloc_skb, NET_SKB_PAD } from '../../core/net/core/skbuff.js';
import { iph, IP_MF, IPPROTO_UDP, put16 } from '../../core/net/wire/ip.js';
import { ip_rcv } from '../../core/net/ipv4/ip_input.js';
import { run_on_cpu } from '../../core/kernel/softirq.js';
import type { Net } from '../../core/net/net_namespace.js';

const LAB = `
version: 1
name: defrag
hosts:
  a:
    exec: [ip addr add 10.0.0.1/24 dev eth0]
  b:
    exec: [ip addr add 10.0.0.2/24 dev eth0]
links:
  - endpoints: [a:eth0, b:eth0]
`;

function setup() {
  const r = new LabRunner(parseLab(LAB, 'defrag.lab.yaml'));
  r.boot();
  const b = r.host('b');
  // Teach b the sender's MAC so a time-exceeded can leave without ARP delay.
  r.runCommand('b', 'ping -c 1 10.0.0.1');
  return { r, net: b.net };
}

/** A fragment of a UDP datagram with id 77 from 10.0.0.1 to 10.0.0.2. */
function frag(net: Net, off: number, len: number, more: boolean, fill = 0xab): void {
  const skb = alloc_skb(net, 20 + len, NET_SKB_PAD + 14);
  const o = skb.skb_put(20 + len);
  iph.write(skb.buf, o, { tos: 0, tot_len: 20 + len, id: 77, frag_off: (off >> 3) | (more ? IP_MF : 0), ttl: 64, protocol: IPPROTO_UDP, saddr: 0x0a000001, daddr: 0x0a000002 });
  skb.buf.fill(fill, o + 20, o + 20 + len);
  if (off === 0) {
    // A UDP header for a 40-byte datagram to a closed port, checksum off.
    put16(skb.buf, o + 20, 4000);
    put16(skb.buf, o + 22, 9);
    put16(skb.buf, o + 24, 40);
    put16(skb.buf, o + 26, 0);
  }
  skb.skb_reset_network_header();
  const dev = net.dev_get_by_name('eth0')!;
  skb.dev = dev;
  skb.protocol = 0x0800;
  run_on_cpu(net, net.cpus[0], 'softirq', () => ip_rcv(net, skb, dev));
}

const ip = (net: Net, f: string) => net.mib.counter('Ip', f) ?? 0;

describe('ip_defrag', () => {
  it('reassembles out of order and delivers the datagram once', () => {
    const { r, net } = setup();
    frag(net, 16, 24, false);
    frag(net, 0, 16, true);
    r.idle(1e6);
    expect([ip(net, 'ReasmReqds'), ip(net, 'ReasmOKs'), ip(net, 'ReasmFails')]).toEqual([2, 1, 0]);
    // The whole datagram reached UDP, which had no socket: port unreachable.
    expect(net.mib.counter('Udp', 'NoPorts')).toBe(1);
  });

  it('drops an exact duplicate but keeps the queue', () => {
    const { r, net } = setup();
    const drops: string[] = [];
    net.onFree = (_s, reason) => reason && drops.push(reason);
    frag(net, 0, 16, true);
    frag(net, 0, 16, true);
    frag(net, 16, 24, false);
    r.idle(1e6);
    expect(drops).toContain('DUP_FRAG');
    expect(ip(net, 'ReasmOKs')).toBe(1);
  });

  it('drops the whole queue on an overlap and counts ReasmOverlaps', () => {
    const { r, net } = setup();
    frag(net, 0, 16, true);
    frag(net, 8, 32, false);
    r.idle(1e6);
    expect(net.mib.counter('IpExt', 'ReasmOverlaps')).toBe(1);
    expect([ip(net, 'ReasmOKs'), ip(net, 'ReasmFails')]).toEqual([0, 1]);
    // The rest of the datagram can no longer complete it.
    frag(net, 16, 24, false);
    r.idle(1e6);
    expect(ip(net, 'ReasmOKs')).toBe(0);
  });

  it('times out after ipfrag_time with time exceeded only if the first fragment came', () => {
    const { r, net } = setup();
    r.runCommand('b', 'sysctl -w net.ipv4.ipfrag_time=5');
    frag(net, 0, 16, true);
    r.idle(4e9);
    expect(ip(net, 'ReasmTimeout')).toBe(0);
    r.idle(2e9);
    expect([ip(net, 'ReasmTimeout'), ip(net, 'ReasmFails')]).toEqual([1, 1]);
    expect(net.mib.counter('Icmp', 'OutTimeExcds')).toBe(1);
    // Only a later fragment: the queue times out silently.
    frag(net, 16, 24, false);
    r.idle(6e9);
    expect(ip(net, 'ReasmTimeout')).toBe(2);
    expect(net.mib.counter('Icmp', 'OutTimeExcds')).toBe(1);
    const a = r.host('a').net;
    expect(a.mib.counter('Icmp', 'InTimeExcds')).toBe(1);
    r.idle(10e9);
    expect(Object.values(r.outstanding()).reduce((x, y) => x + y, 0)).toBe(0);
  });
});
