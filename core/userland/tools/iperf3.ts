// iperf3 (3.12): throughput tests over the simulated TCP. The real
// protocol runs on a control connection (a 37-byte cookie, one-byte state
// messages PARAM_EXCHANGE, CREATE_STREAMS, TEST_START, TEST_RUNNING,
// TEST_END, EXCHANGE_RESULTS, DISPLAY_RESULTS, IPERF_DONE, and length-
// prefixed JSON), then data streams carry 128 KB blocks for -t seconds or
// -n bytes. Reports use iperf3's formats: per-interval lines with Retr and
// Cwnd from TCP_INFO on the sender, then sender and receiver summaries.
// Streams are protocol-agnostic records so a UDP mode can sit beside TCP.
import type { Proc, ProgramGen } from '../process.js';
import { kernel, out, err, parseInetLoose } from './util.js';
import { formatIPv4 } from '../../net/wire/ip.js';
import { WaitQueue } from '../../kernel/wait.js';
import { ERRNO_TEXT } from './errno.js';
import { udp_client, udp_server_test, parseRate } from './iperf3_udp.js';
import { unit, bwLine, connectedLine, Intervals, printResults } from './iperf3_report.js';
import { tcp_socket, tcp_bind, tcp_listen, tcp_accept, tcp_connect, tcp_send, tcp_recv, tcp_close_sys, tcp_setsockopt_sys, tcp_info_sys, tcp_poll, POLLIN, POLLOUT, type SysCtx, type TcpSock } from '../../net/socket_tcp.js';

export const TEST_START = 1;
export const TEST_RUNNING = 2;
export const TEST_END = 4;
export const PARAM_EXCHANGE = 9;
export const CREATE_STREAMS = 10;
export const EXCHANGE_RESULTS = 13;
export const DISPLAY_RESULTS = 14;
export const IPERF_DONE = 16;
const COOKIE_SIZE = 37;
const DEFAULT_TCP_BLKSIZE = 128 * 1024;

export interface Settings {
  role: 's' | 'c' | null;
  host: string;
  port: number;
  time: number;
  bytes: number;
  blksize: number;
  parallel: number;
  reverse: boolean;
  interval: number;
  oneOff: boolean;
  congestion: string | null;
  nodelay: boolean;
  window: number;
  mss: number;
  format: string;
  udp: boolean;
  omit: number;
  /** -b for UDP (bits/s); undefined: iperf3's default 1 Mbit/s. */
  bandwidth?: number;
}

/** One data stream (struct iperf_stream): its socket and counters. */
interface Stream {
  id: number;
  sk: TcpSock;
  sender: boolean;
  bytes: number;
  intervalBytes: number;
  retransStart: number;
  intervalRetrans: number;
}

export class IperfExit {
  constructor(readonly code: number) {}
}

function parseKMG(s: string): number {
  const m = /^([0-9.]+)([kKmMgGtT]?)$/.exec(s);
  if (!m) return NaN;
  const mult: Record<string, number> = { '': 1, k: 1024, K: 1024, m: 1024 ** 2, M: 1024 ** 2, g: 1024 ** 3, G: 1024 ** 3, t: 1024 ** 4, T: 1024 ** 4 };
  return Math.floor(Number(m[1]) * mult[m[2]]);
}

const USAGE_SHORT = 'Usage: iperf3 [-s|-c host] [options]\n       iperf3 [-h|--help] [-v|--version]\n';

