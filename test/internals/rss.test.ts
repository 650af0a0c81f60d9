// RSS: the Toeplitz hash against the verification vectors of Microsoft's
// RSS specification (the key ethtool -x prints), the NIC's table-driven
// hash against the bit-serial definition, and the default indirection table.
import { describe, expect, test } from 'vitest';
import { toeplitz_hash, RSS_DEFAULT_KEY, RssConfig, rss_tuple, ethtool_rxfh_indir_default } from '../../core/drivers/rss.js';

const ip = (s: string) => s.split('.').map(Number);

/** [source, source port, destination, destination port, IPv4 hash, IPv4+TCP hash] */
const VECTORS: [string, number, string, number, number, number][] = [
  ['66.9.149.187', 2794, '161.142.100.80', 1766, 0x323e8fc2, 0x51ccc178],
  ['199.92.111.2', 14230, '65.69.140.83', 4739, 0xd718262a, 0xc626b0ea],
  ['24.19.198.95', 12898, '12.22.207.184', 38024, 0xd2d0a5de, 0x5c2b394a],
  ['38.27.205.30', 48228, '209.142.163.6', 2217, 0x82989176, 0xafc7327f],
  ['153.39.163.191', 44251, '202.188.127.2', 1303, 0x5d1809c5, 0x10e828a2],
];

/** An Ethernet + IPv4 + L4 frame with the given tuple. */
function frame(src: string, sport: number, dst: string, dport: number, proto = 6, fragOff = 0): Uint8Array {
  const f = new Uint8Array(60);
  f[12] = 0x08;
  f[14] = 0x45;
  f[20] = fragOff >> 8;
  f[21] = fragOff & 0xff;
  f[23] = proto;
  f.set(ip(src), 26);
  f.set(ip(dst), 30);
  f[34] = sport >> 8;
  f[35] = sport & 0xff;
  f[36] = dport >> 8;
  f[37] = dport & 0xff;
  return f;
}

describe('Toeplitz hash', () => {
  test.each(VECTORS)('%s:%i -> %s:%i', (src, sport, dst, dport, h4, h4tcp) => {
    expect(toeplitz_hash(RSS_DEFAULT_KEY, new Uint8Array([...ip(src), ...ip(dst)]))).toBe(h4);
    expect(toeplitz_hash(RSS_DEFAULT_KEY, new Uint8Array([...ip(src), ...ip(dst), sport >> 8, sport & 255, dport >> 8, dport & 255]))).toBe(h4tcp);
  });

  test('the NIC hashes TCP and UDP on the 4-tuple, fragments and other protocols on the addresses', () => {
    const rss = new RssConfig(4);
    for (const [src, sport, dst, dport, h4, h4tcp] of VECTORS) {
      expect(rss.hash(frame(src, sport, dst, dport, 6))).toEqual({ hash: h4tcp, l4: true });
      expect(rss.hash(frame(src, sport, dst, dport, 17))).toEqual({ hash: h4tcp, l4: true });
      expect(rss.hash(frame(src, sport, dst, dport, 1))).toEqual({ hash: h4, l4: false });
      expect(rss.hash(frame(src, sport, dst, dport, 17, 0x2000))).toEqual({ hash: h4, l4: false });
    }
    const arp = frame('1.2.3.4', 1, '5.6.7.8', 2);
    arp[13] = 0x06;
    expect(rss.hash(arp)).toEqual({ hash: 0, l4: false });
    expect(rss_tuple(arp)).toBeNull();
  });

  test('a new key changes the hash the NIC computes', () => {
    const rss = new RssConfig(4);
    const key = new Uint8Array(40).fill(0xa5);
    rss.key = key;
    const f = frame('10.0.0.1', 9, '10.0.0.2', 5000, 17);
    expect(rss.hash(f).hash).toBe(toeplitz_hash(key, rss_tuple(f)!.input));
  });
});

describe('indirection table', () => {
  test('ethtool_rxfh_indir_default spreads 128 entries round-robin', () => {
    const rss = new RssConfig(3);
    expect(rss.indir.length).toBe(128);
    expect([...rss.indir.slice(0, 7)]).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(ethtool_rxfh_indir_default(127, 4)).toBe(3);
    // The low 7 bits of the hash pick the entry.
    expect(rss.queueFor(0x51ccc178)).toBe(rss.indir[0x78]);
  });
});
