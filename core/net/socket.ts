// The socket system calls the userland tools use (net/socket.c,
// af_inet.c, udp_sendmsg, raw_sendmsg, ip_append_data's size checks).
// Calls return an errno name on failure, as the C library would set errno.
import type { Net } from './net_namespace.js';
import { consume_skb, type SkBuff } from './core/skbuff.js';
import { Sock, skb_recv_datagram, sock_queue_err, SO_EE_ORIGIN_LOCAL, type SockExtendedErr, __sock_set_rcvbuf, __sock_set_sndbuf, skb_set_owner_w } from './ipv4/sock.js';
import { ip_route_output_key, dst_mtu, type Rtable, RTCF_BROADCAST } from './ipv4/route.js';
import { ip_alloc_skb_hdr, ip_local_out } from './ipv4/ip_output.js';
import { udp_lib_get_port, udp_fill_header, __skb_recv_udp } from './ipv4/udp.js';
import { ip_dev_find } from './ipv4/devinet.js';
import { iph, IPPROTO_ICMP, IPPROTO_UDP } from './wire/ip.js';
import { ICMP_INC_STATS, ICMPMSG_INC_STATS } from './snmp_stats.js';
import { UDP_MIB } from './mib.js';
import { run_on_cpu_arg } from '../kernel/softirq.js';
import type { Cpu } from '../kernel/cpu.js';
import { COST } from '../kernel/costs.js';

export type Errno = { errno: string };
const E = (errno: string): Errno => ({ errno });

export interface Datagram {
  data: Uint8Array;
  /** Whole IP packet for raw sockets, payload for UDP. */
  saddr: number;
  sport: number;
  daddr: number;
  ttl: number;
  tstamp: number;
}

/** Run a syscall body on the task's CPU in process context (costs, softirqs on exit). */
export function syscall<T>(net: Net, fn: () => T): T {
  sysFn = fn;
  run_on_cpu_arg(net, net.cpus[0], 'system', syscall_body, net.cpus[0], false);
  return sysRet as T;
}

// The body and result of the syscall being made (a nested one sets its own
// before the outer one's result is stored).
let sysFn: () => unknown = () => undefined;
let sysRet: unknown;

function syscall_body(cpu: Cpu): void {
  const fn = sysFn;
  cpu.spend(COST.syscall);
  sysRet = fn();
}

export function sock_create(net: Net, type: 'udp' | 'raw', protocol: number): Sock {
  return syscall(net, () => {
    const sk = new Sock(net, type, protocol || (type === 'udp' ? IPPROTO_UDP : IPPROTO_ICMP));
    if (type === 'raw') net.socks.raw.push(sk);
    return sk;
  });
}

/** setsockopt(2) for the IP-level options the tools use. */
export type SockOpt =
  | ['IP_TTL', number]
  | ['IP_RECVERR', boolean]
  | ['IP_MTU_DISCOVER', 'want' | 'do' | 'dont' | 'probe']
  | ['SO_BROADCAST', boolean]
  | ['SO_BINDTODEVICE', number]
  | ['SO_TIMESTAMP', boolean]
  | ['ICMP_FILTER', number]
  | ['IP_TOS', number]
  | ['SO_RCVBUF', number]
  | ['SO_RCVBUFFORCE', number]
  | ['SO_SNDBUF', number]
  | ['SO_SNDBUFFORCE', number]
  | ['SO_REUSEADDR', boolean]
  | ['SO_REUSEPORT', boolean];

