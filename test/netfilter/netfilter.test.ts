// Netfilter through whole labs: NAT rewrites keep every checksum valid,
// drops are traced as NETFILTER_DROP, conntrack entries expire on their
// timeouts, LOG writes the kernel log that dmesg prints, and nothing leaks.
import { describe, it, expect } from 'vitest';
import { parseLab } from '../../core/lab/parse.js';
import { LabRunner } from '../../core/runtime/lab_runner.js';
import { ct_net, nf_ct_gc, TCP_CONNTRACK_NAMES } from '../../core/net/netfilter/nf_conntrack_core.js';

const LAB = `
version: 1
name: nf
hosts:
  h1:
    exec:
      - ip addr add 10.0.1.2/24 dev eth0
      - ip route add default via 10.0.1.1
  r1:
    exec:
      - sysctl -w net.ipv4.ip_forward=1
      - ip addr add 10.0.1.1/24 dev eth0
      - ip addr add 10.0.2.1/24 dev eth1
  h2:
    exec:
      - ip addr add 10.0.2.2/24 dev eth0
links:
  - endpoints: [h1:eth0, r1:eth0]
  - endpoints: [r1:eth1, h2:eth0]
`;

function lab(trace = false) {
  const r = new LabRunner(parseLab(LAB, 'nf.lab.yaml'), { trace });
  r.boot();
  return r;
}

function idleLeakFree(r: LabRunner): number {
  for (const h of r.hosts) h.sched.tasks.forEach((t) => h.sched.interrupt(t));
  r.idle(10e9);
  const queued = r.hosts.reduce((s, h) => s + [...h.net.socks.udp, ...h.net.socks.raw].reduce((a, sk) => a + sk.receive_queue.length, 0), 0);
  return Object.values(r.outstanding()).reduce((s, n) => s + n, 0) - queued;
}

describe('NAT', () => {
  it('MASQUERADE rewrites UDP and ICMP with valid checksums, replies find their way back', () => {
    const r = lab();
    r.runCommand('r1', 'iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE');
    r.startBackground('h2', 'nc -u -l 7000');
    r.idle(300e6);
    const nc = r.runCommand('h1', "sh -c 'echo hello | nc -u -w 1 -p 5000 10.0.2.2 7000; echo rc=$?'");
    expect(nc.stdout).toContain('rc=0');
    const ping = r.runCommand('h1', 'ping -c 2 -i 0.2 10.0.2.2');
    expect(ping.exit).toBe(0);
    const h2 = r.host('h2').net;
    expect(h2.mib.counter('Udp', 'InDatagrams')).toBe(1);
    expect(h2.mib.counter('Udp', 'InCsumErrors')).toBe(0);
    expect(h2.mib.counter('Icmp', 'InCsumErrors')).toBe(0);
    expect(h2.mib.counter('Ip', 'InHdrErrors')).toBe(0);
    // The connection's reply tuple points at the router's outside address.
    const cts = [...ct_net(r.host('r1').net).all];
    const udp = cts.find((c) => c.tuple[0].proto === 17)!;
    expect(udp.tuple[1]).toMatchObject({ src: 0x0a000202, dst: 0x0a000201, sp: 7000, dp: 5000 });
    expect(idleLeakFree(r)).toBe(0);
  });

  it('SNAT keeps the source port when it is free', () => {
    const r = lab();
    r.runCommand('r1', 'iptables -t nat -A POSTROUTING -o eth1 -j SNAT --to-source 10.0.2.1');
    r.runCommand('h1', "sh -c 'echo a | nc -u -w 1 -p 5000 10.0.2.2 7000'");
    const cts = [...ct_net(r.host('r1').net).all];
    expect(cts[0].tuple[1].dp).toBe(5000);
  });
});

describe('filter', () => {
  it('traces a dropped packet as NETFILTER_DROP and counts it on the rule', () => {
    const r = lab(true);
    r.runCommand('h2', 'iptables -A INPUT -p icmp -j DROP');
    const drops: string[] = [];
    const h2 = r.host('h2').net;
    h2.onFree = (_skb, reason, where) => reason && drops.push(`${where} ${reason}`);
    r.drainTrace();
    expect(r.runCommand('h1', 'ping -c 1 -W 1 10.0.2.2').exit).toBe(1);
    expect(drops).toContain('nf_hook_slow NETFILTER_DROP');
    expect(r.drainTrace().some((t) => t.host === 'h2' && t.fn === 'nf_hook_slow' && t.info === 'INPUT')).toBe(true);
    expect(r.runCommand('h2', 'iptables -L INPUT -v -n -x').stdout).toMatch(/^ +1 +84 DROP /m);
  });

  it('LOG writes a kernel log line that dmesg prints', () => {
    const r = lab();
    r.runCommand('h2', "iptables -A INPUT -p icmp -j LOG --log-prefix 'ping: ' --log-level info");
    r.runCommand('h1', 'ping -c 1 10.0.2.2');
    const out = r.runCommand('h2', 'dmesg').stdout;
    expect(out).toMatch(/^\[ +\d+\.\d{6}\] ping: IN=eth0 OUT= MAC=02:00:00:00:03:01:02:00:00:00:02:02:08:00 SRC=10\.0\.1\.2 DST=10\.0\.2\.2 LEN=84 TOS=0x00 PREC=0x00 TTL=63 ID=\d+ DF PROTO=ICMP TYPE=8 CODE=0 ID=\d+ SEQ=1 $/m);
    expect(r.runCommand('h2', 'dmesg -l info').stdout).toContain('ping: IN=eth0');
    expect(r.runCommand('h2', 'dmesg -l err').stdout).toBe('');
  });
});

describe('conntrack', () => {
  it('expires ICMP after 30 s and UDP after 30 s unreplied', () => {
    const r = lab();
    r.runCommand('h2', 'iptables -A INPUT -m conntrack --ctstate NEW');
    r.runCommand('h1', 'ping -c 1 -W 1 10.0.2.2');
    r.runCommand('h1', "sh -c 'echo a | nc -u -w 1 -p 5000 10.0.2.2 7777'");
    const net = r.host('h2').net;
    expect(ct_net(net).all.size).toBe(2);
    r.idle(25e9);
    nf_ct_gc(net);
    expect(ct_net(net).all.size).toBe(2);
    r.idle(6e9);
    nf_ct_gc(net);
    expect(ct_net(net).all.size).toBe(0);
    expect(TCP_CONNTRACK_NAMES[3]).toBe('ESTABLISHED');
  });
});
