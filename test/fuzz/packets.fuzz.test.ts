// Packet fuzzing: random and mutated frames into host b's NIC. Whatever comes
// in, no exception escapes the kernel model, every skb is freed or held by a
// socket once the host has idled past its timers, and the counters keep the
// kernel's invariants. FUZZ_RUNS scales it (default: 50 labs x 200 frames).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { arp, cat, echo, eth, ETH_P_ARP, ETH_P_IP, icmp, ipFrame, ipv4, tcp, udp, csum, IP_A, IP_B, MAC_B } from './frames.js';
import { counters, delta, heldInSockets, target } from './harness.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 50);
const PER_RUN = 200;

const data = (n: number) => new Uint8Array(n).map((_, i) => (i * 7) & 0xff);
const innerUdp = ipv4(udp(data(4), { sport: 9, dport: 40000, src: IP_B, dst: IP_A }), { src: IP_B, dst: IP_A, proto: 17 });

/** Well-formed frames the mutations start from: every protocol b parses. */
const BASES: Uint8Array[] = [
  ipFrame(echo(data(16))),
  ipFrame(echo(data(1400))),
  ipFrame(udp(data(32)), { proto: 17 }),
  ipFrame(udp(data(32), { dport: 5000 }), { proto: 17 }),
  ipFrame(tcp(data(0)), { proto: 6 }),
  ipFrame(tcp(data(40), { flags: 0x18, dport: 5000 }), { proto: 6 }),
  ipFrame(icmp(3, 3, [0, 0, 0, 0], innerUdp)),
  ipFrame(icmp(3, 4, [0, 0, 5, 0xdc], innerUdp)),
  ipFrame(icmp(11, 0, [0, 0, 0, 0], innerUdp)),
  ipFrame(icmp(5, 1, [10, 0, 0, 3], innerUdp)),
  ipFrame(icmp(13, 0, [0, 1, 0, 1], data(12))),
  ipFrame(echo(data(64)), { frag: 0x2000 }),
  ipFrame(data(64), { frag: 8, proto: 1 }),
  ipFrame(data(64), { frag: 0x2000 | 100, proto: 17 }),
  ipFrame(echo(data(16)), { options: [7, 7, 4, 0, 0, 0, 0, 0] }),
  ipFrame(echo(data(16)), { options: [68, 12, 5, 1, 0, 0, 0, 0, 0, 0, 0, 0] }),
  ipFrame(echo(data(16)), { options: [131, 7, 4, 10, 0, 0, 2, 0] }),
  ipFrame(echo(data(16)), { dst: [10, 0, 0, 255] }),
  ipFrame(udp(data(8), { dport: 137 }), { dst: [255, 255, 255, 255], proto: 17 }),
  eth(ETH_P_IP, ipv4(echo(data(16)), { dst: [224, 0, 0, 1], ttl: 1 }), [0x01, 0, 0x5e, 0, 0, 1]),
  eth(ETH_P_ARP, arp(1), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
  eth(ETH_P_ARP, arp(2)),
  eth(ETH_P_ARP, arp(1, { tip: [10, 0, 0, 77] }), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
];

/** Put the IPv4 header checksum right again, so mutations reach the layers above. */
function fixIpCsum(f: Uint8Array): Uint8Array {
  if (f.length < 34 || f[12] !== 8 || f[13] !== 0) return f;
  const ihl = (f[14] & 0xf) * 4;
  if (ihl < 20 || f.length < 14 + ihl) return f;
  f[24] = f[25] = 0;
  const c = csum(f.subarray(14, 14 + ihl));
  f[24] = c >> 8;
  f[25] = c & 0xff;
  return f;
}

type Mut =
  | { k: 'flip'; at: number; bit: number }
  | { k: 'set'; at: number; v: number }
  | { k: 'cut'; at: number }
  | { k: 'grow'; extra: Uint8Array };

const mutation: fc.Arbitrary<Mut> = fc.oneof(
  fc.record({ k: fc.constant('flip' as const), at: fc.nat(1600), bit: fc.nat(7) }),
  fc.record({ k: fc.constant('set' as const), at: fc.nat(80), v: fc.constantFrom(0, 1, 4, 5, 6, 15, 0x40, 0x45, 0x7f, 0x80, 0xff) }),
  fc.record({ k: fc.constant('cut' as const), at: fc.nat(1600) }),
  fc.record({ k: fc.constant('grow' as const), extra: fc.uint8Array({ maxLength: 64 }) }),
);

function apply(base: Uint8Array, muts: Mut[], fixCsum: boolean): Uint8Array {
  let f: Uint8Array = base.slice();
  for (const m of muts) {
    if (m.k === 'flip' && f.length) f[m.at % f.length] ^= 1 << m.bit;
    else if (m.k === 'set' && f.length) f[m.at % f.length] = m.v;
    else if (m.k === 'cut') f = f.subarray(0, m.at % (f.length + 1));
    else if (m.k === 'grow') f = cat(f, m.extra);
  }
  return fixCsum ? fixIpCsum(f) : f;
}

const frame: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  // Random bytes behind a valid Ethernet header: the IP/ARP parsers see garbage.
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(ETH_P_IP, ETH_P_ARP), fc.uint8Array({ maxLength: 120 })).map(([t, p]) => fixIpCsum(eth(t, p))) },
  { weight: 7, arbitrary: fc.tuple(fc.constantFrom(...BASES), fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean()).map(([b, m, fix]) => apply(b, m, fix)) },
);