export function sock_setsockopt(net: Net, sk: Sock, ...opt: SockOpt): void {
  syscall(net, () => {
    switch (opt[0]) {
      case 'IP_TTL':
        sk.ttl = opt[1];
        break;
      case 'IP_RECVERR':
        sk.recverr = opt[1];
        break;
      case 'IP_MTU_DISCOVER':
        sk.pmtudisc = opt[1];
        break;
      case 'SO_BROADCAST':
        sk.broadcast = opt[1];
        break;
      case 'SO_BINDTODEVICE':
        sk.bound_dev_if = opt[1];
        break;
      case 'ICMP_FILTER':
        sk.icmp_filter = opt[1];
        break;
      case 'IP_TOS':
        sk.tos = opt[1];
        break;
      case 'SO_TIMESTAMP':
        break;
      // RCVBUF/SNDBUF are hints: capped at rmem_max/wmem_max, no error.
      case 'SO_RCVBUF':
        __sock_set_rcvbuf(sk, Math.min(opt[1] >>> 0, net.sysctlInt('net.core.rmem_max')));
        break;
      case 'SO_RCVBUFFORCE': // CAP_NET_ADMIN: the tools run as root
        __sock_set_rcvbuf(sk, Math.max(opt[1], 0));
        break;
      case 'SO_SNDBUF':
        __sock_set_sndbuf(sk, Math.min(opt[1] >>> 0, net.sysctlInt('net.core.wmem_max')));
        break;
      case 'SO_SNDBUFFORCE':
        __sock_set_sndbuf(sk, Math.max(opt[1], 0));
        break;
      case 'SO_REUSEADDR':
        sk.reuseaddr = opt[1];
        break;
      case 'SO_REUSEPORT':
        sk.reuseport = opt[1];
        break;
    }
  });
}

export function sock_bind(net: Net, sk: Sock, addr: number, port: number): Errno | null {
  if (addr && !ip_dev_find(net, addr) && !net.sysctlInt('net.ipv4.ip_nonlocal_bind')) return E('EADDRNOTAVAIL');
  if (sk.type === 'raw') {
    sk.rcv_saddr = sk.saddr = addr;
    return null;
  }
  if (sk.num) return E('EINVAL');
  sk.rcv_saddr = sk.saddr = addr;
  if (!udp_lib_get_port(net, sk, port)) {
    sk.rcv_saddr = sk.saddr = 0;
    return E('EADDRINUSE');
  }
  return null;
}

function route(net: Net, sk: Sock, daddr: number, proto: number, dport: number): Rtable | Errno {
  const fl = { daddr, saddr: sk.saddr, oif: sk.bound_dev_if, tos: sk.tos, scope: 0, proto, sport: sk.num, dport };
  const rt = ip_route_output_key(net, fl);
  if ('err' in rt) {
    if (rt.err === 'ENETUNREACH') net.mib.inc('Ip', 'OutNoRoutes', 1);
    return E(rt.err);
  }
  if (rt.flags & RTCF_BROADCAST && !sk.broadcast) return E('EACCES');
  (rt as any).__saddr = fl.saddr;
  return rt;
}

/** connect(2) for datagram sockets: fix the peer, pick the source. */
export function sock_connect(net: Net, sk: Sock, daddr: number, dport: number): Errno | null {
  return syscall(net, () => {
    const rt = route(net, sk, daddr, sk.type === 'udp' ? IPPROTO_UDP : sk.protocol, dport);
    if ('errno' in rt) return rt;
    if (!sk.saddr) sk.saddr = (rt as any).__saddr;
    if (!sk.rcv_saddr) sk.rcv_saddr = sk.saddr;
    sk.daddr = daddr;
    sk.dport = dport;
    if (sk.type === 'udp' && !sk.num && !udp_lib_get_port(net, sk, 0)) return E('EAGAIN');
    sk.dst = rt;
    sk.dst_genid = net.fib.genid;
    sk.state = 'ESTABLISHED';
    return null;
  });
}

/** ip_dont_fragment and ip_append_data's EMSGSIZE rule: whether to set DF
 * (fragDf) and the error, if any, for a `len`-byte packet on `mtu`. */
function fragPolicy(sk: Sock, mtu: number, len: number): Errno | null {
  const fits = len <= mtu;
  if (sk.pmtudisc === 'do' || sk.pmtudisc === 'probe') {
    fragDf = true;
    return fits ? null : E('EMSGSIZE');
  }
  fragDf = sk.pmtudisc === 'want' && fits;
  return null;
}
let fragDf = false;

const fmtLen = (len: number) => `len ${len}`;

/** sendto(2): UDP payload or, for raw sockets, the transport header and data. */
export function sock_sendto(net: Net, sk: Sock, data: Uint8Array, daddr?: number, dport?: number): number | Errno {
  const a = sendArgs;
  a.net = net;
  a.sk = sk;
  a.data = data;
  a.daddr = daddr;
  a.dport = dport;
  const r = syscall(net, sendtoCall);
  a.data = null;
  return r;
}

