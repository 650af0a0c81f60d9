// The TCP system calls (net/socket.c, af_inet.c: inet_stream_connect,
// inet_accept, inet_sendmsg/inet_recvmsg, inet_shutdown, tcp_poll). Each
// syscall body runs on the CPU in process context (syscall()); the blocking
// ones are generators that sleep on the socket's wait queue, as
// sk_wait_event does, and return an errno name on failure.
import type { Net } from './net_namespace.js';
import type { WaitQueue } from '../kernel/wait.js';
import { syscall, type Errno } from './socket.js';
import { ip_dev_find } from './ipv4/devinet.js';
import { TcpSock, SEND_SHUTDOWN, RCV_SHUTDOWN, SHUTDOWN_MASK } from './ipv4/tcp_sock.js';
import { tcp_init_sock, tcp_sendmsg_locked, tcp_recvmsg, tcp_shutdown, tcp_close, tcp_setsockopt, tcp_inq, tcp_get_info, type TcpInfo } from './ipv4/tcp.js';
import { tcp_v4_connect, tcp_v4_init, tcp_release_sock } from './ipv4/tcp_ipv4.js';
import { do_softirq } from '../kernel/softirq.js';
import { inet_csk_get_port, inet_csk_listen_start, inet_csk_accept } from './ipv4/inet_connection_sock.js';

const E = (errno: string): Errno => ({ errno });

/** What a blocking syscall yields: sleep on a wait queue (sk_wait_event). */
export type SysWait = { op: 'wait'; q: WaitQueue; timeoutNs?: number };
export type SysGen<T> = Generator<SysWait, T, boolean>;

/** The calling task as a syscall sees it. */
export interface SysCtx {
  /** A signal is pending (EINTR). */
  interrupted(): boolean;
}

/** socket(AF_INET, SOCK_STREAM, 0). */
export function tcp_socket(net: Net): TcpSock {
  tcp_v4_init();
  return syscall(net, () => tcp_init_sock(net));
}

/** bind(2): inet_bind + inet_csk_get_port. */
export function tcp_bind(net: Net, sk: TcpSock, addr: number, port: number): Errno | null {
  return syscall(net, () => {
    if (addr && !ip_dev_find(net, addr) && !net.sysctlInt('net.ipv4.ip_nonlocal_bind')) return E('EADDRNOTAVAIL');
    if (sk.state !== 'CLOSE' || sk.num) return E('EINVAL');
    sk.rcv_saddr = sk.saddr = addr;
    if (!inet_csk_get_port(net, sk, port)) {
      sk.rcv_saddr = sk.saddr = 0;
      return E('EADDRINUSE');
    }
    if (port) sk.userlocks |= 8; // SOCK_BINDPORT_LOCK
    if (addr) sk.userlocks |= 4; // SOCK_BINDADDR_LOCK
    return null;
  });
}

/** listen(2): the backlog is capped by net.core.somaxconn. */
export function tcp_listen(net: Net, sk: TcpSock, backlog: number): Errno | null {
  return syscall(net, () => {
    if (sk.state !== 'CLOSE' && sk.state !== 'LISTEN') return E('EINVAL');
    const somaxconn = net.sysctlInt('net.core.somaxconn');
    if (backlog > somaxconn) backlog = somaxconn;
    sk.max_ack_backlog = Math.max(0, backlog);
    if (sk.state === 'LISTEN') return null;
    const err = inet_csk_listen_start(sk);
    return err ? E(err) : null;
  });
}

/** accept(2) (inet_csk_accept / inet_csk_wait_for_connect). */
export function* tcp_accept(net: Net, sk: TcpSock, ctx: SysCtx, opts: { nonblock?: boolean; timeoutNs?: number } = {}): SysGen<TcpSock | Errno> {
  for (;;) {
    const r = syscall(net, (): TcpSock | Errno | null => {
      if (sk.state !== 'LISTEN') return E('EINVAL');
      return inet_csk_accept(sk);
    });
    if (r) return r;
    if (opts.nonblock) return E('EAGAIN');
    if (ctx.interrupted()) return E('EINTR');
    const woken: boolean = yield { op: 'wait', q: sk.wq, timeoutNs: opts.timeoutNs };
    if (!woken && opts.timeoutNs !== undefined && !ctx.interrupted()) return E('EAGAIN');
  }
}

/** connect(2): send the SYN, then (unless non-blocking) wait for the handshake. */
export function* tcp_connect(net: Net, sk: TcpSock, daddr: number, dport: number, ctx: SysCtx, opts: { timeoutNs?: number; nonblock?: boolean } = {}): SysGen<Errno | null> {
  const e = lock_sock_syscall(net, sk, (): Errno | null => {
    if (sk.state === 'ESTABLISHED') return E('EISCONN');
    if (sk.state !== 'CLOSE') return E('EALREADY');
    const err = tcp_v4_connect(sk, daddr, dport);
    return err ? E(err) : null;
  });
  if (e) return e;
  const deadline = opts.timeoutNs !== undefined ? net.now() + opts.timeoutNs : undefined;
  if (opts.nonblock) {
    // connect(O_NONBLOCK) gave EINPROGRESS: poll(POLLOUT) until the socket is
    // writable or has an error, then getsockopt(SO_ERROR).
    while (!(tcp_poll(sk) & (POLLOUT | POLLERR | POLLHUP))) {
      if (ctx.interrupted()) return E('EINTR');
      const left = deadline !== undefined ? deadline - net.now() : undefined;
      if (left !== undefined && left <= 0) return E('ETIMEDOUT');
      yield { op: 'wait', q: sk.wq, timeoutNs: left };
    }
    const err = tcp_so_error(sk);
    return err ? E(err) : null;
  }
  while (sk.state === 'SYN_SENT' || sk.state === 'SYN_RECV') {
    if (ctx.interrupted()) return E('EINTR');
    const left = deadline !== undefined ? deadline - net.now() : undefined;
    if (left !== undefined && left <= 0) return E('ETIMEDOUT');
    yield { op: 'wait', q: sk.wq, timeoutNs: left };
  }
  if (sk.state === 'CLOSE') {
    const err = sk.err ?? 'ECONNREFUSED';
    sk.err = null;
    return E(err);
  }
  return null;
}

