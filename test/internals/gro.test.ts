// GRO (napi_gro_receive, tcp4_gro_receive): consecutive TCP segments of one
// flow reach the stack as one packet with valid headers; anything that
// breaks the run (a gap in sequence, PSH, other flags or options, another
// flow) flushes it; UDP and GRO turned off with ethtool -K pass one by one.
// What the stack sees is watched with a packet tap (as tcpdump would).
import { describe, expect, test } from 'vitest';
import { standaloneHost, sh } from '../support/host.js';
import { dev_add_pack } from '../../core/net/core/dev.js';
import { run_on_cpu } from '../../core/kernel/softirq.js';
import type { StlNic } from '../../core/drivers/stlnic.js';
import { csum_fold, csum_partial, csum_tcpudp } from '../../core/net/wire/checksum.js';
import { ip_send_check, put16, put32 } from '../../core/net/wire/ip.js';

const SRC = 0x0a000001;
const DST = 0x0a000002;

/** An Ethernet frame with a TCP segment (ACK, plus `flags`) of `len` bytes. */
function tcpFrame(dstMac: Uint8Array, seq: number, len: number, id: number, opts: { flags?: number; sport?: number; proto?: number } = {}): Uint8Array {
  const proto = opts.proto ?? 6;
  const l4 = proto === 6 ? 20 : 8;
  const f = new Uint8Array(14 + 20 + l4 + len);
  f.set(dstMac, 0);
  f.set([2, 0, 0, 0, 1, 1], 6);
  put16(f, 12, 0x0800);
  f[14] = 0x45;
  put16(f, 16, 20 + l4 + len);
  put16(f, 18, id);
  put16(f, 20, 0x4000);
  f[22] = 64;
  f[23] = proto;
  put32(f, 26, SRC);
  put32(f, 30, DST);
  ip_send_check(f, 14);
  const t = 34;
  put16(f, t, opts.sport ?? 40000);
  put16(f, t + 2, 80);
  for (let i = 0; i < len; i++) f[t + l4 + i] = (seq + i) & 0xff;
  if (proto === 6) {
    put32(f, t + 4, seq);
    put32(f, t + 8, 1);
    f[t + 12] = 5 << 4;
    f[t + 13] = 0x10 | (opts.flags ?? 0);
    put16(f, t + 14, 65535);
    put16(f, t + 16, csum_fold(csum_partial(f, t, 20 + len, csum_tcpudp(SRC, DST, 20 + len, 6))));
  } else {
    put16(f, t + 4, 8 + len);
  }
  return f;
}

function setup() {
  const h = standaloneHost(['eth0']);
  sh(h, 'ip addr add 10.0.0.2/24 dev eth0');
  const dev = h.nic('eth0')!;
  const seen: { len: number; segs: number; flags: number; csumOk: boolean }[] = [];
  dev_add_pack(h.net, {
    dev,
    rcv(skb, _dev, outgoing) {
      if (outgoing) return;
      const b = skb.buf;
      const ip = skb.data;
      const tcp = b[ip + 9] === 6;
      const tot = (b[ip + 2] << 8) | b[ip + 3];
      seen.push({
        len: skb.len,
        segs: skb.cb.gso_segs ?? 1,
        flags: tcp ? b[ip + 33] : 0,
        csumOk: !tcp || csum_fold(csum_partial(b, ip + 20, tot - 20, csum_tcpudp(SRC, DST, tot - 20, 6))) === 0,
      });
    },
  });
  const nic = dev.priv as StlNic;
  // The frames land in the ring back to back, before the CPU takes the
  // interrupt of the first one (as with interrupt moderation).
  const send = (frames: Uint8Array[]) => {
    run_on_cpu(h.net, h.net.cpus[0], 'hardirq', () => {
      for (const f of frames) nic.receiveFrame(f);
    });
    h.engine.runUntil(h.engine.now + 1e6);
  };
  return { h, dev, seen, send };
}

describe('GRO', () => {
  test('eight segments of one flow go up as one packet', () => {
    const { h, dev, seen, send } = setup();
    send(Array.from({ length: 8 }, (_, i) => tcpFrame(dev.dev_addr, 1000 + i * 1000, 1000, 100 + i)));
    expect(seen).toEqual([{ len: 20 + 20 + 8000, segs: 8, flags: 0x10, csumOk: true }]);
    expect(h.net.softnet[0].processed).toBe(1);
    // Long enough for ARP to give up on the errors sent back to 10.0.0.1.
    h.engine.runUntil(h.engine.now + 10e9);
    expect(h.net.outstanding).toBe(0);
  });

  test('PSH ends a run; a gap in sequence flushes it; two flows are merged apart', () => {
    const { h, dev, seen, send } = setup();
    send([
      ...Array.from({ length: 4 }, (_, i) => tcpFrame(dev.dev_addr, i * 1000, 1000, i, { flags: i === 3 ? 0x08 : 0 })),
      tcpFrame(dev.dev_addr, 10000, 1000, 10),
      tcpFrame(dev.dev_addr, 12000, 1000, 11),
      tcpFrame(dev.dev_addr, 0, 500, 20, { sport: 40001 }),
      tcpFrame(dev.dev_addr, 500, 500, 21, { sport: 40001 }),
    ]);
    expect(seen.map((s) => [s.len - 40, s.segs, s.flags & 0x08])).toEqual([
      [4000, 4, 0x08],
      [1000, 1, 0],
      [1000, 1, 0],
      [1000, 2, 0],
    ]);
    expect(seen.every((s) => s.csumOk)).toBe(true);
    // Long enough for ARP to give up on the errors sent back to 10.0.0.1.
    h.engine.runUntil(h.engine.now + 10e9);
    expect(h.net.outstanding).toBe(0);
  });

  test('UDP is not merged (no UDP_GRO socket, rx-udp-gro-forwarding off); neither is anything with GRO off', () => {
    const { h, dev, seen, send } = setup();
    send(Array.from({ length: 4 }, (_, i) => tcpFrame(dev.dev_addr, i * 100, 100, i, { proto: 17 })));
    expect(seen.length).toBe(4);
    expect(sh(h, 'ethtool -K eth0 gro off').exit).toBe(0);
    send(Array.from({ length: 4 }, (_, i) => tcpFrame(dev.dev_addr, i * 1000, 1000, i)));
    expect(seen.slice(4).map((s) => s.segs)).toEqual([1, 1, 1, 1]);
    // Long enough for ARP to give up on the errors sent back to 10.0.0.1.
    h.engine.runUntil(h.engine.now + 10e9);
    expect(h.net.outstanding).toBe(0);
  });
});