export function* iperf3(p: Proc): ProgramGen {
  const s: Settings = { role: null, host: '', port: 5201, time: 10, bytes: 0, blksize: 0, parallel: 1, reverse: false, interval: 1, oneOff: false, congestion: null, nodelay: false, window: 0, mss: 0, format: 'a', udp: false, omit: 0 };
  const args = p.argv.slice(1);
  const perr = (msg: string) => {
    err(p, `iperf3: parameter error - ${msg}\n`);
    return new IperfExit(1);
  };
  try {
    while (args.length) {
      let a = args.shift()!;
      let v: string | undefined;
      const eq = a.indexOf('=');
      if (a.startsWith('--') && eq > 0) {
        v = a.slice(eq + 1);
        a = a.slice(0, eq);
      }
      const need = () => {
        if (v !== undefined) return v;
        if (!args.length) throw perr(`option '${a}' requires an argument`);
        return args.shift()!;
      };
      switch (a) {
        case '-s':
        case '--server':
          if (s.role === 'c') throw perr('cannot be both server and client');
          s.role = 's';
          break;
        case '-c':
        case '--client':
          if (s.role === 's') throw perr('cannot be both server and client');
          s.role = 'c';
          s.host = need();
          break;
        case '-p':
        case '--port': {
          const n = Number(need());
          if (!(n >= 1 && n <= 65535)) throw perr('port number must be between 1 and 65535 inclusive');
          s.port = n;
          break;
        }
        case '-t':
        case '--time':
          s.time = Number(need());
          break;
        case '-n':
        case '--bytes':
          s.bytes = parseKMG(need());
          break;
        case '-l':
        case '--length':
          s.blksize = parseKMG(need());
          break;
        case '-P':
        case '--parallel':
          s.parallel = Number(need());
          break;
        case '-R':
        case '--reverse':
          s.reverse = true;
          break;
        case '-i':
        case '--interval':
          s.interval = Number(need());
          break;
        case '-1':
        case '--one-off':
          s.oneOff = true;
          break;
        case '-C':
        case '--congestion':
          s.congestion = need();
          break;
        case '-N':
        case '--no-delay':
          s.nodelay = true;
          break;
        case '-w':
        case '--window':
          s.window = parseKMG(need());
          break;
        case '-M':
        case '--set-mss':
          s.mss = Number(need());
          break;
        case '-f':
        case '--format':
          s.format = need();
          break;
        case '-O':
        case '--omit':
          s.omit = Number(need());
          break;
        case '-u':
        case '--udp':
          s.udp = true;
          break;
        case '-b':
        case '--bitrate':
        case '--bandwidth': {
          const arg = need();
          const b = parseRate(arg);
          if (!Number.isFinite(b)) throw perr(`invalid rate '${arg}'`);
          s.bandwidth = b;
          break;
        }
        case '-4':
        case '--version4':
        case '-V':
        case '--verbose':
        case '--forceflush':
          break;
        case '-v':
        case '--version':
          out(p, 'iperf 3.12 (cJSON 1.7.15)\nLinux stacklab\nOptional features available: CPU affinity setting, IPv6 flow label, SCTP, TCP congestion algorithm setting, sendfile / zerocopy, socket pacing, authentication, bind to device, support IPv4 don\'t fragment\n');
          return 0;
        default:
          err(p, `iperf3: unrecognized option '${a}'\n`);
          out(p, USAGE_SHORT + '\nTry `iperf3 --help\' for more information.\n');
          return 1;
      }
    }
    if (!s.role) throw perr('must either be a client (-c) or server (-s)');
    if (!s.blksize && !s.udp) s.blksize = DEFAULT_TCP_BLKSIZE;
    return s.role === 's' ? yield* server(p, s) : yield* client(p, s);
  } catch (e) {
    if (e instanceof IperfExit) return e.code;
    throw e;
  }
}

/** One wait queue woken by any of several (poll over the sockets). */
export function relay(queues: WaitQueue[]): { wq: WaitQueue; detach: () => void } {
  const wq = new WaitQueue();
  const fns: [WaitQueue, () => void][] = [];
  for (const q of queues) {
    const f = () => {
      wq.wake_up();
      q.add(f);
    };
    q.add(f);
    fns.push([q, f]);
  }
  return { wq, detach: () => fns.forEach(([q, f]) => q.remove(f)) };
}

function ctxOf(p: Proc): SysCtx {
  return { interrupted: () => p.interrupted };
}

/** Read exactly n bytes from a stream socket (Nread). */
export function* readN(p: Proc, sk: TcpSock, n: number): Generator<any, Uint8Array | null, any> {
  const net = kernel(p);
  const buf = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const d = yield* tcp_recv(net, sk, n - got, ctxOf(p));
    if ('errno' in d || d.length === 0) return null;
    buf.set(d, got);
    got += d.length;
  }
  return buf;
}

export function* writeAll(p: Proc, sk: TcpSock, data: Uint8Array): Generator<any, boolean, any> {
  const r = yield* tcp_send(kernel(p), sk, data, ctxOf(p));
  return typeof r === 'number' && r === data.length;
}

