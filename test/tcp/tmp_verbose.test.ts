// TCP as whole labs: a connection's life from SYN to TIME-WAIT expiry,
// retransmissions on a lossy link (counters and ss -ti), throughput falling
// as loss rises, what Nagle does to many small writes and that TCP_NODELAY
// undoes it, and ephemeral ports from ip_local_port_range.
import { describe, it, expect } from "vitest"; const LOG = (...a: unknown[]) => console.log(JSON.stringify(a));
import { bootLab, pairLab } from '../support/lab.js';
import type { LabRunner } from '../../core/runtime/lab_runner.js';
import type { Net } from '../../core/net/net_namespace.js';
import type { Proc, ProgramGen } from '../../core/userland/process.js';
import { nullInput, StringOutput } from '../../core/userland/process.js';
import { tcp_socket, tcp_connect, tcp_send, tcp_close_sys, tcp_setsockopt_sys, tcp_info_sys } from '../../core/net/socket_tcp.js';
import { textToBytes } from '../../core/userland/tools/util.js';

const cnt = (net: Net, section: 'Tcp' | 'TcpExt', field: string) => net.mib.counter(section, field) ?? 0;

/** Let virtual time pass until a background command exits. */
function waitExit(r: LabRunner, cmd: { exitCode: number | null }, maxNs = 30e9): void {
  for (let t = 0; cmd.exitCode === null && t < maxNs; t += 100e6) r.idle(100e6);
}

function expectNoSkbLeft(r: LabRunner): void {
  for (const [host, n] of Object.entries(r.outstanding())) expect(n, `skbs outstanding on ${host}`).toBe(0);
}

/** Two hosts joined by one link with the given shaping. */
function linkLab(link: string, seed = 7): string {
  return `version: 1
name: tcp-link
seed: ${seed}
hosts:
  a:
    exec:
      - ip addr add 10.0.0.1/24 dev eth0
  b:
    exec:
      - ip addr add 10.0.0.2/24 dev eth0
links:
  - endpoints: [a:eth0, b:eth0]
${link}
`;
}

/** iperf3's sender summary line: Mbit/s and retransmissions. */
function senderSummary(out: string): { mbps: number; retr: number } {
  const m = /sec\s+\S+ \w?Bytes\s+([\d.]+) (\w)bits\/sec\s+(\d+)\s+sender/.exec(out);
  if (!m) throw new Error(`no sender line in:\n${out}`);
  const scale = { K: 1e-3, M: 1, G: 1e3 }[m[2]] ?? 1e-6;
  return { mbps: Number(m[1]) * scale, retr: Number(m[3]) };
}

describe('a TCP connection', () => {
  it('carries data, closes with FINs and leaves TIME-WAIT on the active closer until it expires', () => {
    const r = bootLab(pairLab());
    const a = r.host('a').net;
    const b = r.host('b').net;
    const server = r.startBackground('b', 'nc -l 8080');
    r.idle(1e6);
    const c = r.runCommand('a', `sh -c 'echo hello over tcp | nc -N 10.0.0.2 8080; echo rc=$?'`);
    expect(c.stdout).toBe('rc=0\n');
    r.idle(100e6);
    expect(server.exitCode).toBe(0);
    expect(server.stdout).toBe('hello over tcp\n');
    expect(cnt(a, 'Tcp', 'ActiveOpens')).toBe(1);
    expect(cnt(b, 'Tcp', 'PassiveOpens')).toBe(1);
    expect(cnt(a, 'Tcp', 'CurrEstab') + cnt(b, 'Tcp', 'CurrEstab')).toBe(0);
    // nc -N shut the write side first, so the client closed actively.
    expect(r.runCommand('a', 'ss -tan state time-wait').stdout).toMatch(/^0\s+0\s+10\.0\.0\.1:\d+\s+10\.0\.0\.2:8080\s*$/m);
    expect(r.runCommand('b', 'ss -tan').stdout.trim().split('\n')).toHaveLength(1);
    expect(cnt(a, 'TcpExt', 'TW')).toBe(1);
    // TCP_TIMEWAIT_LEN is 60 s; the timer wheel may add up to 2 s.
    r.idle(63e9);
    expect(r.runCommand('a', 'ss -tan state time-wait').stdout.trim().split('\n')).toHaveLength(1);
    expectNoSkbLeft(r);
  });

  it('takes ephemeral ports from ip_local_port_range, chosen by the lab seed', () => {
    const ports = (seed: number) => {
      const r = bootLab(linkLab('', seed));
      r.runCommand('a', 'sysctl -w net.ipv4.ip_local_port_range="40000 40049"');
      r.startBackground('b', 'nc -lk 8080');
      r.idle(1e6);
      const got: number[] = [];
      for (let i = 0; i < 4; i++) {
        r.startBackground('a', 'sh -c "sleep 5 | nc 10.0.0.2 8080"');
        r.idle(50e6);
      }
      for (const m of r.runCommand('a', 'ss -tn').stdout.matchAll(/10\.0\.0\.1:(\d+)/g)) got.push(Number(m[1]));
      return got.sort((x, y) => x - y);
    };
    const p7 = ports(7);
    expect(p7).toHaveLength(4);
    for (const p of p7) expect(p >= 40000 && p <= 40049).toBe(true);
    expect(new Set(p7).size).toBe(4);
    expect(ports(7)).toEqual(p7);
    expect(ports(8)).not.toEqual(p7);
  });
});

