// Bench 1 and 2: a 3-host UDP flood (h1 -> r1 -> h2, 64-byte payloads)
// through the whole model: sockets, routing, neighbour, qdisc, the NIC's
// rings, IRQ, NAPI and softirq, over the coordinator's windows. The sender
// and receiver are bench-only programs registered into the hosts' program
// maps; they do nothing per packet but the system call, so the figure is
// the kernel path's. Prints one JSON line.
import { parseLab } from '../core/lab/parse.js';
import { LabRunner } from '../core/runtime/lab_runner.js';
import type { Net } from '../core/net/net_namespace.js';
import type { Proc, ProgramGen } from '../core/userland/process.js';
import { sock_create, sock_bind, sock_connect, sock_sendto, sock_recvfrom, sock_close } from '../core/net/socket.js';
import { IPPROTO_UDP, parseIPv4 } from '../core/net/wire/ip.js';

export const FLOOD_LAB = `
version: 1
name: bench-flood
hosts:
  h1:
    exec:
      - ip addr add 10.99.1.2/24 dev eth0
      - ip route add default via 10.99.1.1
  r1:
    exec:
      - sysctl -w net.ipv4.ip_forward=1
      - ip addr add 10.99.1.1/24 dev eth0
      - ip addr add 10.99.2.1/24 dev eth1
  h2:
    exec:
      - ip addr add 10.99.2.2/24 dev eth0
      - ip route add default via 10.99.2.1
links:
  - endpoints: [h1:eth0, r1:eth0]
  - endpoints: [r1:eth1, h2:eth0]
`;

/** What the bench programs saw (they run in this process). */
export const stats = { sent: 0, sendErrors: 0, received: 0 };

/** udpflood DST PORT COUNT [BATCH]: sendto() in a loop, as a CPU-bound
 * sender does; it yields every BATCH calls so its CPU time (the syscalls'
 * cost) becomes virtual time before it goes on. */
export function* udpflood(p: Proc): ProgramGen {
  const net = p.sys as Net;
  const daddr = parseIPv4(p.argv[1])!;
  const dport = Number(p.argv[2]);
  const count = Number(p.argv[3]);
  const batch = Number(p.argv[4] ?? 16);
  const sk = sock_create(net, 'udp', IPPROTO_UDP);
  try {
    if (sock_connect(net, sk, daddr, dport)) return 1;
    const payload = new Uint8Array(64);
    const sleep0 = { op: 'sleep', ns: 0 } as const;
    let n = 0;
    while (n < count) {
      for (let i = 0; i < batch && n < count; i++, n++) {
        if (typeof sock_sendto(net, sk, payload) !== 'number') stats.sendErrors++;
        stats.sent++;
      }
      if (p.interrupted) return 130;
      yield sleep0;
    }
    return 0;
  } finally {
    sock_close(net, sk);
  }
}

/** udpsink PORT: bind and drain the socket whenever it is woken, reading
 * into one buffer as recvfrom(fd, buf, ...) does. */
export function* udpsink(p: Proc): ProgramGen {
  const net = p.sys as Net;
  const sk = sock_create(net, 'udp', IPPROTO_UDP);
  const buf = new Uint8Array(65536);
  const wait = { op: 'wait', q: sk.wq } as const;
  try {
    if (sock_bind(net, sk, 0, Number(p.argv[1]))) return 1;
    for (;;) {
      let n;
      while (typeof (n = sock_recvfrom(net, sk, buf, null)) === 'number') stats.received++;
      if (p.interrupted) return 130;
      yield wait;
    }
  } finally {
    sock_close(net, sk);
  }
}

export interface FloodResult {
  trace: boolean;
  pkts: number;
  received: number;
  sendErrors: number;
  wall_s: number;
  sim_pkts_per_s: number;
  /** CPU time of this process over the same span (steadier on a loaded machine). */
  cpu_s: number;
  sim_pkts_per_cpu_s: number;
  events: number;
  windows: number;
  sim_time_s: number;
  outstanding: number;
  trace_records?: number;
}

function rig(trace: boolean): LabRunner {
  const runner = new LabRunner(parseLab(FLOOD_LAB, 'bench-flood.lab.yaml'), { trace });
  for (const h of runner.hosts) {
    h.procs.programs.set('udpflood', udpflood);
    h.procs.programs.set('udpsink', udpsink);
  }
  runner.boot();
  return runner;
}

/** Flood `pkts` packets after a warm-up of `warm` (ARP, JIT). */
export function runFlood(pkts: number, trace: boolean, warm = 20_000): FloodResult {
  const runner = rig(trace);
  const sink = runner.startBackground('h2', 'udpsink 9000');
  stats.sent = stats.sendErrors = stats.received = 0;
  const flood0 = runner.startBackground('h1', `udpflood 10.99.2.2 9000 ${warm}`);
  runner.advance(Infinity, () => flood0.exitCode !== null && stats.received >= stats.sent - stats.sendErrors);
  stats.sent = stats.sendErrors = stats.received = 0;
  const ev0 = runner.hosts.reduce((s, h) => s + h.engine.executed, 0);
  const win0 = runner.windows;
  const sim0 = runner.now;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const flood = runner.startBackground('h1', `udpflood 10.99.2.2 9000 ${pkts}`);
  runner.advance(Infinity, () => flood.exitCode !== null && stats.received >= stats.sent - stats.sendErrors);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cu = process.cpuUsage(c0);
  const cpu = (cu.user + cu.system) / 1e6;
  const events = runner.hosts.reduce((s, h) => s + h.engine.executed, 0) - ev0;
  const res: FloodResult = {
    trace,
    pkts,
    received: stats.received,
    sendErrors: stats.sendErrors,
    wall_s: +wall.toFixed(3),
    sim_pkts_per_s: Math.round(stats.received / wall),
    cpu_s: +cpu.toFixed(3),
    sim_pkts_per_cpu_s: Math.round(stats.received / cpu),
    events,
    windows: runner.windows - win0,
    sim_time_s: +((runner.now - sim0) / 1e9).toFixed(4),
    outstanding: 0,
  };
  if (trace) res.trace_records = runner.hosts.reduce((s, h) => s + h.net.tracer.total, 0);
  void sink;
  return res;
}