export function* sendJSON(p: Proc, sk: TcpSock, obj: unknown): Generator<any, boolean, any> {
  const body = new TextEncoderLite().encode(JSON.stringify(obj));
  const hdr = new Uint8Array([(body.length >>> 24) & 255, (body.length >>> 16) & 255, (body.length >>> 8) & 255, body.length & 255]);
  return (yield* writeAll(p, sk, hdr)) && (yield* writeAll(p, sk, body));
}

export function* recvJSON(p: Proc, sk: TcpSock): Generator<any, any, any> {
  const hdr = yield* readN(p, sk, 4);
  if (!hdr) return null;
  const len = ((hdr[0] << 24) | (hdr[1] << 16) | (hdr[2] << 8) | hdr[3]) >>> 0;
  const body = yield* readN(p, sk, len);
  if (!body) return null;
  return JSON.parse(new TextEncoderLite().decode(body));
}

/** UTF-8 for ASCII JSON without the DOM's TextEncoder. */
class TextEncoderLite {
  encode(s: string): Uint8Array {
    const b = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
    return b;
  }
  decode(b: Uint8Array): string {
    let s = '';
    for (const c of b) s += String.fromCharCode(c);
    return s;
  }
}

export function make_cookie(p: Proc): Uint8Array {
  const net = kernel(p);
  const chars = 'abcdefghijklmnopqrstuvwxyz234567';
  const b = new Uint8Array(COOKIE_SIZE);
  for (let i = 0; i < COOKIE_SIZE - 1; i++) b[i] = chars.charCodeAt(net.prng.below(32));
  return b;
}

export function errexit(p: Proc, msg: string): IperfExit {
  err(p, `iperf3: error - ${msg}\n`);
  return new IperfExit(1);
}

function applySockopts(p: Proc, sk: TcpSock, s: Settings): void {
  const net = kernel(p);
  if (s.nodelay) tcp_setsockopt_sys(net, sk, 'TCP_NODELAY', 1);
  if (s.mss) tcp_setsockopt_sys(net, sk, 'TCP_MAXSEG', s.mss);
  if (s.window) {
    tcp_setsockopt_sys(net, sk, 'SO_SNDBUF', s.window);
    tcp_setsockopt_sys(net, sk, 'SO_RCVBUF', s.window);
  }
  if (s.congestion) {
    const e = tcp_setsockopt_sys(net, sk, 'TCP_CONGESTION', s.congestion);
    if (e) throw errexit(p, `unable to set TCP_CONGESTION: Supplied congestion control algorithm not supported on this host`);
  }
}

/** The data phase shared by both ends: senders write blocks, receivers
 * read, interval reports are printed. The client ends it (by time or
 * bytes); the server runs until TEST_END arrives on the control connection. */
function* run_streams(p: Proc, s: Settings, streams: Stream[], ctrl: TcpSock, isClient: boolean, start: number): Generator<any, number, any> {
  const net = kernel(p);
  const { wq, detach } = relay([ctrl.wq, ...streams.map((x) => x.sk.wq)]);
  const block = new Uint8Array(s.blksize);
  for (let i = 0; i < block.length; i++) block[i] = (i * 131 + 7) & 0xff;
  const deadline = isClient && !s.bytes ? start + s.time * 1e9 : Infinity;
  let totalSent = 0;
  // Interval lines: Retr and Cwnd from TCP_INFO on the sender.
  const intervals = new Intervals(p, start, s.interval * 1e9, (t0, t1, secs) => {
    let sum = 0;
    let sumRetr = 0;
    const lines = streams.map((st) => {
      let l = bwLine(st.id, t0, t1, st.intervalBytes, secs, s.format);
      if (st.sender) {
        const ti = tcp_info_sys(net, st.sk);
        const retr = ti.total_retrans - st.intervalRetrans;
        st.intervalRetrans = ti.total_retrans;
        sumRetr += retr;
        l += `  ${String(retr).padStart(3)}   ${unit(ti.snd_cwnd * ti.snd_mss, 'A')}s       `;
      } else l += '                  ';
      sum += st.intervalBytes;
      st.intervalBytes = 0;
      return l + '\n';
    });
    const tail = streams[0].sender ? `  ${String(sumRetr).padStart(3)}             ` : '                  ';
    return { lines, sum: bwLine('SUM', t0, t1, sum, secs, s.format) + tail + '\n' };
  });
  try {
    for (;;) {
      const now = net.now();
      if (p.interrupted) throw new IperfExit(1);
      if (intervals.due(now, deadline)) continue;
      if (now >= deadline) break;
      if (isClient && s.bytes && totalSent >= s.bytes) break;
      // The server stops on a message on the control connection (TEST_END).
      if (!isClient && tcp_poll(ctrl) & POLLIN) break;
      let progressed = false;
      for (const st of streams) {
        if (st.sender) {
          while (tcp_poll(st.sk) & POLLOUT) {
            let n = block.length;
            if (isClient && s.bytes) n = Math.min(n, s.bytes - totalSent);
            if (n <= 0) break;
            const r = yield* tcp_send(net, st.sk, n === block.length ? block : block.subarray(0, n), ctxOf(p), { nonblock: true });
            if (typeof r !== 'number') break;
            st.bytes += r;
            st.intervalBytes += r;
            totalSent += r;
            progressed = true;
            if (r < n) break;
          }
        } else {
          for (;;) {
            const d = yield* tcp_recv(net, st.sk, s.blksize, ctxOf(p), { nonblock: true });
            if ('errno' in d || d.length === 0) break;
            st.bytes += d.length;
            st.intervalBytes += d.length;
            progressed = true;
          }
        }
      }
      if (progressed) continue;
      const until = Math.min(intervals.nextAt, deadline);
      yield { op: 'wait', q: wq, timeoutNs: until === Infinity ? undefined : Math.max(0, until - net.now()) };
    }
    const end = Math.min(net.now(), deadline);
    intervals.finish(end, streams.some((x) => x.intervalBytes > 0));
    return (end - start) / 1e9;
  } finally {
    detach();
  }
}

