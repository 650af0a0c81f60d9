// OpenBSD netcat (Debian's netcat-openbsd 1.219). TCP by default: connect
// to each port given (ranges allowed), or listen (-l) with a backlog of 1 and
// serve one connection at a time (-k: keep listening); readwrite() shuttles
// stdin to the socket and the socket to stdout like the C program's poll
// loop, -N shuts the socket down for writing after stdin's EOF, -w is the
// connect and idle timeout, -z only connects. -u is datagram mode, -Z
// DCCP (Debian's patch), which the lab kernel does not offer.
import type { Proc, ProgramGen } from '../process.js';
import { kernel, out, err, parseInetLoose } from './util.js';
import { sock_create, sock_bind, sock_connect, sock_sendto, sock_recv, sock_close, syscall, type Errno } from '../../net/socket.js';
import { IPPROTO_UDP, formatIPv4 } from '../../net/wire/ip.js';
import { WaitQueue } from '../../kernel/wait.js';
import { ERRNO_TEXT } from './errno.js';
import { bytesToText, textToBytes } from './util.js';
import { getservbyport, getservbyname } from './netdb.js';
import { tcp_socket, tcp_bind, tcp_listen, tcp_accept, tcp_connect, tcp_send, tcp_recv, tcp_shutdown_sys, tcp_close_sys, tcp_setsockopt_sys, tcp_poll, POLLIN, POLLOUT, POLLERR, POLLHUP, type SysCtx, type TcpSock } from '../../net/socket_tcp.js';

const USAGE = 'usage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]\n\t  [-m minttl] [-O length] [-P proxy_username] [-p source_port]\n\t  [-q seconds] [-s sourceaddr] [-T keyword] [-V rtable] [-W recvlimit]\n\t  [-w timeout] [-X proxy_protocol] [-x proxy_address[:port]]\n\t  [destination] [port]\n';
const BUFSIZE = 16384;
const OPTS_WITH_ARG = 'IiMmOPpqsTVWwXx';

interface Opts {
  udp: boolean;
  /** -Z: SOCK_DCCP instead of SOCK_STREAM (-u still wins). */
  dccp: boolean;
  listen: boolean;
  keep: boolean;
  verbose: boolean;
  numeric: boolean;
  shutdownWr: boolean;
  zero: boolean;
  detach: boolean;
  /** -w in ms, -1 for none. */
  timeout: number;
  /** -q seconds, -1 for none. */
  quit: number;
  pflag: string | null;
  sflag: string | null;
  rcvbuf: number;
  sndbuf: number;
  ttl: number;
  tos: number;
}

class NcExit {
  constructor(readonly code: number) {}
}

function errx(p: Proc, msg: string): NcExit {
  err(p, `nc: ${msg}\n`);
  return new NcExit(1);
}

function strerror(e: string): string {
  return ERRNO_TEXT[e] ?? e;
}

