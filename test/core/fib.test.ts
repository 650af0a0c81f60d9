// FIB lookups: longest prefix, metrics, route types, and the kernel's dump order.
import { describe, it, expect } from 'vitest';
import { standaloneHost, sh } from '../support/host.js';
import { parseIPv4 as ip, formatIPv4 } from '../../core/net/wire/ip.js';
import { RTN_UNREACHABLE } from '../../core/net/ipv4/fib.js';

function router() {
  const h = standaloneHost(['eth0', 'eth1']);
  for (const l of [
    'ip addr add 192.0.2.1/29 dev eth0',
    'ip addr add 198.51.100.1/29 dev eth1',
    'ip route add 10.0.0.0/8 via 192.0.2.2',
    'ip route add 10.0.0.0/16 via 198.51.100.2',
    'ip route add 10.0.0.0/24 via 192.0.2.3 metric 100',
    'ip route add 10.0.0.0/24 via 198.51.100.3 metric 50',
    'ip route add default via 192.0.2.6',
  ])
    expect(sh(h, l).exit).toBe(0);
  return h;
}

const gw = (h: ReturnType<typeof router>, dst: string) => {
  const r = h.net.fib.lookup(ip(dst)!);
  return r ? `${formatIPv4(r.fa.nh.gw)}/${r.prefixlen}` : null;
};

describe('fib_lookup', () => {
  it('takes the longest prefix, then the lowest metric', () => {
    const h = router();
    expect(gw(h, '10.0.0.9')).toBe('198.51.100.3/24');
    expect(gw(h, '10.0.1.9')).toBe('198.51.100.2/16');
    expect(gw(h, '10.1.0.9')).toBe('192.0.2.2/8');
    expect(gw(h, '203.0.113.1')).toBe('192.0.2.6/0');
    // The local table is consulted first.
    expect(h.net.fib.lookup(ip('192.0.2.1')!)!.table).toBe(255);
  });

  it('dumps same-key prefixes longest first, then by metric', () => {
    const h = router();
    expect(sh(h, 'ip route show').stdout).toBe(
      'default via 192.0.2.6 dev eth0 \n' +
        '10.0.0.0/24 via 198.51.100.3 dev eth1 metric 50 \n' +
        '10.0.0.0/24 via 192.0.2.3 dev eth0 metric 100 \n' +
        '10.0.0.0/16 via 198.51.100.2 dev eth1 \n' +
        '10.0.0.0/8 via 192.0.2.2 dev eth0 \n' +
        '192.0.2.0/29 dev eth0 proto kernel scope link src 192.0.2.1 \n' +
        '198.51.100.0/29 dev eth1 proto kernel scope link src 198.51.100.1 \n',
    );
  });

  it('refuses duplicates and unreachable gateways as Linux does', () => {
    const h = router();
    expect(sh(h, 'ip route add 10.0.0.0/8 via 198.51.100.2')).toMatchObject({ exit: 2, stderr: 'RTNETLINK answers: File exists\n' });
    expect(sh(h, 'ip route add 172.16.0.0/12 via 203.0.113.1')).toMatchObject({ exit: 2, stderr: 'Error: Nexthop has invalid gateway.\n' });
    expect(sh(h, 'ip route del 172.16.0.0/12')).toMatchObject({ exit: 2, stderr: 'RTNETLINK answers: No such process\n' });
  });

  it('makes unreachable and throw routes errors of the lookup', () => {
    const h = router();
    sh(h, 'ip route add unreachable 10.9.0.0/16');
    sh(h, 'ip route add throw 10.8.0.0/16');
    expect(h.net.fib.lookup(ip('10.9.1.1')!)!.type).toBe(RTN_UNREACHABLE);
    expect(h.net.fib.lookup(ip('10.8.1.1')!)).toBeNull(); // throw: on to the next table, none left
    expect(sh(h, 'ip route get 10.9.1.1')).toMatchObject({ exit: 2, stderr: 'RTNETLINK answers: No route to host\n' });
  });

  it('takes a device\'s routes away when it goes down, but not its local addresses', () => {
    const h = router();
    sh(h, 'ip link set eth1 down');
    expect(gw(h, '10.0.0.9')).toBe('192.0.2.3/24');
    expect(h.net.fib.lookup(ip('198.51.100.1')!)!.type).toBe(2); // RTN_LOCAL survives
    sh(h, 'ip link set eth1 up');
    expect(sh(h, 'ip route show dev eth1').stdout).toBe('198.51.100.0/29 proto kernel scope link src 198.51.100.1 \n');
  });
});