interface StreamResult {
  id: number;
  bytes: number;
  retransmits: number;
  start_time: number;
  end_time: number;
}

/** iperf_print_results: a sender and a receiver line per stream (one side only on the server). */
function summary(p: Proc, s: Settings, streams: Stream[], mine: StreamResult[], theirs: StreamResult[] | null, isClient: boolean): void {
  const hasSender = isClient || streams.some((x) => x.sender);
  const sender = (id: number | string, r: { bytes: number; retr: number; end: number }) => bwLine(id, 0, r.end, r.bytes, r.end, s.format) + `  ${String(r.retr).padStart(3)}             sender\n`;
  const receiver = (id: number | string, r: { bytes: number; end: number }) => bwLine(id, 0, r.end, r.bytes, r.end, s.format) + '                  receiver\n';
  let sumS: { bytes: number; retr: number; end: number } | null = null;
  let sumR: { bytes: number; end: number } | null = null;
  const perStream = streams.map((st, i) => {
    const sendRes = st.sender ? mine[i] : theirs?.[i];
    const recvRes = st.sender ? theirs?.[i] : mine[i];
    const lines: string[] = [];
    if (sendRes) {
      const retr = Math.max(0, sendRes.retransmits);
      lines.push(sender(st.id, { bytes: sendRes.bytes, retr, end: sendRes.end_time }));
      sumS = { bytes: (sumS?.bytes ?? 0) + sendRes.bytes, retr: (sumS?.retr ?? 0) + retr, end: Math.max(sumS?.end ?? 0, sendRes.end_time) };
    }
    if (recvRes) {
      lines.push(receiver(st.id, { bytes: recvRes.bytes, end: recvRes.end_time }));
      sumR = { bytes: (sumR?.bytes ?? 0) + recvRes.bytes, end: Math.max(sumR?.end ?? 0, recvRes.end_time) };
    }
    return lines;
  });
  const a = sumS as { bytes: number; retr: number; end: number } | null;
  const b = sumR as { bytes: number; end: number } | null;
  const sums = [...(a ? [sender('SUM', a)] : []), ...(b ? [receiver('SUM', b)] : [])];
  printResults(p, '[ ID] Interval           Transfer     Bitrate' + (hasSender ? '         Retr' : '') + '\n', perStream, sums);
}

function results(net: ReturnType<typeof kernel>, streams: Stream[], secs: number): StreamResult[] {
  return streams.map((st) => ({ id: st.id, bytes: st.bytes, retransmits: st.sender ? tcp_info_sys(net, st.sk).total_retrans - st.retransStart : -1, start_time: 0, end_time: secs }));
}