// sendto's arguments for its body, which runs as the syscall (one closure
// made once rather than one per call; the body takes them all at its start).
const sendArgs: { net: Net | null; sk: Sock | null; data: Uint8Array | null; daddr?: number; dport?: number } = { net: null, sk: null, data: null };
const sendtoCall = (): number | Errno => do_sendto(sendArgs.net!, sendArgs.sk!, sendArgs.data!, sendArgs.daddr, sendArgs.dport);

function do_sendto(net: Net, sk: Sock, data: Uint8Array, daddr: number | undefined, dport: number | undefined): number | Errno {
  // udp_sendmsg, raw_sendmsg and ping_common_sendmsg refuse len > 0xFFFF
  // first: no route lookup, nothing on the error queue.
  if (data.length > 0xffff) return E('EMSGSIZE');
  if (sk.err) {
    const e = sk.err;
    sk.err = null;
    return E(e);
  }
  const to = daddr ?? sk.daddr;
  const port = dport ?? sk.dport;
  if (!to) return E('EDESTADDRREQ');
  let rt: Rtable | Errno;
  let saddr = sk.saddr;
  if (daddr === undefined && sk.dst && sk.dst_genid === net.fib.genid) rt = sk.dst;
  else {
    rt = route(net, sk, to, sk.type === 'udp' ? IPPROTO_UDP : sk.protocol, port);
    if ('errno' in rt) return rt;
    if (!saddr) saddr = (rt as any).__saddr;
    if (daddr === undefined) {
      sk.dst = rt;
      sk.dst_genid = net.fib.genid;
    }
  }
  if (!saddr) saddr = (rt as any).__saddr ?? sk.saddr;
  const isUdp = sk.type === 'udp';
  if (isUdp && !sk.num && !udp_lib_get_port(net, sk, 0)) return E('EAGAIN');
  const payload = isUdp ? 8 + data.length : data.length;
  const mtu = dst_mtu(net, rt);
  let err = fragPolicy(sk, mtu, 20 + payload);
  const df = fragDf;
  // __ip_append_data: beyond IP_MAX_MTU even when DF may be ignored.
  if (!err && 20 + payload > 0xffff) err = E('EMSGSIZE');
  if (err) {
    // ip_local_error: the error also goes to the error queue when IP_RECVERR is on.
    if (sk.recverr) sock_queue_err(sk, localErr(net, 'EMSGSIZE', to, port, mtu, data));
    return err;
  }
  const ttl = sk.ttl >= 0 ? sk.ttl : net.sysctl.hot().ip_default_ttl;
  // sock_alloc_send_skb: a full send buffer blocks the writer (EAGAIN to
  // the caller, which waits on the socket as sock_wait_for_wmem does).
  if (isUdp && sk.wmem_alloc >= sk.sndbuf) return E('EAGAIN');
  const skb = ip_alloc_skb_hdr(net, payload, saddr, to, sk.protocol, ttl, sk.tos, df);
  const off = skb.transport_header;
  if (isUdp) skb_set_owner_w(skb, sk);
  if (isUdp) {
    skb.buf.set(data, off + 8);
    udp_fill_header(skb.buf, off, sk.num, port, data.length, saddr, to);
  } else {
    skb.buf.set(data, off);
    // __ip_make_skb counts every ICMP message a socket sends (ping's echo requests).
    if (sk.protocol === IPPROTO_ICMP && data.length) {
      ICMPMSG_INC_STATS(net, 'Out', data[0]);
      ICMP_INC_STATS(net, 'OutMsgs');
    }
  }
  skb.sk = sk;
  skb.cb.ignore_df = df ? 0 : 1;
  net.spend(COST.copy_per_byte * data.length);
  if (net.tracer.active) net.tracer.fnf(skb, isUdp ? 'udp_sendmsg' : 'raw_sendmsg', fmtLen, data.length);
  // ip_send_skb: a netfilter drop (NF_DROP -> -EPERM) is the caller's error.
  if (ip_local_out(net, skb, rt)) {
    net.mib.inc('Ip', 'OutDiscards', 1);
    return E('EPERM');
  }
  if (isUdp) net.mib.udp[UDP_MIB.UDP_MIB_OUTDATAGRAMS]++;
  return data.length;
}