/** A syscall body run under lock_sock: segments arriving meanwhile (for a
 * veth peer that is all the softirq work the call itself raised) go to the
 * backlog, ICMP errors only count, and release_sock runs the backlog. */
function lock_sock_syscall<T>(net: Net, sk: TcpSock, fn: () => T): T {
  return syscall(net, () => {
    sk.owned = true;
    try {
      const r = fn();
      // local_bh_enable inside the call runs the softirqs it raised.
      const cpu = net.curCpu;
      if (cpu && cpu.softirqPending) do_softirq(net, cpu, 'softirq');
      return r;
    } finally {
      tcp_release_sock(sk);
    }
  });
}

/** getsockopt(SO_ERROR): sk_err, else sk_err_soft; either is cleared. */
export function tcp_so_error(sk: TcpSock): string | null {
  const err = sk.err;
  if (err) {
    sk.err = null;
    return err;
  }
  const soft = sk.err_soft;
  sk.err_soft = null;
  return soft;
}

/** send(2)/write(2): copy everything, sleeping while the send buffer is full. */
export function* tcp_send(net: Net, sk: TcpSock, data: Uint8Array, ctx: SysCtx, opts: { flags?: number; nonblock?: boolean } = {}): SysGen<number | Errno> {
  let off = 0;
  while (off < data.length) {
    const r = syscall(net, () => tcp_sendmsg_locked(sk, data, off, opts.flags ?? 0));
    off += r.copied;
    if (r.err) return off ? off : E(r.err);
    if (off >= data.length) break;
    if (!r.wait) continue;
    if (opts.nonblock) return off ? off : E('EAGAIN');
    if (ctx.interrupted()) return off ? off : E('EINTR');
    yield { op: 'wait', q: sk.wq };
  }
  return off;
}

/** recv(2)/read(2): up to len bytes; an empty array at end of stream. */
export function* tcp_recv(net: Net, sk: TcpSock, len: number, ctx: SysCtx, opts: { nonblock?: boolean; timeoutNs?: number; flags?: number } = {}): SysGen<Uint8Array | Errno> {
  for (;;) {
    const r = syscall(net, () => tcp_recvmsg(sk, len, opts.flags ?? 0));
    if (r.err) return E(r.err);
    if (r.data) return r.data;
    if (!r.wait) return new Uint8Array(0);
    if (opts.nonblock) return E('EAGAIN');
    if (ctx.interrupted()) return E('EINTR');
    const woken: boolean = yield { op: 'wait', q: sk.wq, timeoutNs: opts.timeoutNs };
    if (!woken && opts.timeoutNs !== undefined && !ctx.interrupted()) return E('EAGAIN');
  }
}

/** shutdown(2): how 0 SHUT_RD, 1 SHUT_WR, 2 SHUT_RDWR. */
export function tcp_shutdown_sys(net: Net, sk: TcpSock, how: number): Errno | null {
  return syscall(net, () => {
    const e = tcp_shutdown(sk, how);
    return e ? E(e) : null;
  });
}

/** close(2). */
export function tcp_close_sys(net: Net, sk: TcpSock): void {
  syscall(net, () => {
    if (!sk.dead) tcp_close(sk);
  });
}

/** setsockopt(2) for SOL_SOCKET and IPPROTO_TCP options by name. */
export function tcp_setsockopt_sys(net: Net, sk: TcpSock, opt: string, val: number | string): Errno | null {
  return syscall(net, () => {
    const e = tcp_setsockopt(sk, opt, val);
    return e ? E(e) : null;
  });
}

/** getsockopt(TCP_INFO). */
export function tcp_info_sys(net: Net, sk: TcpSock): TcpInfo {
  return syscall(net, () => tcp_get_info(sk));
}

export const POLLIN = 1;
export const POLLOUT = 4;
export const POLLERR = 8;
export const POLLHUP = 16;
export const POLLRDHUP = 0x2000;

/** tcp_poll: what poll(2) would report now. */
export function tcp_poll(sk: TcpSock): number {
  let mask = 0;
  const state = sk.state;
  if (state === 'LISTEN') return sk.accept_queue.length ? POLLIN : 0;
  if (sk.shutdown === SHUTDOWN_MASK || state === 'CLOSE') mask |= POLLHUP;
  if (sk.shutdown & RCV_SHUTDOWN) mask |= POLLIN | POLLRDHUP;
  if (state !== 'SYN_SENT' && state !== 'SYN_RECV') {
    if (tcp_inq(sk) > 0) mask |= POLLIN;
    if (!(sk.shutdown & SEND_SHUTDOWN)) {
      if (sk.wmem_queued < sk.sndbuf && sk.sndbuf - sk.wmem_queued >= sk.wmem_queued >> 1) mask |= POLLOUT;
    } else mask |= POLLOUT;
  }
  if (sk.err || sk.error_queue.length) mask |= POLLERR;
  return mask;
}

/** Bytes waiting to be read (FIONREAD). */
export function tcp_ioctl_inq(sk: TcpSock): number {
  return tcp_inq(sk);
}

export type { TcpSock, TcpInfo };