export function* nc(p: Proc): ProgramGen {
  const o: Opts = { udp: false, dccp: false, listen: false, keep: false, verbose: false, numeric: false, shutdownWr: false, zero: false, detach: false, timeout: -1, quit: -1, pflag: null, sflag: null, rcvbuf: 0, sndbuf: 0, ttl: -1, tos: -1 };
  const pos: string[] = [];
  const args = p.argv.slice(1);
  // getopt: options end at the first operand only with POSIXLY_CORRECT; GNU permutes.
  while (args.length) {
    const a = args.shift()!;
    if (a === '--') {
      pos.push(...args.splice(0));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      pos.push(a);
      continue;
    }
    for (let i = 1; i < a.length; i++) {
      const f = a[i];
      let v = '';
      if (OPTS_WITH_ARG.includes(f)) {
        const rest = a.slice(i + 1);
        if (rest) v = rest;
        else if (args.length) v = args.shift()!;
        else {
          err(p, `nc: option requires an argument -- '${f}'\n${USAGE}`);
          return 1;
        }
        i = a.length;
      }
      switch (f) {
        case 'u':
          o.udp = true;
          break;
        case 'Z':
          o.dccp = true;
          break;
        case 'l':
          o.listen = true;
          break;
        case 'k':
          o.keep = true;
          break;
        case 'v':
          o.verbose = true;
          break;
        case 'n':
          o.numeric = true;
          break;
        case 'N':
          o.shutdownWr = true;
          break;
        case 'z':
          o.zero = true;
          break;
        case 'd':
          o.detach = true;
          break;
        case '4':
        case 'D':
        case 'b':
        case 'C':
        case 'r':
        case 't':
        case 'F':
        case 'S':
          break;
        case 'w': {
          if (!/^\d+$/.test(v)) {
            err(p, `nc: timeout invalid: ${v}\n`);
            return 1;
          }
          o.timeout = Number(v) * 1000;
          break;
        }
        case 'q':
          o.quit = Number(v);
          if (o.quit >= 0) o.shutdownWr = true;
          break;
        case 'p':
          o.pflag = v;
          break;
        case 's':
          o.sflag = v;
          break;
        case 'I':
          o.rcvbuf = Number(v);
          break;
        case 'O':
          o.sndbuf = Number(v);
          break;
        case 'M':
          o.ttl = Number(v);
          break;
        case 'T':
          o.tos = Number(v);
          break;
        case 'i':
        case 'm':
        case 'P':
        case 'V':
        case 'W':
        case 'X':
        case 'x':
          break;
        case 'h':
          err(p, USAGE);
          return 0;
        default:
          err(p, `nc: invalid option -- '${f}'\n${USAGE}`);
          return 1;
      }
    }
  }
  // Cruft to make sure options are clean, and used properly (netcat.c main).
  let host: string | null = null;
  let uport: string[] | null = null;
  if (pos.length === 0 && o.listen) {
    uport = o.pflag !== null ? [o.pflag] : null;
    host = o.sflag;
  } else if (pos.length === 1 && o.pflag === null && o.sflag === null) {
    if (o.listen) uport = [pos[0]];
  } else if (pos.length >= 2) {
    if (o.listen && (o.pflag !== null || o.sflag !== null || pos.length > 2)) {
      err(p, USAGE);
      return 1;
    }
    host = pos[0];
    uport = pos.slice(1);
  } else {
    err(p, USAGE);
    return 1;
  }
  try {
    // A NULL operand, not an empty one (nc HOST '' goes on to build_ports).
    if (!uport || uport[0] === undefined) throw errx(p, 'missing port number');
    if (o.listen && o.zero) throw errx(p, 'cannot use -z and -l');
    if (!o.listen && o.keep) throw errx(p, 'must use -l with -k');
    if (o.udp) return yield* ncUdp(p, o, host, uport);
    if (o.listen) return yield* ncTcpListen(p, o, host, uport[0]);
    return yield* ncTcpConnect(p, o, host!, uport);
  } catch (e) {
    if (e instanceof NcExit) return e.code;
    throw e;
  }
}

/** proto_name (Debian's dccp patch): the protocol services are looked up in. */
function proto_name(o: Opts): string {
  return o.udp ? 'udp' : o.dccp ? 'dccp' : 'tcp';
}

/** strtonum(3) as libbsd has it: the whole string a base-10 number within
 * [min, max], else "invalid", "too small" or "too large". */
function strtonum(s: string, min: number, max: number): { n: number; errstr: string | null } {
  const m = /^[ \t\n\v\f\r]*[+-]?\d+$/.exec(s);
  if (!m) return { n: 0, errstr: 'invalid' };
  const n = Number(s.trim());
  if (n < min) return { n: 0, errstr: 'too small' };
  if (n > max) return { n: 0, errstr: 'too large' };
  return { n, errstr: null };
}

/** strtoport: strtonum(1..65535). Upstream falls back to getservbyname when
 * errno is EINVAL, but libbsd's strtonum never sets errno, so every failure
 * is reported as it stands (build_ports has already tried the name). */
function strtoport(p: Proc, s: string): number {
  const { n, errstr } = strtonum(s, 1, 65535);
  if (errstr) throw errx(p, `port number ${errstr}: ${s}`);
  return n;
}

