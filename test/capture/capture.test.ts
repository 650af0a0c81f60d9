// pcap / pcapng export: files tshark reads, frame counts equal to the
// interface counters, valid checksums, decoded fields, per-hook interfaces
// with the packet's path as comments. tshark parts skip when it is absent.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLab } from '../../core/lab/parse.js';
import { captureLab } from '../../node/cli/capture.js';
import { readPcap } from '../../core/pcap/pcap.js';
import { readPcapng } from '../../core/pcap/pcapng.js';
import type { ExportFile } from '../../core/pcap/export.js';

const HAVE_TSHARK = spawnSync('tshark', ['--version']).status === 0;
if (!HAVE_TSHARK) console.warn('tshark not installed (apt-get install -y tshark): tshark checks skipped');

const LAB = parseLab(readFileSync(join(__dirname, '../../labs/router-chain.lab.yaml'), 'utf8'), 'router-chain.lab.yaml');

function tshark(file: string, ...args: string[]): string[] {
  const r = spawnSync('tshark', ['-r', file, ...args], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter(Boolean);
}

function save(dir: string, f: ExportFile): string {
  const p = join(dir, f.name);
  writeFileSync(p, f.bytes);
  return p;
}

describe('pcap per interface', () => {
  const { files, runner } = captureLab(LAB, { format: 'pcap' });
  const dir = mkdtempSync(join(tmpdir(), 'stacklab-pcap-'));

  it('writes one file per host interface, frames = rx_packets + tx_packets', () => {
    expect(files.map((f) => f.name).sort()).toEqual(['h1-eth0.pcap', 'h2-eth0.pcap', 'r1-eth0.pcap', 'r1-eth1.pcap']);
    for (const f of files) {
      const [host, ifname] = f.name.replace('.pcap', '').split('-');
      const st = runner.host(host).nic(ifname)!.stats;
      const parsed = readPcap(f.bytes);
      expect(parsed.linktype).toBe(1);
      expect(parsed.records.length).toBe(st.rx_packets + st.tx_packets);
      expect(f.frames).toBe(parsed.records.length);
    }
  });

  it.skipIf(!HAVE_TSHARK)('tshark decodes them: same counts, valid IP/ICMP checksums', () => {
    for (const f of files) {
      const p = save(dir, f);
      const lines = tshark(p, '-o', 'ip.check_checksum:TRUE', '-T', 'fields', '-e', 'frame.number', '-e', 'ip.checksum.status', '-e', 'icmp.checksum.status', '-e', 'icmp.type', '-e', 'arp.opcode');
      expect(lines.length).toBe(f.frames);
      for (const l of lines) {
        const [, ipOk, icmpOk, icmpType, arpOp] = l.split('\t');
        expect(ipOk === '' || ipOk.split(',').every((x) => x === '1'), l).toBe(true);
        expect(icmpOk === '' || icmpOk.split(',')[0] === '1', l).toBe(true);
        expect(icmpType !== '' || arpOp !== '', l).toBe(true);
      }
    }
    // h1 sent 3 echo requests and a TTL-1 pair; it got replies and time-exceeded errors.
    const h1 = tshark(join(dir, 'h1-eth0.pcap'), '-Y', 'icmp.type == 0 && ip.src == 10.0.2.2', '-T', 'fields', '-e', 'icmp.seq');
    expect(h1).toEqual(['1', '2', '3']);
    const te = tshark(join(dir, 'h1-eth0.pcap'), '-Y', 'icmp.type == 11', '-T', 'fields', '-E', 'occurrence=f', '-e', 'ip.src');
    expect(te).toEqual(['10.0.1.1', '10.0.1.1']);
  });

  it('leaks no sk_buff', () => {
    runner.idle(10e9);
    expect(Object.values(runner.outstanding()).reduce((a, b) => a + b, 0)).toBe(0);
  });
});

describe('pcapng per interface', () => {
  const { files, runner } = captureLab(LAB, { format: 'pcapng' });
  const f = files[0];
  let path = '';
  beforeAll(() => {
    path = save(mkdtempSync(join(tmpdir(), 'stacklab-pcapng-')), f);
  });

  it('has one interface per host interface and every frame of them', () => {
    const ng = readPcapng(f.bytes);
    expect(ng.ifaces.map((i) => i.name)).toEqual(['h1:eth0', 'r1:eth0', 'r1:eth1', 'h2:eth0']);
    const total = runner.hosts.flatMap((h) => [...h.net.devices.values()].filter((d) => !d.isLoopback)).reduce((n, d) => n + d.stats.rx_packets + d.stats.tx_packets, 0);
    expect(ng.packets.length).toBe(total);
  });

  it.skipIf(!HAVE_TSHARK)('tshark reads interfaces, directions and path comments', () => {
    const lines = tshark(path, '-T', 'fields', '-E', 'separator=|', '-e', 'frame.interface_name', '-e', 'frame.p2p_dir', '-e', 'frame.comment');
    expect(lines.length).toBe(f.frames);
    const byIf = new Map<string, number>();
    for (const l of lines) {
      const [ifn, dir, comment] = l.split('|');
      byIf.set(ifn, (byIf.get(ifn) ?? 0) + 1);
      expect(['0', '1']).toContain(dir);
      expect(comment).toMatch(/skb#\d+ at (netif_receive_skb|net_dev_xmit) dev eth\d cpu \d; path: /);
    }
    for (const h of runner.hosts)
      for (const d of h.net.devices.values()) if (!d.isLoopback) expect(byIf.get(`${h.name}:${d.name}`)).toBe(d.stats.rx_packets + d.stats.tx_packets);
    // A forwarded echo request on r1: in through eth0, through ip_forward, out of eth1.
    const fwd = lines.find((l) => l.startsWith('r1:eth0|1|') && l.includes('ip_forward'));
    expect(fwd).toMatch(/netif_receive_skb > ip_rcv > .*ip_forward > .*net_dev_xmit/);
  });
});

describe('pcapng per hook', () => {
  const { files } = captureLab(LAB, { format: 'pcapng', perHook: true });
  const ng = readPcapng(files[0].bytes);

  it('has one interface per host and kernel hook, raw IP where there is no MAC header yet', () => {
    const names = ng.ifaces.map((i) => i.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of ['r1:ip_forward', 'r1:netif_receive_skb', 'r1:net_dev_xmit', 'h1:ip_output:raw', 'h2:icmp_rcv']) expect(names).toContain(n);
    expect(ng.ifaces[names.indexOf('h1:ip_output:raw')].linktype).toBe(101);
    expect(ng.ifaces[names.indexOf('r1:ip_forward')].linktype).toBe(1);
    // Every frame that reached r1's ip_forward also passed its netif_receive_skb.
    const count = (n: string) => ng.packets.filter((p) => p.iface === names.indexOf(n)).length;
    expect(count('r1:ip_forward')).toBeGreaterThan(0);
    expect(count('r1:netif_receive_skb')).toBeGreaterThanOrEqual(count('r1:ip_forward'));
  });

  it.skipIf(!HAVE_TSHARK)('tshark reads every hook interface', () => {
    const p = save(mkdtempSync(join(tmpdir(), 'stacklab-hooks-')), files[0]);
    const lines = tshark(p, '-T', 'fields', '-e', 'frame.interface_name', '-e', 'ip.proto');
    expect(lines.length).toBe(ng.packets.length);
    expect(lines.filter((l) => l.startsWith('h1:ip_output:raw\t')).every((l) => l.endsWith('\t1'))).toBe(true);
  });
});

describe('stacklab capture / export (CLI)', () => {
  const root = join(__dirname, '../..');
  const cli = (...a: string[]) => spawnSync('npx', ['tsx', 'node/cli/main.ts', ...a], { cwd: root, encoding: 'utf8' });

  it('capture --format pcap writes one file per interface and names them', { timeout: 120_000 }, () => {
    const out = mkdtempSync(join(tmpdir(), 'stacklab-cli-'));
    const r = cli('capture', 'labs/router-chain.lab.yaml', '--format', 'pcap', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean).map((l) => l.replace(out + '/', ''))).toEqual(['h1-eth0.pcap: 14 frames', 'r1-eth0.pcap: 14 frames', 'r1-eth1.pcap: 8 frames', 'h2-eth0.pcap: 8 frames']);
    expect(readPcap(new Uint8Array(readFileSync(join(out, 'r1-eth1.pcap')))).records.length).toBe(8);
  });

  it('capture --per-hook --hooks keeps only those hooks', { timeout: 120_000 }, () => {
    const out = mkdtempSync(join(tmpdir(), 'stacklab-cli-'));
    const r = cli('capture', 'labs/router-chain.lab.yaml', '--format', 'pcapng', '--per-hook', '--hooks', 'ip_rcv,ip_forward', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    const ng = readPcapng(new Uint8Array(readFileSync(join(out, 'router-chain-hooks.pcapng'))));
    expect(ng.ifaces.map((i) => i.name).sort()).toEqual(['h1:ip_rcv', 'h2:ip_rcv', 'r1:ip_forward', 'r1:ip_rcv']);
  });

  it('a bad lab file is refused with file:line:col and status 2', { timeout: 120_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'stacklab-cli-'));
    writeFileSync(join(dir, 'bad.lab.yaml'), 'version: 1\nhosts:\n  a:\n    cpus: many\n');
    const r = cli('export', join(dir, 'bad.lab.yaml'), '--format', 'netns');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 'bad.lab.yaml')}:4:11: cpus must be an integer from 1 to 64, not 'many'`);
  });
});
