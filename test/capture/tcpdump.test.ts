// tcpdump in the simulator: whole-lab runs of the tool (formats checked
// against tcpdump 4.99 on the oracle machine, see test/oracle/cases/60-tcpdump),
// pcap files through the host's files, the TPACKET_V3 block timeout, the
// statistics, and the tap running before netfilter.
import { describe, it, expect } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseLab } from '../../core/lab/parse.js';
import { LabRunner } from '../../core/runtime/lab_runner.js';
import { readPcap } from '../../core/pcap/pcap.js';
import { nullInput, type Output } from '../../core/userland/process.js';

const CHAIN = `version: 1
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

function lab(): LabRunner {
  const r = new LabRunner(parseLab(CHAIN, 'chain.lab.yaml'));
  r.boot();
  return r;
}

function idleAndCheckLeaks(r: LabRunner): void {
  for (const h of r.hosts) h.sched.tasks.forEach((t) => h.sched.interrupt(t));
  r.idle(10e9);
  const queued = r.hosts.reduce((s, h) => s + [...h.net.socks.udp, ...h.net.socks.raw].reduce((a, sk) => a + sk.receive_queue.length, 0), 0);
  expect(Object.values(r.outstanding()).reduce((a, b) => a + b, 0)).toBe(queued);
  for (const h of r.hosts) expect(h.net.ptype_all.length).toBe(0);
}

describe('tcpdump', () => {
  it('writes a pcap file through the host files that tcpdump -r reads back', () => {
    const r = lab();
    r.startBackground('r1', 'tcpdump -i eth1 -c 2 -w /tmp/x.pcap udp or icmp');
    r.idle(300e6);
    r.runCommand('h1', 'sh -c "echo hi | nc -u -p 5000 -w 1 10.0.2.2 9999"');
    r.idle(2e9);
    const bytes = r.host('r1').vfs.readBytes('/tmp/x.pcap');
    expect(bytes).toBeInstanceOf(Uint8Array);
    const f = readPcap(bytes as Uint8Array);
    expect(f.linktype).toBe(1);
    expect(f.records.map((x) => x.origLen)).toEqual([45, 73]);
    const rd = r.runCommand('r1', 'tcpdump -n -r /tmp/x.pcap');
    expect(rd.stderr).toBe('reading from file /tmp/x.pcap, link-type EN10MB (Ethernet), snapshot length 262144\n');
    expect(rd.stdout).toMatch(/^00:00:0\d\.\d{6} IP 10\.0\.1\.2\.5000 > 10\.0\.2\.2\.9999: UDP, length 3\n00:00:0\d\.\d{6} IP 10\.0\.2\.2 > 10\.0\.1\.2: ICMP 10\.0\.2\.2 udp port 9999 unreachable, length 39\n$/);
    const t4 = r.runCommand('r1', 'tcpdump -tttt -n -r /tmp/x.pcap icmp');
    expect(t4.stdout).toMatch(/^1970-01-01 00:00:0\d\.\d{6} IP 10\.0\.2\.2 > 10\.0\.1\.2: ICMP/);
    const tt = r.runCommand('r1', 'tcpdump -tt -q -n -r /tmp/x.pcap udp');
    expect(tt.stdout).toMatch(/^\d\.\d{6} IP 10\.0\.1\.2\.5000 > 10\.0\.2\.2\.9999: UDP, length 3\n$/);
    idleAndCheckLeaks(r);
  });

  it('-i any writes Linux cooked v2 and reads it back with directions', () => {
    const r = lab();
    r.startBackground('r1', 'tcpdump -i any -c 4 -w /tmp/any.pcap udp or icmp');
    r.idle(300e6);
    r.runCommand('h1', 'sh -c "echo hi | nc -u -p 5000 -w 1 10.0.2.2 9999"');
    r.idle(2e9);
    expect(readPcap(r.host('r1').vfs.readBytes('/tmp/any.pcap') as Uint8Array).linktype).toBe(276);
    const rd = r.runCommand('r1', 'tcpdump -t -n -r /tmp/any.pcap');
    expect(rd.stdout).toBe(
      'eth0  In  IP 10.0.1.2.5000 > 10.0.2.2.9999: UDP, length 3\neth1  Out IP 10.0.1.2.5000 > 10.0.2.2.9999: UDP, length 3\neth1  In  IP 10.0.2.2 > 10.0.1.2: ICMP 10.0.2.2 udp port 9999 unreachable, length 39\neth0  Out IP 10.0.2.2 > 10.0.1.2: ICMP 10.0.2.2 udp port 9999 unreachable, length 39\n',
    );
    idleAndCheckLeaks(r);
  });

  it('delivers in 1 s blocks to a pipe, at once to a terminal; counts what passed the filter', () => {
    const r = lab();
    // Not a terminal: 5 echo requests+replies pass the filter within one block;
    // tcpdump stops after 2, the kernel counted every one that passed.
    const piped = r.runCommand('h1', "sh -c 'tcpdump -n -t -i eth0 -c 2 icmp 2>&1 & sleep 0.1; ping -c 5 -i 0.1 10.0.2.2 > /dev/null; wait'");
    expect(piped.stdout).toMatch(/2 packets captured\n(\d+) packets received by filter\n0 packets dropped by kernel\n$/);
    const recv = Number(/(\d+) packets received by filter/.exec(piped.stdout)![1]);
    expect(recv).toBeGreaterThan(2);
    // A terminal: immediate mode, tcpdump sees each frame as it comes.
    const h1 = r.host('h1');
    let text = '';
    const tty: Output = { isatty: true, write: (s) => void (text += s), close() {} };
    const task = h1.procs.runLine('tcpdump -n -t -i eth0 -c 2 icmp', { stdin: nullInput(), stdout: tty, stderr: tty });
    r.runCommand('h1', 'ping -c 1 10.0.2.2');
    r.idle(100e6);
    expect(task.exitCode).toBe(0);
    expect(text).toMatch(/2 packets captured\n2 packets received by filter\n/);
    idleAndCheckLeaks(r);
  });

  it('reports errors as tcpdump does', () => {
    const r = lab();
    expect(r.runCommand('h1', 'tcpdump -i eth0 -c 1 host and')).toEqual({ exit: 1, stdout: '', stderr: "tcpdump: can't parse filter expression: syntax error\n" });
    expect(r.runCommand('h1', 'tcpdump -i eth9')).toEqual({ exit: 1, stdout: '', stderr: 'tcpdump: eth9: No such device exists\n(No such device exists)\n' });
    expect(r.runCommand('h1', 'tcpdump -r /tmp/none.pcap')).toEqual({ exit: 1, stdout: '', stderr: 'tcpdump: /tmp/none.pcap: No such file or directory\n' });
    expect(r.runCommand('h1', 'tcpdump -c 0').stderr).toBe('tcpdump: invalid packet count 0\n');
    idleAndCheckLeaks(r);
  });

  it.skipIf(!existsSync(join(__dirname, '../../core/userland/tools/iptables.ts')))('sees a packet that iptables then drops (labs/tcpdump-before-iptables)', () => {
    const p = join(__dirname, '../../labs/tcpdump-before-iptables.lab.yaml');
    const runner = new LabRunner(parseLab(readFileSync(p, 'utf8'), p));
    runner.boot();
    const res = runner.runChecks();
    expect(res.filter((x) => x.pass === false).map((x) => `${x.run}\n${x.stdout}${x.stderr}`)).toEqual([]);
    idleAndCheckLeaks(runner);
  });
});