/** build_ports (Debian's port-list and service-name patches): each operand
 * a service name, a lo-hi range (when it starts with a digit) or a port. */
function build_ports(p: Proc, uport: string[], proto: string): number[] {
  const ports: number[] = [];
  for (const s of uport) {
    const sv = getservbyname(s, proto);
    const dash = s.indexOf('-');
    if (sv !== null) ports.push(sv);
    else if (/^\d/.test(s) && dash >= 0) {
      // The high end is converted first, as netcat.c does.
      let hi = strtoport(p, s.slice(dash + 1));
      let lo = strtoport(p, s.slice(0, dash));
      if (lo > hi) [lo, hi] = [hi, lo];
      for (let x = lo; x <= hi; x++) ports.push(x);
    } else ports.push(strtoport(p, s));
  }
  return ports;
}

/** The service half of getaddrinfo(3) (glibc 2.36), which local_listen and
 * the -p source port go through: strtoul's number truncated to 16 bits, or a
 * name for the socket's protocol, else EAI_SERVICE. */
function gai_service(p: Proc, s: string, proto: string): number {
  const m = s === '' ? ['', '', '0'] : /^[ \t\n\v\f\r]*([+-]?)(\d+)$/.exec(s);
  if (m) {
    const n = BigInt(m[2]) & 0xffffn;
    return Number(m[1] === '-' ? -n & 0xffffn : n);
  }
  const sv = getservbyname(s, proto);
  if (sv === null) throw errx(p, 'getaddrinfo: Servname not supported for ai_socktype');
  return sv;
}

/** socket(AF_INET, SOCK_STREAM or SOCK_DCCP). The lab kernel registers no
 * DCCP protocol (inetsw[SOCK_DCCP] is empty, as in Linux since 6.16), so
 * inet_create fails that one with ESOCKTNOSUPPORT. */
function stream_socket(p: Proc, o: Opts): TcpSock | Errno {
  return o.dccp ? { errno: 'ESOCKTNOSUPPORT' } : tcp_socket(kernel(p));
}

function resolve(p: Proc, host: string, port: string): number {
  const a = parseInetLoose(host);
  if (a === null) throw errx(p, `getaddrinfo for host "${host}" port ${port}: Name or service not known`);
  return a;
}

/** set_common_sockopts. */
function set_common_sockopts(p: Proc, sk: TcpSock, o: Opts): void {
  const net = kernel(p);
  if (o.tos >= 0) sk.tos = o.tos;
  if (o.rcvbuf) tcp_setsockopt_sys(net, sk, 'SO_RCVBUF', o.rcvbuf);
  if (o.sndbuf) tcp_setsockopt_sys(net, sk, 'SO_SNDBUF', o.sndbuf);
  if (o.ttl >= 0) sk.ttl = o.ttl;
}

function ctxOf(p: Proc): SysCtx {
  return { interrupted: () => p.interrupted };
}

/** The CPU time of `n` system calls that only touch the process itself
 * (fcntl, getsockopt, read/write on stdio): they delay what it does next. */
function sys(p: Proc, n = 1): void {
  const net = kernel(p);
  for (let i = 0; i < n; i++) syscall(net, () => {});
}

/** report_sock: getnameinfo fails for non-numeric lookups (no resolver in the lab, as in the oracle's namespaces). */
function report_sock(p: Proc, o: Opts, msg: string, addr: number, port: number): void {
  if (!o.numeric) throw errx(p, 'getnameinfo: Temporary failure in name resolution');
  err(p, `${msg} ${formatIPv4(addr)} ${port}\n`);
}

