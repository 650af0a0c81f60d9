// Header views against byte fixtures.
import { describe, it, expect } from 'vitest';
import { csum_partial, csum_fold, ip_fast_csum, csum_tcpudp } from '../../core/net/wire/checksum.js';
import { iph, ip_decrease_ttl, ip_send_check, parseIPv4, formatIPv4, inet_make_mask } from '../../core/net/wire/ip.js';
import { eth, ETH_P_ARP, parseMac, formatMac } from '../../core/net/wire/ethernet.js';
import { arph, ARPOP_REQUEST } from '../../core/net/wire/arp.js';
import { udph } from '../../core/net/wire/udp.js';
import { icmph } from '../../core/net/wire/icmp.js';

const hex = (s: string) => new Uint8Array(s.replace(/\s+/g, '').match(/../g)!.map((x) => parseInt(x, 16)));

// A real IPv4/UDP header (DNS query 192.168.0.1 -> 192.168.0.199), checksum 0xb861.
const IPV4 = hex('45000073 00004000 4011b861 c0a80001 c0a800c7');
// The ARP request h1 sends in oracle case 01 (who-has 192.168.10.2 tell 192.168.10.1).
const ARP = hex('ffffffffffff 020000000101 0806 0001 0800 06 04 0001 020000000101 c0a80a01 000000000000 c0a80a02');

describe('checksums (RFC 1071)', () => {
  it('sums the RFC 1071 example to 0xddf2', () => {
    expect(csum_partial(hex('0001f203f4f5f6f7'), 0, 8)).toBe(0xddf2);
  });
  it('validates and recomputes a real IPv4 header', () => {
    expect(ip_fast_csum(IPV4, 0, 5)).toBe(0);
    const b = IPV4.slice();
    b[10] = b[11] = 0;
    ip_send_check(b, 0);
    expect(iph.check(b, 0)).toBe(0xb861);
  });
  it('decrements TTL with the incremental update of RFC 1624', () => {
    for (let ttl = 2; ttl < 256; ttl += 17) {
      const b = IPV4.slice();
      b[8] = ttl;
      ip_send_check(b, 0);
      ip_decrease_ttl(b, 0);
      expect(iph.ttl(b, 0)).toBe(ttl - 1);
      expect(ip_fast_csum(b, 0, 5)).toBe(0);
    }
  });
  it('includes the pseudo header for UDP', () => {
    // UDP datagram 10.0.0.1:1234 -> 10.0.0.2:53, payload "hi".
    const u = hex('04d2 0035 000a 0000 6869');
    const sum = csum_fold(csum_partial(u, 0, 10, csum_tcpudp(0x0a000001, 0x0a000002, 10, 17)));
    u[6] = sum >> 8;
    u[7] = sum & 0xff;
    expect(csum_fold(csum_partial(u, 0, 10, csum_tcpudp(0x0a000001, 0x0a000002, 10, 17)))).toBe(0);
    expect(udph.source(u, 0)).toBe(1234);
    expect(udph.len(u, 0)).toBe(10);
  });
});

describe('header views', () => {
  it('read IPv4 fields', () => {
    expect(iph.version(IPV4, 0)).toBe(4);
    expect(iph.ihl(IPV4, 0)).toBe(5);
    expect(iph.tot_len(IPV4, 0)).toBe(0x73);
    expect(iph.frag_off(IPV4, 0)).toBe(0x4000);
    expect(iph.ttl(IPV4, 0)).toBe(64);
    expect(iph.protocol(IPV4, 0)).toBe(17);
    expect(formatIPv4(iph.saddr(IPV4, 0))).toBe('192.168.0.1');
    expect(formatIPv4(iph.daddr(IPV4, 0))).toBe('192.168.0.199');
  });
  it('read Ethernet and ARP fields', () => {
    expect(eth.proto(ARP, 0)).toBe(ETH_P_ARP);
    expect(formatMac(eth.source(ARP, 0))).toBe('02:00:00:00:01:01');
    expect(arph.op(ARP, 14)).toBe(ARPOP_REQUEST);
    expect(formatIPv4(arph.sip(ARP, 14))).toBe('192.168.10.1');
    expect(formatIPv4(arph.tip(ARP, 14))).toBe('192.168.10.2');
  });
  it('read ICMP echo fields', () => {
    const e = hex('0800 f7fe 0064 0001');
    expect(icmph.type(e, 0)).toBe(8);
    expect(icmph.echo_id(e, 0)).toBe(100);
    expect(icmph.echo_seq(e, 0)).toBe(1);
  });
  it('parse and format addresses', () => {
    expect(parseIPv4('10.0.0.300')).toBeNull();
    expect(parseIPv4('1.2.3')).toBeNull();
    expect(formatIPv4(parseIPv4('255.255.255.255')!)).toBe('255.255.255.255');
    expect(formatIPv4(inet_make_mask(29))).toBe('255.255.255.248');
    expect(inet_make_mask(0)).toBe(0);
    expect(parseMac('02:00:00:00:0A:ff')).toEqual(hex('02000000 0aff'));
    expect(parseMac('02:00:00:00:0a')).toBeNull();
  });
});