function* client(p: Proc, s: Settings): ProgramGen {
  const net = kernel(p);
  const daddr = parseInetLoose(s.host);
  if (daddr === null) throw errexit(p, `unable to connect to server: Name or service not known`);
  const ctrl = tcp_socket(net);
  const streams: Stream[] = [];
  try {
    const ce = yield* tcp_connect(net, ctrl, daddr, s.port, ctxOf(p));
    if (ce) throw errexit(p, `unable to connect to server: ${ERRNO_TEXT[ce.errno] ?? ce.errno}`);
    out(p, `Connecting to host ${s.host}, port ${s.port}\n`);
    if (s.reverse) out(p, `Reverse mode, remote host ${s.host} is sending\n`);
    if (s.udp) return yield* udp_client(p, s, ctrl, daddr);
    return yield* client_loop(p, ctrl, {
      params: { tcp: true, omit: s.omit, time: s.time, num: s.bytes, blockcount: 0, parallel: s.parallel, reverse: s.reverse || undefined, len: s.blksize, pacing_timer: 1000, client_version: '3.12', congestion: s.congestion ?? undefined, nodelay: s.nodelay || undefined, window: s.window || undefined, MSS: s.mss || undefined },
      *create_streams(cookie) {
        for (let i = 0; i < s.parallel; i++) {
          const sk = tcp_socket(net);
          applySockopts(p, sk, s);
          const e = yield* tcp_connect(net, sk, daddr, s.port, ctxOf(p));
          if (e) throw errexit(p, `unable to connect stream: ${ERRNO_TEXT[e.errno] ?? e.errno}`);
          yield* writeAll(p, sk, cookie);
          const id = 5 + 2 * i;
          streams.push({ id, sk, sender: !s.reverse, bytes: 0, intervalBytes: 0, retransStart: 0, intervalRetrans: 0 });
          out(p, connectedLine(id, sk.saddr, sk.num, daddr, s.port));
        }
      },
      header: '[ ID] Interval           Transfer     Bitrate         Retr  Cwnd\n',
      *run() {
        const start = net.now();
        for (const x of streams) x.retransStart = x.intervalRetrans = tcp_info_sys(net, x.sk).total_retrans;
        return yield* run_streams(p, s, streams, ctrl, true, start);
      },
      sender_has_retransmits: 1,
      results: (secs) => results(net, streams, secs),
      display: (secs, theirs) => summary(p, s, streams, results(net, streams, secs), theirs, true),
    });
  } finally {
    for (const x of streams) tcp_close_sys(net, x.sk);
    tcp_close_sys(net, ctrl);
  }
}

/** What the client's control loop needs from a protocol (iperf3's struct
 * protocol and its reporter callbacks); the rest is shared. */
export interface ClientTest {
  /** PARAM_EXCHANGE: the test parameters, sent as JSON. */
  params: object;
  /** CREATE_STREAMS: connect the data streams. */
  create_streams(cookie: Uint8Array): Generator<any, void, any>;
  /** TEST_START: the interval lines' header. */
  header: string;
  /** TEST_RUNNING: the data phase; its length in seconds. */
  run(): Generator<any, number, any>;
  sender_has_retransmits: number;
  /** EXCHANGE_RESULTS: this side's per-stream results. */
  results(secs: number): object[];
  /** DISPLAY_RESULTS: the summary, with the server's results. */
  display(secs: number, theirs: any[] | null): void;
}

/** iperf_run_client after the control connection: the cookie, then each
 * state the server sends (iperf_handle_message_client) until IPERF_DONE. */
export function* client_loop(p: Proc, ctrl: TcpSock, t: ClientTest): ProgramGen {
  const cookie = make_cookie(p);
  yield* writeAll(p, ctrl, cookie);
  let secs = 0;
  let theirs: any[] | null = null;
  for (;;) {
    const st = yield* readN(p, ctrl, 1);
    if (!st) throw errexit(p, 'control socket has closed unexpectedly');
    switch (st[0]) {
      case PARAM_EXCHANGE:
        yield* sendJSON(p, ctrl, t.params);
        break;
      case CREATE_STREAMS:
        yield* t.create_streams(cookie);
        break;
      case TEST_START:
        out(p, t.header);
        break;
      case TEST_RUNNING:
        secs = yield* t.run();
        yield* writeAll(p, ctrl, new Uint8Array([TEST_END]));
        break;
      case EXCHANGE_RESULTS:
        yield* sendJSON(p, ctrl, { cpu_util_total: 0, sender_has_retransmits: t.sender_has_retransmits, streams: t.results(secs) });
        theirs = (yield* recvJSON(p, ctrl))?.streams ?? null;
        break;
      case DISPLAY_RESULTS:
        t.display(secs, theirs);
        yield* writeAll(p, ctrl, new Uint8Array([IPERF_DONE]));
        out(p, '\niperf Done.\n');
        return 0;
      default:
        throw errexit(p, 'received an unknown control message');
    }
  }
}