/** local_listen + the accept loop of main(). */
function* ncTcpListen(p: Proc, o: Opts, host: string | null, portStr: string): ProgramGen {
  const net = kernel(p);
  const port = gai_service(p, portStr, proto_name(o));
  const addr = host ? resolve(p, host, portStr) : 0;
  const s = stream_socket(p, o);
  // main(): local_listen's failure is err(1, NULL), the errno alone.
  if ('errno' in s) throw errx(p, strerror(s.errno));
  tcp_setsockopt_sys(net, s, 'SO_REUSEADDR', 1);
  tcp_setsockopt_sys(net, s, 'SO_REUSEPORT', 1);
  set_common_sockopts(p, s, o);
  const be = tcp_bind(net, s, addr, port);
  if (be) {
    tcp_close_sys(net, s);
    throw errx(p, strerror(be.errno));
  }
  const le = tcp_listen(net, s, 1);
  if (le) {
    tcp_close_sys(net, s);
    throw errx(p, `listen: ${strerror(le.errno)}`);
  }
  try {
    if (o.verbose) report_sock(p, o, 'Listening on', addr, s.num);
    for (;;) {
      const c = yield* tcp_accept(net, s, ctxOf(p));
      if ('errno' in c) {
        if (c.errno === 'EINTR') return 130;
        throw errx(p, `accept: ${strerror(c.errno)}`);
      }
      try {
        if (o.verbose) report_sock(p, o, 'Connection received on', c.daddr, c.dport);
        const r = yield* readwrite(p, o, c);
        if (r !== null) return r;
      } finally {
        tcp_close_sys(net, c);
      }
      if (!o.keep) break;
    }
  } finally {
    tcp_close_sys(net, s);
  }
  return 0;
}

/** remote_connect for each port, then readwrite (unless -z). */
function* ncTcpConnect(p: Proc, o: Opts, host: string, uport: string[]): ProgramGen {
  const net = kernel(p);
  const proto = proto_name(o);
  const ports = build_ports(p, uport, proto);
  let ret = 1;
  for (const port of ports) {
    const daddr = resolve(p, host, String(port));
    const s = stream_socket(p, o);
    // remote_connect: a socket() failure moves on to the next address, silently.
    if ('errno' in s) continue;
    try {
      if (o.sflag !== null || o.pflag !== null) {
        const sp = o.pflag !== null ? gai_service(p, o.pflag, proto) : 0;
        const sa = o.sflag !== null ? resolve(p, o.sflag, o.pflag ?? '0') : 0;
        const be = tcp_bind(net, s, sa, sp);
        if (be) throw errx(p, `bind failed: ${strerror(be.errno)}`);
      }
      set_common_sockopts(p, s, o);
      sys(p, 2); // connect_with_timeout: fcntl(F_GETFL), fcntl(F_SETFL, O_NONBLOCK)
      const ce = yield* tcp_connect(net, s, daddr, port, ctxOf(p), { nonblock: true, timeoutNs: o.timeout > 0 ? o.timeout * 1e6 : undefined });
      sys(p, 3); // select() returning, getsockopt(SO_ERROR), fcntl(F_SETFL)
      if (ce) {
        if (ce.errno === 'EINTR') return 130;
        if (o.verbose) {
          // connect_with_timeout: a timeout leaves errno at EINPROGRESS.
          const timedOut = ce.errno === 'ETIMEDOUT' && o.timeout > 0 && (s.state as string) !== 'CLOSE';
          err(p, `nc: connect to ${host} port ${port} (${proto}) ${timedOut ? 'timed out' : 'failed'}: ${strerror(timedOut ? 'EINPROGRESS' : ce.errno)}\n`);
        }
        continue;
      }
      ret = 0;
      if (o.verbose) {
        const sv = o.numeric ? null : getservbyport(port, proto);
        err(p, `Connection to ${host} ${port} port [${proto}/${sv ?? '*'}] succeeded!\n`);
      }
      if (!o.zero) {
        const r = yield* readwrite(p, o, s);
        if (r !== null) return r;
      }
    } finally {
      tcp_close_sys(net, s);
    }
  }
  return ret;
}

/** readwrite: the poll loop between stdin/stdout and the socket. Returns
 * null when it ends normally, an exit status to exit now. */
