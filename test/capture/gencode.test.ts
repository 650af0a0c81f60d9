// The filter compiler (libpcap's language) on hand-built frames.
import { describe, it, expect } from 'vitest';
import { pcap_compile } from '../../core/pcap/gencode.js';
import { LINKTYPE_RAW } from '../../core/pcap/pcap.js';

function ipv4(proto: number, src: number[], dst: number[], sport = 0, dport = 0, fragOff = 0): Uint8Array {
  const b = new Uint8Array(14 + 20 + 20);
  b.set([0x02, 0, 0, 0, 2, 1, 0x02, 0, 0, 0, 1, 1, 0x08, 0x00]);
  b[14] = 0x45;
  b[20] = fragOff >> 8;
  b[21] = fragOff & 0xff;
  b[23] = proto;
  b.set(src, 26);
  b.set(dst, 30);
  b.set([sport >> 8, sport & 0xff, dport >> 8, dport & 0xff], 34);
  if (proto === 1) b[34] = 8; // echo request
  if (proto === 6) b[47] = 0x02; // SYN
  return b;
}
const arp = (() => {
  const b = new Uint8Array(42);
  b.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 1, 1, 0x08, 0x06]);
  b.set([10, 0, 1, 2], 28);
  b.set([10, 0, 1, 1], 38);
  return b;
})();
const icmp = ipv4(1, [10, 0, 1, 2], [10, 0, 2, 2]);
const udp = ipv4(17, [10, 0, 1, 2], [10, 0, 2, 2], 5000, 53);
const tcp = ipv4(6, [10, 0, 2, 2], [10, 0, 1, 2], 5555, 40000);
const frag = ipv4(17, [10, 0, 1, 2], [10, 0, 2, 2], 5000, 53, 185);

const cases: [string, boolean[]][] = [
  // [expression, [icmp, udp, tcp, arp, frag]]
  ['icmp', [true, false, false, false, false]],
  ['arp', [false, false, false, true, false]],
  ['ip', [true, true, true, false, true]],
  ['host 10.0.1.2', [true, true, true, true, true]],
  ['src host 10.0.1.2', [true, true, false, true, true]],
  ['dst 10.0.1.2', [false, false, true, false, false]],
  ['arp and host 10.0.1.1', [false, false, false, true, false]],
  ['net 10.0.2.0/24', [true, true, true, false, true]],
  ['src net 10.0.2', [false, false, true, false, false]],
  ['port 53', [false, true, false, false, false]],
  ['udp dst port domain', [false, true, false, false, false]],
  ['tcp port 53', [false, false, false, false, false]],
  ['portrange 5000-5555', [false, true, true, false, false]],
  ['port 80 or 53', [false, true, false, false, false]],
  ['host 10.9.9.9 or 10.0.2.2', [true, true, true, false, true]],
  ['not arp and not icmp', [false, true, true, false, true]],
  ['icmp or udp and host 10.0.1.2', [true, true, false, false, true]],
  ['icmp or (udp and host 10.9.9.9)', [true, false, false, false, false]],
  ['icmp[icmptype] == icmp-echo', [true, false, false, false, false]],
  ['tcp[tcpflags] & tcp-syn != 0', [false, false, true, false, false]],
  ['ip proto 17', [false, true, false, false, true]],
  ['broadcast', [false, false, false, true, false]],
  ['ether src 02:00:00:00:01:01', [true, true, true, true, true]],
  ['less 54', [true, true, true, true, true]],
  ['less 53', [false, false, false, true, false]],
  ['len > 60', [false, false, false, false, false]],
];

describe('pcap_compile', () => {
  for (const [expr, want] of cases)
    it(expr, () => {
      const m = pcap_compile(expr);
      expect([icmp, udp, tcp, arp, frag].map((f) => m(f, f.length))).toEqual(want);
    });
  it('works on raw IPv4 (pcap files with LINKTYPE_RAW)', () => {
    const m = pcap_compile('udp and dst port 53', LINKTYPE_RAW);
    expect(m(udp.subarray(14), 28)).toBe(true);
    expect(m(icmp.subarray(14), 28)).toBe(false);
  });
  for (const [expr, msg] of [
    ['badproto', 'syntax error'],
    ['host and', 'syntax error'],
    ['(icmp', 'syntax error'],
    ['port 99999', 'illegal port number 99999 > 65535'],
    ['net 10.0.1.1/24', 'non-network bits set in "10.0.1.1/24"'],
    ['icmp[0:3] == 1', 'data size must be 1, 2, or 4'],
  ])
    it(`refuses ${expr}: ${msg}`, () => expect(() => pcap_compile(expr)).toThrow(msg));
});
