// The Linux bridge and veth as whole labs: what the kernel recordings in
// test/oracle/cases/3[0-4]-* cannot show (ageing at the default 300 s, a
// loop storm and its bound, IRQ-less veth delivery, kernel log lines).
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLab } from '../../core/lab/parse.js';
import { LabRunner } from '../../core/runtime/lab_runner.js';
import { br_from_dev } from '../../core/net/bridge/br_device.js';

function lab(yaml: string): LabRunner {
  const r = new LabRunner(parseLab(yaml, 'test.lab.yaml'));
  r.boot();
  return r;
}

function sh(r: LabRunner, host: string, line: string) {
  return r.runCommand(host, line);
}

/** No skb left once every task is stopped and timers have run out. */
function expectNoLeak(r: LabRunner): void {
  for (const h of r.hosts) h.sched.tasks.forEach((t) => h.sched.interrupt(t));
  r.idle(10e9);
  expect(r.outstanding()).toEqual(Object.fromEntries(r.hosts.map((h) => [h.name, 0])));
}

const THREE_HOSTS = `
version: 1
name: three
hosts:
  s1:
    exec:
      - ip link add br0 type bridge
      - ip link set eth1 master br0
      - ip link set eth2 master br0
      - ip link set eth3 master br0
      - ip link set br0 up
      - ip addr add 10.5.0.254/24 dev br0
  a: { exec: [ip addr add 10.5.0.1/24 dev eth0] }
  b: { exec: [ip addr add 10.5.0.2/24 dev eth0] }
  c: { exec: [ip addr add 10.5.0.3/24 dev eth0] }
links:
  - endpoints: [a:eth0, s1:eth1]
  - endpoints: [b:eth0, s1:eth2]
  - endpoints: [c:eth0, s1:eth3]
`;

describe('bridge learning, forwarding, ageing', () => {
  it('learns sources, forwards known unicast to one port only', () => {
    const r = lab(THREE_HOSTS);
    expect(sh(r, 'a', 'ping -c 1 10.5.0.2').exit).toBe(0);
    expect(sh(r, 's1', 'bridge fdb show dynamic').stdout).toBe('02:00:00:00:02:01 dev eth1 master br0 \n02:00:00:00:03:01 dev eth2 master br0 \n');
    // c saw the flooded ARP request only; the echo went to b's port alone.
    const c0 = r.host('c').nic('eth0')!.stats.rx_packets;
    expect(sh(r, 'a', 'ping -c 3 -i 0.2 10.5.0.2').exit).toBe(0);
    expect(r.host('c').nic('eth0')!.stats.rx_packets).toBe(c0);
    expectNoLeak(r);
  });

  it('ages learned entries out after the default 300 s, keeps local ones', () => {
    const r = lab(THREE_HOSTS);
    sh(r, 'a', 'ping -c 1 10.5.0.2');
    const br = br_from_dev(r.host('s1').nic('br0')!)!;
    expect(br.ageing_time).toBe(300e9);
    r.idle(290e9);
    expect(sh(r, 's1', 'bridge fdb show dynamic').stdout).toContain('02:00:00:00:02:01 dev eth1');
    r.idle(20e9);
    expect(sh(r, 's1', 'bridge fdb show dynamic').stdout).toBe('');
    expect(sh(r, 's1', 'bridge fdb show dev eth1').stdout).toContain('02:00:00:00:01:01 master br0 permanent');
    expectNoLeak(r);
  });

  it('logs port states and promiscuity in the kernel log', () => {
    const r = lab(THREE_HOSTS);
    const log = sh(r, 's1', 'dmesg -t').stdout;
    expect(log).toContain('br0: port 1(eth1) entered blocking state\nbr0: port 1(eth1) entered disabled state\neth1: entered allmulticast mode\neth1: entered promiscuous mode\n');
    expect(log).toContain('br0: port 3(eth3) entered forwarding state');
    sh(r, 's1', 'ip link set eth3 nomaster');
    expect(sh(r, 's1', 'dmesg -t').stdout).toContain('eth3: left allmulticast mode\neth3: left promiscuous mode\nbr0: port 3(eth3) entered disabled state\n');
  });
});

const LOOP = (parallel: number) => `
version: 1
name: loop
hosts:
  s1:
    exec:
      - ip link add br0 type bridge
${[...Array(parallel + 1).keys()].map((i) => `      - ip link set eth${i + 1} master br0`).join('\n')}
      - ip link set br0 up
      - ip addr add 10.6.0.253/24 dev br0
  s2:
    exec:
      - ip link add br0 type bridge
${[...Array(parallel + 1).keys()].map((i) => `      - ip link set eth${i + 1} master br0`).join('\n')}
      - ip link set br0 up
  h1: { exec: [ip addr add 10.6.0.1/24 dev eth0] }
  h2: { exec: [ip addr add 10.6.0.2/24 dev eth0] }
links:
  - endpoints: [h1:eth0, s1:eth1]
${[...Array(parallel).keys()].map((i) => `  - endpoints: [s1:eth${i + 2}, s2:eth${i + 2}]`).join('\n')}
  - endpoints: [h2:eth0, s2:eth1]
`;