describe('loss', () => {
  it('shows as retransmissions in RetransSegs and in ss -ti', () => {
    const r = bootLab(linkLab('    delay: 10ms\n    rate: 10mbit\n    loss: 3'));
    const a = r.host('a').net;
    r.startBackground('b', 'iperf3 -s -1');
    r.idle(1e6);
    const client = r.startBackground('a', 'iperf3 -c 10.0.0.2 -t 3 -C cubic');
    // Look at the data connection (the one that has sent a lot) while it runs.
    let data: string | undefined;
    for (let t = 0; !data && t < 10e9; t += 250e6) {
      r.idle(250e6);
      const ss = r.runCommand('a', 'ss -tin dport = :5201').stdout;
      data = ss.split('\n').find((l) => /bytes_acked:\d{6,}/.test(l) && /retrans:\d+\/[1-9]/.test(l));
    }
    expect(data).toBeDefined();
    expect(data).toMatch(/^\t cubic wscale:\S+ rto:\d+ rtt:[\d.]+\/[\d.]+ .* cwnd:\d+ (ssthresh:\d+ )?bytes_sent:\d+ bytes_retrans:[1-9]\d* bytes_acked:\d+/);
    waitExit(r, client);
    expect(client.exitCode).toBe(0);
    const { retr } = senderSummary(client.stdout);
    expect(retr).toBeGreaterThan(0);
    // iperf3's Retr is tcpi_total_retrans of its data socket: every one is a RetransSegs.
    expect(cnt(a, 'Tcp', 'RetransSegs')).toBeGreaterThanOrEqual(retr);
    expect(cnt(a, 'TcpExt', 'TCPSackRecovery') + cnt(a, 'TcpExt', 'TCPLossProbes')).toBeGreaterThan(0);
    r.idle(10e9);
    expectNoSkbLeft(r);
  });

  it('lowers throughput as it rises (reno and cubic)', () => {
    const rate = (loss: number, cc: string) => {
      const r = bootLab(linkLab(`    delay: 10ms\n    rate: 10mbit\n    loss: ${loss}`));
      r.startBackground('b', 'iperf3 -s -1');
      r.idle(1e6);
      const out = r.runCommand('a', `iperf3 -c 10.0.0.2 -t 3 -C ${cc}`).stdout;
      r.idle(10e9); // the last FIN may need retransmitting
      expectNoSkbLeft(r);
      return senderSummary(out).mbps;
    };
    for (const cc of ['reno', 'cubic']) {
      const [r0, r2, r10] = [0, 2, 10].map((l) => rate(l, cc)); LOG(cc, r0, r2, r10);
      expect(r0).toBeGreaterThan(9); // the link is 10 Mbit/s
      expect(r2).toBeLessThan(r0 * 0.8);
      expect(r10).toBeLessThan(r2 * 0.6);
    }
  });
});

describe('Nagle', () => {
  /** Write 100 bytes every millisecond 200 times on one connection (with
   * TCP_NODELAY or not), then close; report the segments that carried data. */
  function smallWrites(nodelay: boolean) {
    const r = bootLab(linkLab('    delay: 10ms'));
    const server = r.startBackground('b', 'nc -l 9000');
    r.idle(1e6);
    const host = r.host('a');
    const net = host.net;
    const result: { segs: number; bytes: number } = { segs: 0, bytes: 0 };
    const writer = function* (p: Proc): ProgramGen {
      const ctx = { interrupted: () => p.interrupted };
      const sk = tcp_socket(net);
      if (nodelay) tcp_setsockopt_sys(net, sk, 'TCP_NODELAY', 1);
      const e = yield* tcp_connect(net, sk, 0x0a000002, 9000, ctx);
      if (e) return 1;
      const chunk = textToBytes('x'.repeat(99) + '\n');
      for (let i = 0; i < 200; i++) {
        yield* tcp_send(net, sk, chunk, ctx);
        yield { op: 'sleep', ns: 1e6 };
      }
      yield { op: 'sleep', ns: 100e6 }; // until all is acknowledged
      const ti = tcp_info_sys(net, sk);
      result.segs = ti.data_segs_out;
      result.bytes = ti.bytes_acked;
      tcp_close_sys(net, sk);
      return 0;
    };
    const out = new StringOutput();
    host.procs.spawn(['writer'], { stdin: nullInput(), stdout: out, stderr: out }, writer);
    r.idle(2e9);
    expect(server.exitCode).toBe(0);
    expect(server.stdout.length).toBe(20000);
    expectNoSkbLeft(r);
    return result;
  }

  it('coalesces small writes while data is unacknowledged; TCP_NODELAY sends each one', () => {
    const nagle = smallWrites(false); LOG("nagle", nagle);
    const nodelay = smallWrites(true); LOG("nodelay", nodelay);
    // tcpi_bytes_acked counts the SYN too.
    expect(nagle.bytes).toBe(20001);
    expect(nodelay.bytes).toBe(20001);
    // Without Nagle a write leaves at once unless the initial cwnd of 10 is
    // full (during the first round trip): nearly one segment per write.
    expect(nodelay.segs).toBeGreaterThan(180);
    // With Nagle only one small segment is in flight per round trip (20 ms),
    // so 200 ms of writes leave in ten-odd segments.
    expect(nagle.segs).toBeGreaterThan(5);
    expect(nagle.segs).toBeLessThan(30);
  });
});
