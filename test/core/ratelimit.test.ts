// ICMP rate limits: the per-destination bucket (icmp_ratelimit, burst 6),
// the routing-error bucket of ip_error, and their counters.
import { describe, it, expect } from 'vitest';
import { bootLab } from '../support/lab.js';

const LAB = `version: 1
name: rl
hosts:
  h1:
    exec: [ip addr add 10.0.1.2/24 dev eth0, ip route add default via 10.0.1.1]
  r1:
    exec: [sysctl -w net.ipv4.ip_forward=1, ip addr add 10.0.1.1/24 dev eth0, ip addr add 10.0.2.1/24 dev eth1]
  h2:
    exec: [ip addr add 10.0.2.2/24 dev eth0, ip route add default via 10.0.2.1]
links:
  - endpoints: [h1:eth0, r1:eth0]
  - endpoints: [r1:eth1, h2:eth0]
`;

const icmp = (r: ReturnType<typeof bootLab>, host: string, f: string) => r.host(host).net.mib.counter('Icmp', f as any)!;

describe('ICMP rate limiting', () => {
  it('answers a burst of 16 probes with 6 port unreachables, then 1 per second', () => {
    const r = bootLab(LAB);
    r.runCommand('h1', 'traceroute -n -q 1 -w 1 10.0.2.2');
    expect(icmp(r, 'h2', 'OutDestUnreachs')).toBe(6);
    expect(icmp(r, 'h2', 'OutRateLimitHost')).toBe(9); // 15 probes reached h2
    r.idle(2.2e9);
    r.runCommand('h1', 'traceroute -n -q 1 -w 1 10.0.2.2');
    expect(icmp(r, 'h2', 'OutDestUnreachs')).toBe(8); // refilled 2 tokens in 2 s
  });

  it('limits net unreachable with ip_error\'s bucket (5 tokens, 1/s) sharing the counter', () => {
    const r = bootLab(LAB);
    const out = r.runCommand('h1', 'ping -c 8 -i 0.01 -W 1 192.0.2.1');
    // ip_error starts with 5 tokens (burst 5 s at 1 s each) and icmp_send's
    // peer check takes another from the same counter: 5->3->1, then the third
    // passes ip_error (1->0) but not the peer check; after that ip_error says no.
    expect(out.stdout.match(/Destination Net Unreachable/g)!.length).toBe(2);
    expect(icmp(r, 'r1', 'OutDestUnreachs')).toBe(2);
    expect(icmp(r, 'r1', 'OutRateLimitHost')).toBe(1);
    expect(r.host('r1').net.mib.counter('IpExt', 'InNoRoutes')).toBe(8);
  });

  it('does not limit echo replies', () => {
    const r = bootLab(LAB);
    expect(r.runCommand('h1', 'ping -c 20 -i 0.001 10.0.2.2').stdout).toContain('20 received');
    expect(icmp(r, 'h2', 'OutRateLimitHost')).toBe(0);
  });
});