function localErr(net: Net, errno: string, daddr: number, port: number, info: number, data: Uint8Array): SockExtendedErr {
  return { ee_errno: errno, ee_origin: SO_EE_ORIGIN_LOCAL, ee_type: 0, ee_code: 0, ee_info: info, offender: 0, payload: data.slice(0, 64), daddr, port, tstamp: net.now() };
}

/** The start of both receive calls: a pending socket error first (sock_error),
 * then the next datagram, or null when nothing is queued. */
function recv_skb(sk: Sock): SkBuff | Errno | null {
  if (sk.err) {
    const e = sk.err;
    sk.err = null;
    return E(e);
  }
  return sk.type === 'udp' ? __skb_recv_udp(sk) : skb_recv_datagram(sk);
}

/** recvfrom(2), non-blocking: null when nothing is queued (caller sleeps on sk.wq). */
export function sock_recv(net: Net, sk: Sock): Datagram | Errno | null {
  const skb = recv_skb(sk);
  if (!skb || 'errno' in skb) return skb;
  const b = skb.buf;
  const nh = skb.network_header;
  let d: Datagram;
  if (sk.type === 'raw') {
    d = { data: b.slice(nh, skb.tail), saddr: iph.saddr(b, nh), sport: 0, daddr: iph.daddr(b, nh), ttl: iph.ttl(b, nh), tstamp: skb.tstamp };
  } else {
    const th = skb.transport_header;
    d = { data: b.slice(th + 8, skb.tail), saddr: iph.saddr(b, nh), sport: (b[th] << 8) | b[th + 1], daddr: iph.daddr(b, nh), ttl: iph.ttl(b, nh), tstamp: skb.tstamp };
    net.mib.udp[UDP_MIB.UDP_MIB_INDATAGRAMS]++;
  }
  skb.sk = null;
  // The datagram is copied to user space; the skb is done.
  import_consume(skb);
  return d;
}

/** The sender of a datagram read with sock_recvfrom. */
export interface DatagramFrom {
  saddr: number;
  sport: number;
  daddr: number;
  ttl: number;
  tstamp: number;
}

/** recvfrom(2) into the caller's buffer, as sock_recv but with no buffer or
 * object made per datagram: the bytes copied (a datagram longer than buf is
 * truncated), the sender in `from` when given; null when nothing is queued. */
export function sock_recvfrom(net: Net, sk: Sock, buf: Uint8Array, from: DatagramFrom | null): number | Errno | null {
  const skb = recv_skb(sk);
  if (!skb || 'errno' in skb) return skb;
  const b = skb.buf;
  const nh = skb.network_header;
  const start = sk.type === 'raw' ? nh : skb.transport_header + 8;
  const n = Math.min(skb.tail - start, buf.length);
  buf.set(b.subarray(start, start + n));
  if (from) {
    from.saddr = iph.saddr(b, nh);
    from.sport = sk.type === 'raw' ? 0 : (b[skb.transport_header] << 8) | b[skb.transport_header + 1];
    from.daddr = iph.daddr(b, nh);
    from.ttl = iph.ttl(b, nh);
    from.tstamp = skb.tstamp;
  }
  if (sk.type !== 'raw') net.mib.udp[UDP_MIB.UDP_MIB_INDATAGRAMS]++;
  skb.sk = null;
  import_consume(skb);
  return n;
}

/** recvmsg(MSG_ERRQUEUE). */
export function sock_recv_err(sk: Sock): SockExtendedErr | null {
  return sk.error_queue.shift() ?? null;
}

/** close(2): the socket leaves the tables when the CPU gets to the call,
 * which can be later than the event being processed when a task makes a
 * burst of system calls (traceroute closing its probes at exit). */
export function sock_close(net: Net, sk: Sock): void {
  if (sk.closed) return;
  sk.closed = true;
  const at = syscall(net, () => net.now());
  const unhash = () => {
    const l = sk.type === 'udp' ? net.socks.udp : net.socks.raw;
    const i = l.indexOf(sk);
    if (i >= 0) l.splice(i, 1);
    let skb;
    while ((skb = skb_recv_datagram(sk))) consume_skb(skb, 'skb_free_datagram');
  };
  if (at > net.engine.now) net.engine.at(at, unhash);
  else unhash();
}

function import_consume(skb: SkBuff): void {
  consume_skb(skb, 'skb_free_datagram');
}