function* readwrite(p: Proc, o: Opts, sk: TcpSock): Generator<any, number | null, any> {
  const net = kernel(p);
  const ctx = ctxOf(p);
  const wq = new WaitQueue();
  const relaySk = () => {
    wq.wake_up();
    sk.wq.add(relaySk);
  };
  const relayIn = () => {
    wq.wake_up();
    p.stdin.q.add(relayIn);
  };
  sk.wq.add(relaySk);
  p.stdin.q.add(relayIn);
  let stdinOpen = !o.detach;
  let netOut = true;
  let netIn = true;
  let stdoutOpen = true;
  let stdinbuf = new Uint8Array(0);
  let ctrld_seen = false;
  let closed = false;
  try {
    for (;;) {
      if (!stdinOpen && !netIn && !stdinbuf.length) return null;
      if (!netOut && !stdoutOpen) return null;
      if (((o.listen && !netIn) || ctrld_seen) && !stdinbuf.length) {
        if (o.quit < 0 || !ctrld_seen) return null;
        // delay_exit: -q 0 exits now; otherwise the socket closes and the quit timer runs.
        if (o.quit === 0) return 0;
        if (!closed) {
          tcp_close_sys(net, sk);
          closed = true;
        }
        yield { op: 'sleep', ns: o.quit * 1e9 };
        return 0;
      }
      if (p.interrupted) return 130;
      let progressed = false;
      const mask = closed ? POLLERR : syscall(net, () => tcp_poll(sk)); // poll(2)
      if (mask & POLLERR) {
        netOut = false;
        netIn = false;
      }
      if (netIn && mask & POLLHUP && !(mask & POLLIN)) netIn = false;
      if (netOut && mask & POLLHUP) {
        if (o.shutdownWr) tcp_shutdown_sys(net, sk, 1);
        netOut = false;
      }
      if (!netOut && stdinOpen) stdinOpen = false;
      if (!stdoutOpen && netIn) {
        tcp_shutdown_sys(net, sk, 0);
        netIn = false;
      }
      // stdin -> buffer
      if (stdinOpen && stdinbuf.length < BUFSIZE) {
        const s = p.stdin.read();
        if (s !== '') sys(p); // read(0, ...)
        if (s === null) {
          stdinOpen = false;
          if (o.quit >= 0) ctrld_seen = true;
        } else if (s) {
          const b = textToBytes(s);
          const nb = new Uint8Array(stdinbuf.length + b.length);
          nb.set(stdinbuf);
          nb.set(b, stdinbuf.length);
          stdinbuf = nb;
          progressed = true;
        }
      }
      // buffer -> network
      if (netOut && stdinbuf.length && tcp_poll(sk) & POLLOUT) {
        const n = yield* tcp_send(net, sk, stdinbuf, ctx, { nonblock: true });
        if (typeof n !== 'number') {
          if (n.errno !== 'EAGAIN' && n.errno !== 'EINTR') netOut = false;
        } else if (n > 0) {
          stdinbuf = stdinbuf.slice(n);
          progressed = true;
        }
      }
      // network -> stdout
      if (netIn && tcp_poll(sk) & (POLLIN | POLLHUP | POLLERR)) {
        const d = yield* tcp_recv(net, sk, BUFSIZE, ctx, { nonblock: true });
        if ('errno' in d) {
          if (d.errno !== 'EAGAIN' && d.errno !== 'EINTR') netIn = false;
        } else if (d.length === 0) {
          tcp_shutdown_sys(net, sk, 0);
          netIn = false;
        } else {
          if (stdoutOpen) {
            sys(p); // write(1, ...)
            out(p, bytesToText(d));
          }
          progressed = true;
        }
      }
      if (!stdinOpen && !stdinbuf.length && netOut) {
        if (o.shutdownWr) tcp_shutdown_sys(net, sk, 1);
        netOut = false;
      }
      if (!netIn && stdoutOpen) stdoutOpen = false;
      if (progressed) continue;
      if (!stdinOpen && !netIn && !stdinbuf.length) continue;
      if (!netOut && !stdoutOpen) continue;
      if (((o.listen && !netIn) || ctrld_seen) && !stdinbuf.length) continue;
      const r: boolean = yield { op: 'wait', q: wq, timeoutNs: o.timeout >= 0 ? o.timeout * 1e6 : undefined };
      // poll() timed out: readwrite returns.
      if (!r && o.timeout >= 0 && !p.interrupted) return null;
    }
  } finally {
    sk.wq.remove(relaySk);
    p.stdin.q.remove(relayIn);
  }
}