function* server(p: Proc, s: Settings): ProgramGen {
  const net = kernel(p);
  for (let test = 1; ; test++) {
    out(p, `-----------------------------------------------------------\nServer listening on ${s.port} (test #${test})\n-----------------------------------------------------------\n`);
    const ls = tcp_socket(net);
    tcp_setsockopt_sys(net, ls, 'SO_REUSEADDR', 1);
    const be = tcp_bind(net, ls, 0, s.port);
    if (be) {
      tcp_close_sys(net, ls);
      throw errexit(p, `unable to start listener for connections: ${ERRNO_TEXT[be.errno] ?? be.errno}`);
    }
    tcp_listen(net, ls, 0x7fffffff);
    const streams: Stream[] = [];
    let ctrl: TcpSock | null = null;
    try {
      const c = yield* tcp_accept(net, ls, ctxOf(p));
      if ('errno' in c) return c.errno === 'EINTR' ? 1 : 1;
      ctrl = c;
      out(p, `Accepted connection from ${formatIPv4(c.daddr)}, port ${c.dport}\n`);
      const cookie = yield* readN(p, c, COOKIE_SIZE);
      if (!cookie) continue;
      yield* writeAll(p, c, new Uint8Array([PARAM_EXCHANGE]));
      const params = yield* recvJSON(p, c);
      if (!params) continue;
      if (params.udp) {
        const rc = yield* udp_server_test(p, s, params, c);
        if (rc !== 0 || s.oneOff) return rc;
        continue;
      }
      const ts: Settings = { ...s, time: params.time ?? 10, bytes: params.num ?? 0, blksize: params.len ?? DEFAULT_TCP_BLKSIZE, parallel: params.parallel ?? 1, reverse: !!params.reverse, nodelay: !!params.nodelay, window: params.window ?? 0, mss: params.MSS ?? 0, congestion: params.congestion ?? null };
      yield* writeAll(p, c, new Uint8Array([CREATE_STREAMS]));
      for (let i = 0; i < ts.parallel; i++) {
        const d = yield* tcp_accept(net, ls, ctxOf(p));
        if ('errno' in d) return 1;
        applySockopts(p, d, ts);
        const ck = yield* readN(p, d, COOKIE_SIZE);
        if (!ck) return 1;
        const id = i === 0 ? 5 : 7 + i;
        streams.push({ id, sk: d, sender: ts.reverse, bytes: 0, intervalBytes: 0, retransStart: 0, intervalRetrans: 0 });
        out(p, connectedLine(id, d.saddr, d.num, d.daddr, d.dport));
      }
      yield* writeAll(p, c, new Uint8Array([TEST_START]));
      out(p, ts.reverse ? '[ ID] Interval           Transfer     Bitrate         Retr  Cwnd\n' : '[ ID] Interval           Transfer     Bitrate\n');
      yield* writeAll(p, c, new Uint8Array([TEST_RUNNING]));
      const start = net.now();
      for (const x of streams) x.retransStart = x.intervalRetrans = tcp_info_sys(net, x.sk).total_retrans;
      // The server runs until the client's TEST_END.
      const secs = yield* run_streams(p, ts, streams, c, false, start);
      const m = yield* readN(p, c, 1);
      if (!m || m[0] !== TEST_END) return 1;
      yield* writeAll(p, c, new Uint8Array([EXCHANGE_RESULTS]));
      yield* recvJSON(p, c);
      const mine = results(net, streams, secs);
      yield* sendJSON(p, c, { cpu_util_total: 0, sender_has_retransmits: ts.reverse ? 1 : -1, streams: mine });
      yield* writeAll(p, c, new Uint8Array([DISPLAY_RESULTS]));
      summary(p, ts, streams, mine, null, false);
      yield* readN(p, c, 1);
    } finally {
      for (const x of streams) tcp_close_sys(net, x.sk);
      if (ctrl) tcp_close_sys(net, ctrl);
      tcp_close_sys(net, ls);
    }
    if (s.oneOff) return 0;
  }
}
