// /proc/net/arp against text captured from Linux 6.18: reachable, stale,
// permanent, incomplete and proxy entries (a noarp entry is not listed).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  NUD_FAILED,
  NUD_INCOMPLETE,
  NUD_NOARP,
  NUD_PERMANENT,
  NUD_REACHABLE,
  NUD_STALE,
  PROC_NET_ARP_HEADER,
  arp_seq_shows,
  arp_state_to_flags,
  procNetArp,
  type ArpEntry,
} from '../../core/proc/net_arp.js';

const fixture = (f: string) => readFileSync(new URL(`./fixtures/${f}`, import.meta.url), 'utf8');

function parse(text: string): ArpEntry[] {
  return text
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((l) => {
      const [ip, hw, flags, mac, mask, dev] = l.split(/ +/);
      return { ip, hwType: parseInt(hw, 16), flags: parseInt(flags, 16), mac, mask, dev };
    });
}

describe('/proc/net/arp', () => {
  test.each(['arp_fresh.txt', 'arp_traffic.txt'])('%s prints back byte for byte', (f) => {
    const text = fixture(f);
    expect(text.startsWith(PROC_NET_ARP_HEADER)).toBe(true);
    expect(procNetArp(parse(text))).toBe(text);
  });

  test('the captured entries carry the flags Linux derives from their states', () => {
    const byIp = Object.fromEntries(parse(fixture('arp_traffic.txt')).map((e) => [e.ip, e.flags]));
    expect(byIp['10.9.0.2']).toBe(arp_state_to_flags(NUD_REACHABLE));
    expect(byIp['10.9.0.51']).toBe(arp_state_to_flags(NUD_STALE));
    expect(byIp['10.9.0.50']).toBe(arp_state_to_flags(NUD_PERMANENT));
    expect(byIp['10.9.0.77']).toBe(arp_state_to_flags(NUD_INCOMPLETE));
    expect(byIp['10.9.0.60']).toBe(0xc); // proxy (pneigh) entry
    expect(byIp['10.9.0.52']).toBeUndefined(); // NUD_NOARP is skipped
    expect([NUD_NOARP, 0, NUD_FAILED, NUD_STALE].map(arp_seq_shows)).toEqual([false, false, true, true]);
  });

  test('defaults: Ethernet, mask *, zero MAC for an incomplete entry', () => {
    expect(procNetArp([{ ip: '192.168.100.200', flags: 0, dev: 'eth0' }])).toBe(
      PROC_NET_ARP_HEADER + '192.168.100.200  0x1         0x0         00:00:00:00:00:00     *        eth0\n',
    );
  });
});