/** Datagram mode (-u): send stdin to a peer, print what comes back; or
 * listen (-l) on a port. -w is the idle timeout after stdin ends. */
function* ncUdp(p: Proc, o: Opts, host: string | null, uport: string[]): ProgramGen {
  const net = kernel(p);
  const timeout = o.timeout >= 0 ? o.timeout * 1e6 : -1;
  const srcAddr = o.sflag ? (parseInetLoose(o.sflag) ?? 0) : 0;
  const sk = sock_create(net, 'udp', IPPROTO_UDP);
  const wq = new WaitQueue();
  sk.wq.add(function relay() {
    wq.wake_up();
    sk.wq.add(relay);
  });
  p.stdin.q.add(function relayIn() {
    wq.wake_up();
    p.stdin.q.add(relayIn);
  });
  try {
    if (o.listen) {
      // nc -l [-s addr] [addr] port
      const port = gai_service(p, uport[0], 'udp');
      const e = sock_bind(net, sk, host ? (parseInetLoose(host) ?? srcAddr) : srcAddr, port);
      if (e) {
        err(p, `nc: ${ERRNO_TEXT[e.errno] ?? e.errno}\n`);
        return 1;
      }
      let connected = false;
      for (;;) {
        const d = sock_recv(net, sk);
        if (d && !('errno' in d)) {
          out(p, bytesToText(d.data));
          if (!connected && !o.keep) {
            // nc -u -l talks to the first peer only.
            sock_connect(net, sk, d.saddr, d.sport);
            connected = true;
          }
          continue;
        }
        if (p.interrupted) return 130;
        const r: boolean = yield { op: 'wait', q: wq, timeoutNs: timeout >= 0 ? timeout : undefined };
        if (!r && timeout >= 0) return 0;
      }
    }
    const daddr = parseInetLoose(host!);
    const dport = build_ports(p, uport, 'udp')[0];
    if (daddr === null) {
      err(p, `nc: getaddrinfo for host "${host}" port ${dport}: Name or service not known\n`);
      return 1;
    }
    const srcPort = o.pflag !== null ? gai_service(p, o.pflag, 'udp') : 0;
    if (srcAddr || srcPort) {
      const e = sock_bind(net, sk, srcAddr, srcPort);
      if (e) {
        err(p, `nc: bind failed: ${ERRNO_TEXT[e.errno] ?? e.errno}\n`);
        return 1;
      }
    }
    const ce = sock_connect(net, sk, daddr, dport);
    if (ce) {
      // OpenBSD nc reports a failed connect only with -v.
      if (o.verbose) err(p, `nc: connect to ${host} port ${dport} (udp) failed: ${ERRNO_TEXT[ce.errno] ?? ce.errno}\n`);
      return 1;
    }
    let stdinOpen = true;
    let netOpen = true;
    for (;;) {
      let progressed = false;
      if (stdinOpen) {
        const s = p.stdin.read();
        if (s === null) stdinOpen = false;
        else if (s) {
          sock_sendto(net, sk, textToBytes(s));
          progressed = true; // read again before sleeping: EOF may already be there
        }
      }
      while (netOpen) {
        const d = sock_recv(net, sk);
        if (!d) break;
        if ('errno' in d) {
          netOpen = false; // ECONNREFUSED from an ICMP error: stop reading
          break;
        }
        out(p, bytesToText(d.data));
      }
      if (!stdinOpen && !netOpen) return 0;
      if (p.interrupted) return 130;
      if (progressed) continue;
      const r: boolean = yield { op: 'wait', q: wq, timeoutNs: !stdinOpen && timeout >= 0 ? timeout : undefined };
      if (!r && !stdinOpen && timeout >= 0) return 0;
    }
  } finally {
    sock_close(net, sk);
  }
}
