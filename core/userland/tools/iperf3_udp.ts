// iperf3 3.12 UDP mode (-u), beside the TCP mode of iperf3.ts and over the
// same control connection. Each stream is a UDP socket: the client connects
// it and sends a 4-byte UDP_CONNECT_MSG; the server answers on a socket it
// connects back (and binds a fresh listener on the port for the next
// stream). Datagrams carry a header of send time (sec, usec) and a 32-bit
// sequence number; the client paces them to -b (default 1 Mbit/s) on a
// 1 ms pacing timer, sending while its average is under the rate; the
// server counts a gap in sequence as loss and keeps RFC 1889 jitter. The
// reports are iperf_locale.c's UDP formats.
import type { Proc, ProgramGen } from '../process.js';
import { kernel, out } from './util.js';
import { ERRNO_TEXT } from './errno.js';
import { sock_create, sock_bind, sock_connect, sock_sendto, sock_recv, sock_close, sock_setsockopt, syscall, type Errno } from '../../net/socket.js';
import type { Sock } from '../../net/ipv4/sock.js';
import { COST } from '../../kernel/costs.js';
import { tcp_poll, tcp_info_sys, POLLIN, type TcpSock } from '../../net/socket_tcp.js';
import { BOOT_EPOCH_S } from '../../host/proc_cpu.js';
import {
  type Settings, IperfExit, TEST_START, TEST_RUNNING, TEST_END, CREATE_STREAMS, EXCHANGE_RESULTS, DISPLAY_RESULTS,
  readN, writeAll, sendJSON, recvJSON, errexit, relay, client_loop,
} from './iperf3.js';
import { bwLine, connectedLine, Intervals, printResults } from './iperf3_report.js';

/** UDP_RATE: the default -b for UDP, 1 Mbit/s. */
export const UDP_RATE = 1024 * 1024;
/** DEFAULT_UDP_BLKSIZE, when the control connection gives no MSS. */
const DEFAULT_UDP_BLKSIZE = 1460;
const UDP_CONNECT_MSG = 0x36373839;
const UDP_CONNECT_REPLY = 0x39383736;
/** Bytes of the datagram header: tv_sec, tv_usec, 32-bit packet count. */
const UDP_HDR = 12;
const PACING_TIMER_NS = 1_000_000;
const UDP_HEADER = '[ ID] Interval           Transfer     Bitrate         Jitter    Lost/Total Datagrams\n';

interface UdpStream {
  id: number;
  sk: Sock;
  bytes: number;
  packets: number;
  intervalBytes: number;
  intervalPackets: number;
  // receiver state (struct iperf_stream)
  packetCount: number;
  cntError: number;
  outoforder: number;
  jitter: number;
  prevTransit: number;
  intervalStartCount: number;
  intervalStartErrors: number;
}

interface UdpResult {
  id: number;
  bytes: number;
  jitter: number;
  errors: number;
  packets: number;
  start_time: number;
  end_time: number;
}

function newStream(id: number, sk: Sock): UdpStream {
  return { id, sk, bytes: 0, packets: 0, intervalBytes: 0, intervalPackets: 0, packetCount: 0, cntError: 0, outoforder: 0, jitter: 0, prevTransit: 0, intervalStartCount: 0, intervalStartErrors: 0 };
}

/** unit_atof_rate: 1000-based suffixes. */
export function parseRate(s: string): number {
  const m = /^([0-9.]+)([kKmMgGtT]?)$/.exec(s);
  if (!m) return NaN;
  const mult: Record<string, number> = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6, g: 1e9, G: 1e9, t: 1e12, T: 1e12 };
  return Math.floor(Number(m[1]) * mult[m[2]]);
}

/** printf %.2g. */
function g2(v: number): string {
  if (v === 0) return '0';
  const r = Number(v.toPrecision(2));
  const e2 = Math.floor(Math.log10(Math.abs(r)));
  if (e2 < -4 || e2 >= 2) {
    const [mant, exp] = r.toExponential(1).split('e');
    const m = mant.replace(/\.0$/, '');
    const x = Number(exp);
    return `${m}e${x < 0 ? '-' : '+'}${String(Math.abs(x)).padStart(2, '0')}`;
  }
  return String(r);
}