describe('an L2 loop without STP', () => {
  for (const parallel of [2, 3]) {
    it(`storms but stays bounded (${parallel} parallel links)`, () => {
      const r = lab(LOOP(parallel));
      const t0 = Date.now();
      const ev0 = r.hosts.reduce((s, h) => s + h.engine.executed, 0);
      const res = sh(r, 'h1', 'ping -c 3 -i 0.2 -W 1 10.6.0.2');
      const events = r.hosts.reduce((s, h) => s + h.engine.executed, 0) - ev0;
      expect(res.stdout).toContain('3 packets transmitted');
      // The storm happened: h2 got the broadcast far more often than sent.
      expect(r.host('h2').nic('eth0')!.stats.rx_packets).toBeGreaterThan(50);
      // ...and was bounded: the guard dropped the looping copies and said so.
      for (const s of ['s1', 's2']) {
        const g = br_from_dev(r.host(s).nic('br0')!)!.loop_guard;
        expect(g.dropped).toBeGreaterThan(0);
        expect(g.loops).toBeGreaterThan(0);
        const warn = r.host(s).net.tracer.records.filter((t) => t.fn === 'br_loop_guard');
        expect(warn.length).toBe(g.loops);
        expect(warn[0].info).toMatch(/L2 loop, STP off/);
      }
      expect(events).toBeLessThan(300_000);
      expect(Date.now() - t0).toBeLessThan(10_000);
      // s1's own broadcasts come back: Linux warns in the kernel log.
      sh(r, 's1', 'ping -c 1 -W 1 10.6.0.2');
      expect(sh(r, 's1', 'dmesg -t').stdout).toMatch(/br0: received packet on eth\d with own address as source address \(addr:02:00:00:00:01:01, vlan:0\)/);
      // Breaking the loop heals the network.
      for (let i = 3; i <= parallel + 1; i++) sh(r, 's1', `ip link set eth${i} nomaster`);
      r.idle(2e9);
      expect(sh(r, 'h1', 'ping -c 2 -i 0.2 10.6.0.2').stdout).toContain('2 received');
      expectNoLeak(r);
    });
  }
});

describe('veth', () => {
  const VETH = `
version: 1
name: veth
hosts:
  h1:
    exec:
      - ip link add v0 address 02:00:00:00:aa:01 type veth peer name v1 address 02:00:00:00:aa:02
      - ip link set v0 up
      - ip addr add 10.9.0.1/24 dev v0
      - ip neigh add 10.9.0.2 lladdr 02:00:00:00:aa:02 dev v0 nud permanent
`;

  it('delivers through the backlog (NET_RX) without any interrupt', () => {
    const r = lab(VETH);
    const net = r.host('h1').net;
    expect(net.irqs.length).toBe(0);
    sh(r, 'h1', 'ip link set v1 up');
    const softirqs = () => net.cpus[0].softirqCount[3];
    expect(softirqs()).toBe(0);
    sh(r, 'h1', 'ping -c 4 -i 0.2 -W 1 10.9.0.2');
    expect(net.dev_get_by_name('v1')!.stats.rx_packets).toBe(4);
    expect(net.dev_get_by_name('v0')!.stats.tx_packets).toBe(4);
    expect(softirqs()).toBe(4);
    expect(net.softnet[0].processed).toBe(4);
    expect(net.irqs.length).toBe(0);
    expectNoLeak(r);
  });

  it('drops what it sends while the peer is down (tx_dropped here, rx_dropped there)', () => {
    const r = lab(VETH);
    const net = r.host('h1').net;
    expect(sh(r, 'h1', 'ip link show v0').stdout).toContain('<NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN>');
    expect(sh(r, 'h1', 'ping -c 2 -i 0.2 -W 1 10.9.0.2').exit).toBe(1);
    const v0 = net.dev_get_by_name('v0')!;
    const v1 = net.dev_get_by_name('v1')!;
    expect(v0.stats.tx_dropped).toBe(2);
    expect(v1.stats.rx_dropped).toBe(2);
    expect(v0.stats.tx_packets).toBe(0);
    expectNoLeak(r);
  });

  it('names free ends veth%d, peer first', () => {
    const r = lab(VETH);
    sh(r, 'h1', 'ip link add type veth');
    const out = sh(r, 'h1', 'ip -br link show type veth').stdout;
    expect(out).toMatch(/^veth0@veth1 +DOWN/m);
    const net = r.host('h1').net;
    expect(net.dev_get_by_name('veth0')!.ifindex).toBeLessThan(net.dev_get_by_name('veth1')!.ifindex);
    sh(r, 'h1', 'ip link del veth1');
    expect(net.dev_get_by_name('veth0')).toBeUndefined();
    expect(net.sysctl.has('net.ipv4.conf.veth0.forwarding')).toBe(false);
  });
});

describe('the loop guard and normal traffic', () => {
  const cases = ['30-bridge-learning', '31-bridge-flooding', '32-bridge-ageing', '34-bridge-veth'].map((n) => join(__dirname, '../oracle/cases', n + '.lab.yaml'));
  cases.push(join(__dirname, '../../labs/bridge-learning.lab.yaml'), join(__dirname, '../../../shared/oracle/cases/05-bridge.lab.yaml'));
  for (const path of cases) {
    it(`drops nothing without a loop: ${path.split('/').pop()}`, () => {
      const r = new LabRunner(parseLab(readFileSync(path, 'utf8'), path));
      r.boot();
      r.runChecks();
      for (const h of r.hosts)
        for (const d of h.net.devices.values()) {
          const br = br_from_dev(d);
          if (br) expect(br.loop_guard.dropped).toBe(0);
        }
    });
  }
});

describe('bundled oracle-shaped labs run fast', () => {
  it('05-bridge boots and checks in well under a second', () => {
    const path = join(__dirname, '../../../shared/oracle/cases/05-bridge.lab.yaml');
    const t0 = Date.now();
    const r = new LabRunner(parseLab(readFileSync(path, 'utf8'), path));
    r.boot();
    const res = r.runChecks();
    expect(res.filter((c) => c.pass === false)).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});