/** Would b's stack hand this frame to ip_rcv (IPv4 ethertype, for us or multicast)? */
function reachesIpRcv(f: Uint8Array): boolean {
  if (f.length < 14 || f[12] !== 8 || f[13] !== 0) return false;
  return (f[0] & 1) === 1 || MAC_B.every((x, i) => f[i] === x);
}

const WATCH = [
  'Ip.InReceives', 'Ip.OutRequests', 'Ip.InHdrErrors', 'IpExt.InCsumErrors', 'Icmp.InErrors', 'Icmp.InCsumErrors',
  'Udp.InErrors', 'Udp.InCsumErrors', 'Tcp.InErrs', 'Tcp.InCsumErrors',
];

describe('packet fuzzing', () => {
  test(`${RUNS * PER_RUN} random and mutated frames: no exception, no leak, counters consistent`, () => {
    const started = performance.now();
    let frames = 0;
    fc.assert(
      fc.property(fc.array(frame, { minLength: PER_RUN, maxLength: PER_RUN }), (batch) => {
        const t = target();
        t.runner.startBackground('b', 'nc -u -l 5000');
        const before = counters(t.b, WATCH);
        // One frame every 2 us: the RX ring never overflows, so every frame is seen.
        batch.forEach((f, i) => t.b.deliver({ arrival: t.runner.now + 1 + i * 2000, fromHost: 0, seq: i, toHost: 1, toIfindex: t.b.nic('eth0')!.ifindex, bytes: f }));
        frames += batch.length;
        t.runner.idle(1e9);
        const d = delta(before, counters(t.b, WATCH));
        // ip_rcv saw each IPv4 frame for us once, plus some of what b sent
        // itself (an echo reply to a broadcast source loops back, as in Linux).
        const forUs = batch.filter(reachesIpRcv).length;
        expect(d['Ip.InReceives']).toBeGreaterThanOrEqual(forUs);
        expect(d['Ip.InReceives']).toBeLessThanOrEqual(forUs + d['Ip.OutRequests']);
        // Every checksum error is also an error of its layer.
        expect(d['IpExt.InCsumErrors']).toBeLessThanOrEqual(d['Ip.InHdrErrors']);
        expect(d['Icmp.InCsumErrors']).toBeLessThanOrEqual(d['Icmp.InErrors']);
        expect(d['Udp.InCsumErrors']).toBeLessThanOrEqual(d['Udp.InErrors']);
        expect(d['Tcp.InCsumErrors']).toBeLessThanOrEqual(d['Tcp.InErrs']);
        // Past the reassembly timeout (30 s) and the neighbour timers.
        t.runner.idle(40e9);
        expect(t.a.net.outstanding).toBe(heldInSockets(t.a));
        expect(t.b.net.outstanding).toBe(heldInSockets(t.b));
      }),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 0x5eed), endOnFailure: true },
    );
    const s = (performance.now() - started) / 1000;
    console.log(`packet fuzz: ${frames} frames in ${s.toFixed(1)} s (${Math.round(frames / s)} frames/s)`);
    expect(frames).toBeGreaterThanOrEqual(RUNS * PER_RUN);
  });
});
