// Per-packet caches on the forwarding path (the nexthop's input routes,
// FIB results, the device's forwarding flag, the last neighbour, the hot
// sysctls) must give way to every change: the same packets before and
// after a change behave as the change says.
import { describe, it, expect } from 'vitest';
import { bootLab } from '../support/lab.js';
import { FLOOD_LAB } from '../../bench/flood.js';

const ping = (r: ReturnType<typeof bootLab>, host: string, dst: string) => r.runCommand(host, `ping -c 2 -i 0.2 -W 1 ${dst}`);

describe('forwarding caches follow changes', () => {
  it('ip_forward, routes, addresses and neighbours changed between pings', () => {
    const r = bootLab(FLOOD_LAB);
    expect(ping(r, 'h1', '10.99.2.2').exit).toBe(0);
    // The forwarding flag (conf.*.forwarding, read once per change).
    expect(r.runCommand('r1', 'sysctl -w net.ipv4.ip_forward=0').exit).toBe(0);
    expect(ping(r, 'h1', '10.99.2.2').exit).toBe(1);
    expect(r.runCommand('r1', 'sysctl -w net.ipv4.ip_forward=1').exit).toBe(0);
    expect(ping(r, 'h1', '10.99.2.2').exit).toBe(0);
    // The route (a cached input route must not outlive it).
    expect(r.runCommand('r1', 'ip addr del 10.99.2.1/24 dev eth1').exit).toBe(0);
    const down = ping(r, 'h1', '10.99.2.2');
    expect(down.exit).toBe(1);
    expect(down.stdout).toContain('Destination Net Unreachable');
    expect(r.runCommand('r1', 'ip addr add 10.99.2.1/24 dev eth1').exit).toBe(0);
    expect(ping(r, 'h1', '10.99.2.2').exit).toBe(0);
    // The neighbour (a flushed entry is resolved again, not reused).
    expect(r.runCommand('r1', 'ip neigh flush dev eth1').exit).toBe(0);
    expect(ping(r, 'h1', '10.99.2.2').exit).toBe(0);
    expect(r.runCommand('r1', 'ip neigh show dev eth1').stdout).toMatch(/10\.99\.2\.2 lladdr \S+ REACHABLE/);
    // A budget change is seen by the next softirq.
    expect(r.runCommand('r1', 'sysctl -w net.core.netdev_budget=1').exit).toBe(0);
    expect(ping(r, 'h1', '10.99.2.2').exit).toBe(0);
    expect(r.outstanding()).toEqual({ h1: 0, r1: 0, h2: 0 });
  });
});