/** report_bw_udp_sender_format: "... %ss/sec %s %d  %s". */
function senderLine(id: number | string, t0: number, t1: number, bytes: number, secs: number, fmt: string, packets: number): string {
  return `${bwLine(id, t0, t1, bytes, secs, fmt)}  ${packets}  \n`;
}

/** report_bw_udp_format: "... %5.3f ms  %d/%d (%.2g%%)  %s". */
function udpLine(id: number | string, t0: number, t1: number, bytes: number, secs: number, fmt: string, jitterMs: number, lost: number, total: number, tag: string): string {
  const pct = total > 0 ? (100 * lost) / total : 0;
  return `${bwLine(id, t0, t1, bytes, secs, fmt)}  ${jitterMs.toFixed(3)} ms  ${lost}/${total} (${g2(pct)}%)  ${tag}\n`;
}

/** A stream's line in the results, from its end of the test. */
function resultLine(id: number | string, r: UdpResult, fmt: string, tag: string): string {
  return udpLine(id, 0, r.end_time, r.bytes, r.end_time, fmt, r.jitter * 1000, r.errors, r.packets, tag);
}

/** The [SUM] of the streams' results: jitter is their mean. */
function sumResults(rs: UdpResult[], nstreams: number): UdpResult {
  const t = rs.reduce((a, r) => ({ b: a.b + r.bytes, j: a.j + r.jitter, e: a.e + r.errors, n: a.n + r.packets, end: Math.max(a.end, r.end_time) }), { b: 0, j: 0, e: 0, n: 0, end: 0 });
  return { id: 0, bytes: t.b, jitter: t.j / nstreams, errors: t.e, packets: t.n, start_time: 0, end_time: t.end };
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

function be32(v: number): Uint8Array {
  return new Uint8Array([(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]);
}

/** The simulated gettimeofday: the boot epoch plus virtual time. */
function nowTv(p: Proc): { sec: number; usec: number; t: number } {
  const ns = p.now();
  return { sec: BOOT_EPOCH_S + Math.floor(ns / 1e9), usec: Math.floor((ns % 1e9) / 1e3), t: ns };
}

/** The task's own system call time passes before it goes on. */
function catchUp(p: Proc): number {
  return Math.max(0, kernel(p).cpus[0].taskBusyUntil - p.now());
}

/** The client side of a UDP test, after the control connection is up. */
export function* udp_client(p: Proc, s: Settings, ctrl: TcpSock, daddr: number): ProgramGen {
  const net = kernel(p);
  const streams: UdpStream[] = [];
  const rate = s.bandwidth ?? UDP_RATE;
  if (!s.blksize) s.blksize = tcp_info_sys(net, ctrl).snd_mss || DEFAULT_UDP_BLKSIZE;
  const mine = (secs: number): UdpResult[] => streams.map((x) => ({ id: x.id, bytes: x.bytes, jitter: 0, errors: 0, packets: x.packets, start_time: 0, end_time: secs }));
  try {
    return yield* client_loop(p, ctrl, {
      params: { udp: true, omit: s.omit, time: s.time, num: s.bytes, blockcount: 0, parallel: s.parallel, len: s.blksize, bandwidth: rate, pacing_timer: 1000, window: s.window || undefined, client_version: '3.12' },
      *create_streams() {
        for (let i = 0; i < s.parallel; i++) {
          const sk = sock_create(net, 'udp', 17);
          sk.owner = 'iperf3';
          // -w: iperf_setsockopt_buffers sets both buffers.
          if (s.window) {
            sock_setsockopt(net, sk, 'SO_SNDBUF', s.window);
            sock_setsockopt(net, sk, 'SO_RCVBUF', s.window);
          }
          const e = sock_connect(net, sk, daddr, s.port);
          if (e) throw errexit(p, `unable to connect stream: ${ERRNO_TEXT[e.errno] ?? e.errno}`);
          // iperf_udp_connect: announce the stream, wait for the server's reply.
          sock_sendto(net, sk, be32(UDP_CONNECT_MSG));
          const reply = yield* recvOne(p, sk, 30e9);
          if (!reply || u32(reply, 0) !== UDP_CONNECT_REPLY) throw errexit(p, 'unable to connect stream: Connection refused');
          const id = 5 + 2 * i;
          streams.push(newStream(id, sk));
          out(p, connectedLine(id, sk.saddr, sk.num, daddr, s.port));
        }
      },
      header: '[ ID] Interval           Transfer     Bitrate         Total Datagrams\n',
      run: () => sendLoop(p, s, streams, rate),
      sender_has_retransmits: -1,
      results: (secs) => streams.map((x) => ({ id: x.id, bytes: x.bytes, retransmits: -1, jitter: 0, errors: 0, packets: x.packets, start_time: 0, end_time: secs })),
      display(secs, theirs: UdpResult[] | null) {
        const sent = mine(secs);
        const rcvd = streams.map((_, i) => theirs?.[i]).filter((r): r is UdpResult => !!r);
        const perStream = sent.map((r, i) => [resultLine(r.id, r, s.format, 'sender'), ...(theirs?.[i] ? [resultLine(r.id, theirs[i], s.format, 'receiver')] : [])]);
        const sums = [resultLine('SUM', sumResults(sent, streams.length), s.format, 'sender')];
        if (theirs) sums.push(resultLine('SUM', sumResults(rcvd, streams.length), s.format, 'receiver'));
        printResults(p, UDP_HEADER, perStream, sums);
      },
    });
  } finally {
    for (const x of streams) sock_close(net, x.sk);
  }
}

/** recvfrom with a timeout; the payload or null. */
function* recvOne(p: Proc, sk: Sock, timeoutNs: number): Generator<any, Uint8Array | null, any> {
  const net = kernel(p);
  const deadline = p.now() + timeoutNs;
  const { wq, detach } = relay([sk.wq]);
  try {
    for (;;) {
      const d = syscall(net, () => sock_recv(net, sk));
      if (d && !('errno' in d)) return d.data;
      if (p.interrupted || p.now() >= deadline) return null;
      yield { op: 'wait', q: wq, timeoutNs: deadline - p.now() };
    }
  } finally {
    detach();
  }
}

/** iperf_send under the pacing timer: each tick, send while the stream's
 * average is below the rate; print a line per interval. */
function* sendLoop(p: Proc, s: Settings, streams: UdpStream[], rate: number): Generator<any, number, any> {
  const net = kernel(p);
  const start = p.now();
  const deadline = s.bytes ? Infinity : start + s.time * 1e9;
  let total = 0;
  const payload = new Uint8Array(Math.max(s.blksize, UDP_HDR));
  for (let i = UDP_HDR; i < payload.length; i++) payload[i] = (i * 131 + 7) & 0xff;
  const intervals = new Intervals(p, start, s.interval * 1e9, (t0, t1, secs) => {
    let sb = 0;
    let sp = 0;
    const lines = streams.map((x) => {
      const l = senderLine(x.id, t0, t1, x.intervalBytes, secs, s.format, x.intervalPackets);
      sb += x.intervalBytes;
      sp += x.intervalPackets;
      x.intervalBytes = x.intervalPackets = 0;
      return l;
    });
    return { lines, sum: senderLine('SUM', t0, t1, sb, secs, s.format, sp) };
  });
  for (;;) {
    if (p.interrupted) throw new IperfExit(1);
    const now = p.now();
    if (intervals.due(now, deadline)) continue;
    if (now >= deadline || (s.bytes && total >= s.bytes)) break;
    const elapsed = (now - start) / 1e9;
    const blocked: Sock[] = [];
    for (const x of streams) {
      // iperf_check_throttle: green light while bits/elapsed < rate.
      let sent = 0;
      while ((!rate || elapsed === 0 || (x.bytes * 8) / elapsed < rate) && !(s.bytes && total >= s.bytes)) {
        const tv = nowTv(p);
        payload.set(be32(tv.sec), 0);
        payload.set(be32(tv.usec), 4);
        payload.set(be32(x.packets + 1), 8);
        const r = sock_sendto(net, x.sk, payload);
        if (typeof r !== 'number') {
          // A full send buffer: the blocking sendto sleeps until TX completions free it.
          if (r.errno === 'EAGAIN') blocked.push(x.sk);
          break;
        }
        x.packets++;
        x.bytes += r;
        x.intervalBytes += r;
        x.intervalPackets++;
        total += r;
        if (++sent >= 1000 || elapsed === 0) break;
      }
    }
    const busy = catchUp(p);
    if (blocked.length) {
      const { wq, detach } = relay(blocked.map((sk) => sk.wq));
      const until = Math.min(intervals.nextAt, deadline);
      yield { op: 'wait', q: wq, timeoutNs: until === Infinity ? undefined : Math.max(0, until - p.now()) };
      detach();
      if (busy) yield { op: 'sleep', ns: catchUp(p) };
      continue;
    }
    const tick = rate ? PACING_TIMER_NS : 0;
    const wait = Math.max(busy, tick);
    const until = Math.min(now + Math.max(wait, 1), intervals.nextAt, deadline);
    yield { op: 'sleep', ns: Math.max(0, until - p.now()) };
  }
  const end = Math.min(p.now(), deadline);
  intervals.finish(end, streams.some((x) => x.intervalPackets > 0));
  return (end - start) / 1e9;
}

/** The server side of a UDP test, after PARAM_EXCHANGE (params from the client). */
export function* udp_server_test(p: Proc, s: Settings, params: any, c: TcpSock): ProgramGen {
  const net = kernel(p);
  const ts: Settings = { ...s, time: params.time ?? 10, bytes: params.num ?? 0, blksize: params.len ?? DEFAULT_UDP_BLKSIZE, parallel: params.parallel ?? 1, window: params.window ?? 0 };
  const streams: UdpStream[] = [];
  const listeners: Sock[] = [];
  // iperf_udp_listen: a UDP socket on the test port, SO_REUSEADDR.
  const listen = (): Sock | Errno => {
    const l = sock_create(net, 'udp', 17);
    l.owner = 'iperf3';
    sock_setsockopt(net, l, 'SO_REUSEADDR', true);
    if (ts.window) {
      sock_setsockopt(net, l, 'SO_SNDBUF', ts.window);
      sock_setsockopt(net, l, 'SO_RCVBUF', ts.window);
    }
    const e = sock_bind(net, l, 0, s.port);
    if (e) {
      sock_close(net, l);
      return e;
    }
    listeners.push(l);
    return l;
  };
  try {
    let l = listen();
    if ('errno' in l) throw errexit(p, `unable to start listener for connections: ${ERRNO_TEXT[l.errno] ?? l.errno}`);
    yield* writeAll(p, c, new Uint8Array([CREATE_STREAMS]));
    for (let i = 0; i < ts.parallel; i++) {
      // iperf_udp_accept: the first datagram names the peer.
      const { wq, detach } = relay([l.wq]);
      let d;
      try {
        for (;;) {
          d = syscall(net, () => sock_recv(net, l as Sock));
          if (d && !('errno' in d)) break;
          if (p.interrupted) return 1;
          yield { op: 'wait', q: wq };
        }
      } finally {
        detach();
      }
      const sk = l;
      sock_connect(net, sk, d.saddr, d.sport);
      const nl = listen();
      if ('errno' in nl) throw errexit(p, `unable to start listener for connections: ${ERRNO_TEXT[nl.errno] ?? nl.errno}`);
      l = nl;
      sock_sendto(net, sk, be32(UDP_CONNECT_REPLY));
      // The listener's descriptor becomes the stream's; the next listener takes the next one.
      const id = 5 + i;
      streams.push(newStream(id, sk));
      out(p, connectedLine(id, sk.saddr, sk.num, d.saddr, d.sport));
    }
    yield* writeAll(p, c, new Uint8Array([TEST_START]));
    out(p, UDP_HEADER);
    yield* writeAll(p, c, new Uint8Array([TEST_RUNNING]));
    const start = p.now();
    const secs = yield* recvLoop(p, ts, streams, c, start);
    const m = yield* readN(p, c, 1);
    if (!m || m[0] !== TEST_END) return 1;
    yield* writeAll(p, c, new Uint8Array([EXCHANGE_RESULTS]));
    yield* recvJSON(p, c);
    const mine: UdpResult[] = streams.map((x) => ({ id: x.id, bytes: x.bytes, jitter: x.jitter, errors: x.cntError, packets: x.packetCount, start_time: 0, end_time: secs }));
    yield* sendJSON(p, c, { cpu_util_total: 0, sender_has_retransmits: -1, streams: mine.map((r) => ({ ...r, retransmits: -1 })) });
    yield* writeAll(p, c, new Uint8Array([DISPLAY_RESULTS]));
    printResults(p, UDP_HEADER, mine.map((r) => [resultLine(r.id, r, ts.format, 'receiver')]), [resultLine('SUM', sumResults(mine, mine.length), ts.format, 'receiver')]);
    yield* readN(p, c, 1);
    return 0;
  } finally {
    for (const x of streams) sock_close(net, x.sk);
    for (const x of listeners) sock_close(net, x);
  }
}

/** iperf_udp_recv for every stream until TEST_END: loss by sequence gaps,
 * RFC 1889 jitter from send and arrival times; a line per interval. */
function* recvLoop(p: Proc, s: Settings, streams: UdpStream[], ctrl: TcpSock, start: number): Generator<any, number, any> {
  const net = kernel(p);
  const { wq, detach } = relay([ctrl.wq, ...streams.map((x) => x.sk.wq)]);
  const intervals = new Intervals(p, start, s.interval * 1e9, (t0, t1, secs) => {
    let sb = 0;
    let sl = 0;
    let sn = 0;
    let sj = 0;
    const lines = streams.map((x) => {
      const n = x.packetCount - x.intervalStartCount;
      const lost = x.cntError - x.intervalStartErrors;
      const l = udpLine(x.id, t0, t1, x.intervalBytes, secs, s.format, x.jitter * 1000, lost, n, '');
      sb += x.intervalBytes;
      sl += lost;
      sn += n;
      sj += x.jitter;
      x.intervalBytes = 0;
      x.intervalStartCount = x.packetCount;
      x.intervalStartErrors = x.cntError;
      return l;
    });
    return { lines, sum: udpLine('SUM', t0, t1, sb, secs, s.format, (sj / streams.length) * 1000, sl, sn, '') };
  });
  try {
    for (;;) {
      if (p.interrupted) throw new IperfExit(1);
      const now = p.now();
      if (intervals.due(now)) continue;
      if (tcp_poll(ctrl) & POLLIN) break;
      let got = false;
      for (const x of streams) {
        const d = syscall(net, () => {
          const r = sock_recv(net, x.sk);
          if (r && !('errno' in r)) net.spend(COST.copy_per_byte * r.data.length);
          return r;
        });
        if (!d || 'errno' in d) continue;
        got = true;
        const b = d.data;
        x.bytes += b.length;
        x.intervalBytes += b.length;
        if (b.length < UDP_HDR) continue;
        const sent = (u32(b, 0) - BOOT_EPOCH_S) + u32(b, 4) / 1e6;
        const pcount = u32(b, 8);
        if (pcount >= x.packetCount + 1) {
          if (pcount > x.packetCount + 1) x.cntError += pcount - 1 - x.packetCount;
          x.packetCount = pcount;
        } else {
          x.outoforder++;
          if (x.cntError > 0) x.cntError--;
        }
        const transit = p.now() / 1e9 - sent;
        x.jitter += (Math.abs(transit - x.prevTransit) - x.jitter) / 16;
        x.prevTransit = transit;
      }
      if (got) {
        const busy = catchUp(p);
        if (busy > 0) yield { op: 'sleep', ns: busy };
        continue;
      }
      yield { op: 'wait', q: wq, timeoutNs: intervals.nextAt === Infinity ? undefined : Math.max(0, intervals.nextAt - p.now()) };
    }
    const end = p.now();
    intervals.finish(end, streams.some((x) => x.intervalBytes > 0));
    return (end - start) / 1e9;
  } finally {
    detach();
  }
}
