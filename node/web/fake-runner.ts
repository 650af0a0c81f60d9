// A stand-in for core's LabRunner, for tests of the app's plumbing only: it
// knows `ip addr add`, `ip_forward=1`, `echo` and a `ping` that walks the
// topology. It makes no claim to model Linux.
import type { Topology } from '../../core/lab/topology.js';
import type { CommandResult, TraceRecord } from '../../renderer/src/bridge/protocol.js';
import type { RunnerLike } from './handler.js';

interface Addr {
  host: string;
  ip: string;
}

export class FakeRunner implements RunnerLike {
  now = 0;
  private addrs: Addr[] = [];
  private forwarders = new Set<string>();
  private records: TraceRecord[] = [];
  private drained = 0;
  private skb = 1;

  constructor(private readonly topo: Topology) {}

  boot(): void {
    for (const h of this.topo.hosts) {
      for (const line of h.exec) {
        const r = this.runCommand(h.name, line);
        if (r.exit !== 0) throw new Error(`${h.name}: '${line}' failed: ${r.stderr.trim()}`);
      }
    }
  }

  drainTrace(): TraceRecord[] {
    const out = this.records.slice(this.drained);
    this.drained = this.records.length;
    return out;
  }

  trace(): TraceRecord[] {
    return [...this.records];
  }

  runCommand(host: string, line: string): CommandResult {
    const argv = line.trim().split(/\s+/);
    const ok = (stdout = ''): CommandResult => ({ exit: 0, stdout, stderr: '' });
    if (argv[0] === 'ip' && argv[1] === 'addr' && argv[2] === 'add') {
      this.addrs.push({ host, ip: argv[3].split('/')[0] });
      return ok();
    }
    if (argv[0] === 'sysctl' && /ip_forward=1/.test(line)) {
      this.forwarders.add(host);
      return ok('net.ipv4.ip_forward = 1\n');
    }
    if (argv[0] === 'echo') return ok(argv.slice(1).join(' ') + '\n');
    if (argv[0] === 'ip' || argv[0] === 'sysctl' || argv[0] === '') return ok();
    if (argv[0] === 'ping') return this.ping(host, argv[argv.length - 1]);
    return { exit: 127, stdout: '', stderr: `sh: 1: ${argv[0]}: not found\n` };
  }

  private path(from: string, to: string): string[] | null {
    const prev = new Map<string, string>([[from, '']]);
    const queue = [from];
    while (queue.length) {
      const h = queue.shift()!;
      if (h === to) break;
      if (h !== from && !this.forwarders.has(h)) continue;
      for (const l of this.topo.links) {
        const [a, b] = l.endpoints;
        const n = a.host === h ? b.host : b.host === h ? a.host : null;
        if (n && !prev.has(n)) {
          prev.set(n, h);
          queue.push(n);
        }
      }
    }
    if (!prev.has(to)) return null;
    const out = [to];
    while (out[0] !== from) out.unshift(prev.get(out[0])!);
    return out;
  }

  private rec(host: string, fn: string, info?: string): void {
    this.now += 1000;
    this.records.push({ t: this.now, host, cpu: 0, skb: this.skb, fn, ...(info ? { info } : {}) });
  }

  private ping(host: string, dst: string): CommandResult {
    const owner = this.addrs.find((a) => a.ip === dst)?.host;
    const hops = owner ? this.path(host, owner) : null;
    const head = `PING ${dst} (${dst}) 56(84) bytes of data.\n`;
    this.skb++;
    this.rec(host, 'ip_queue_xmit', `ICMP echo request ${dst}`);
    if (!hops) {
      this.now += 10_000_000_000;
      return { exit: 1, stdout: `${head}\n--- ${dst} ping statistics ---\n1 packets transmitted, 0 received, 100% packet loss, time 0ms\n\n`, stderr: '' };
    }
    for (const h of hops.slice(1, -1)) {
      this.rec(h, '__netif_receive_skb_core');
      this.rec(h, 'ip_rcv');
      this.rec(h, 'ip_forward', `to ${dst}`);
      this.rec(h, 'ip_output');
    }
    this.rec(hops[hops.length - 1], 'ip_rcv');
    this.rec(hops[hops.length - 1], 'icmp_rcv', 'echo request');
    const ttl = 64 - (hops.length - 2);
    return {
      exit: 0,
      stdout:
        `${head}64 bytes from ${dst}: icmp_seq=1 ttl=${ttl} time=0.050 ms\n\n--- ${dst} ping statistics ---\n` +
        `1 packets transmitted, 1 received, 0% packet loss, time 0ms\nrtt min/avg/max/mdev = 0.050/0.050/0.050/0.000 ms\n`,
      stderr: '',
    };
  }
}
