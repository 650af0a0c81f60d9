// iputils ping (raw ICMP socket, as root): a UDP connect() picks the source,
// echo requests go out every interval, replies and errors (IP_RECVERR) come
// back, and the summary and exit status follow iputils' rules.
import type { Proc, ProgramGen } from '../process.js';
import { PING_USAGE } from './usage.js';
import { kernel, out, err, parseInetLoose } from './util.js';
import { sock_create, sock_connect, sock_sendto, sock_recv, sock_recv_err, sock_close, sock_bind } from '../../net/socket.js';
import { formatIPv4, IPPROTO_ICMP, IPPROTO_UDP, put16, put32 } from '../../net/wire/ip.js';
import { csum_fold, csum_partial } from '../../net/wire/checksum.js';
import * as I from '../../net/wire/icmp.js';
import { SO_EE_ORIGIN_ICMP, SO_EE_ORIGIN_LOCAL } from '../../net/ipv4/sock.js';
import { ip_route_output_key, RTCF_BROADCAST } from '../../net/ipv4/route.js';
import { ERRNO_TEXT } from './errno.js';

const UNREACH_TEXT = [
  'Destination Net Unreachable',
  'Destination Host Unreachable',
  'Destination Protocol Unreachable',
  'Destination Port Unreachable',
  'Frag needed and DF set (mtu = %u)',
  'Source Route Failed',
  'Destination Net Unknown',
  'Destination Host Unknown',
  'Source Host Isolated',
  'Destination Net Prohibited',
  'Destination Host Prohibited',
  'Destination Net Unreachable for Type of Service',
  'Destination Host Unreachable for Type of Service',
  'Packet filtered',
  'Precedence Violation',
  'Precedence Cutoff',
];

/** pr_icmph: the text after "From X icmp_seq=N ". */
export function pr_icmph(type: number, code: number, info: number): string {
  switch (type) {
    case I.ICMP_DEST_UNREACH:
      return code < UNREACH_TEXT.length ? UNREACH_TEXT[code].replace('%u', String(info)) : `Dest Unreachable, Bad Code: ${code}`;
    case I.ICMP_TIME_EXCEEDED:
      return code === 0 ? 'Time to live exceeded' : code === 1 ? 'Frag reassembly time exceeded' : `Time exceeded, Bad Code: ${code}`;
    case I.ICMP_SOURCE_QUENCH:
      return 'Source Quench';
    case I.ICMP_PARAMETERPROB:
      return `Parameter problem: pointer = ${(info >>> 24) & 0xff}`;
    case I.ICMP_REDIRECT:
      return 'Redirect';
    default:
      return `Bad ICMP type: ${type}`;
  }
}

function fmtMs(ns: number): string {
  const us = Math.round(ns / 1000);
  if (us >= 100000) return `${Math.floor(us / 1000)}`;
  if (us >= 10000) return `${Math.floor(us / 1000)}.${Math.floor((us % 1000) / 100)}`;
  if (us >= 1000) return `${Math.floor(us / 1000)}.${String(Math.floor((us % 1000) / 10)).padStart(2, '0')}`;
  return `${Math.floor(us / 1000)}.${String(us % 1000).padStart(3, '0')}`;
}

/** strtod as ping_strtod uses it: the longest number at the start (else 0)
 * and what is left after it. */
function strtod(v: string): { n: number; rest: string } {
  const m = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?/i.exec(v);
  return m ? { n: Number(m[0]), rest: v.slice(m[0].length) } : { n: 0, rest: v };
}

function usage(p: Proc): number {
  err(p, PING_USAGE);
  return 2;
}

export function* ping(p: Proc): ProgramGen {
  const net = kernel(p);
  let count = 0;
  let interval = 1e9;
  let linger = 10e9;
  let ttl = -1;
  let size = 56;
  let quiet = false;
  let bcast = false;
  let pmtu: 'do' | 'dont' | 'want' | 'probe' | null = null;
  let iface: string | null = null;
  let target: string | null = null;
  const a = p.argv.slice(1);
  const num = (opt: string, v: string | undefined, float = false): number => {
    if (float) {
      const { n, rest } = strtod(v ?? '');
      if (rest) err(p, `ping: option argument contains garbage: ${rest}\nping: this will become fatal error in the future\n`);
      return n;
    }
    const n = Number.parseInt(v ?? '', 10);
    if (v === undefined || !Number.isFinite(n) || !/^-?\d+$/.test(v)) throw new Error(`ping: invalid argument: '${v ?? ''}'`);
    return n;
  };
  try {
    while (a.length) {
      let x = a.shift()!;
      if (!x.startsWith('-') || x === '-') {
        target = x;
        continue;
      }
      // Allow grouped flags (-qc 3) and attached values (-c3).
      x = x.slice(1);
      while (x) {
        const f = x[0];
        x = x.slice(1);
        const val = () => {
          const v = x || a.shift();
          x = '';
          return v;
        };
        switch (f) {
          case 'c':
            count = num('c', val());
            if (count < 1) throw new Error(`ping: invalid argument: '${count}': out of range: 1 <= value <= 9223372036854775807`);
            break;
          case 'i':
            interval = num('i', val(), true) * 1e9;
            break;
          case 'W': {
            const v = val() ?? '';
            const w = num('W', v, true) * 1e9;
            if (w < 0 || w > 2147483647e6) throw new Error(`ping: bad linger time: ${v}`);
            if (w > 0) linger = w; // 0: the default wait
            break;
          }
          case 't':
            ttl = num('t', val());
            if (ttl < 0 || ttl > 255) throw new Error(`ping: invalid argument: '${ttl}': out of range: 0 <= value <= 255`);
            break;
          case 's':
            size = num('s', val());
            if (size < 0 || size > 2147483647) throw new Error(`ping: invalid argument: '${size}': out of range: 0 <= value <= 2147483647`);
            break;
          case 'q':
            quiet = true;
            break;
          case 'b':
            bcast = true;
            break;
          case 'n':
          case '4':
          case 'v':
            break;
          case 'M': {
            const v = val();
            if (v !== 'do' && v !== 'dont' && v !== 'want' && v !== 'probe') throw new Error(`ping: invalid -M argument: ${v}`);
            pmtu = v;
            break;
          }
          case 'I':
            iface = val() ?? null;
            break;
          case 'h':
            return usage(p);
          default:
            err(p, `ping: invalid option -- '${f}'\n`);
            return usage(p);
        }
      }
    }
  } catch (e) {
    // strtol_or_err exits with EXIT_FAILURE; the other checks with 2.
    const m = (e as Error).message;
    err(p, m + '\n');
    return m.startsWith('ping: invalid argument') ? 1 : 2;
  }
  if (!target) {
    err(p, 'ping: usage error: Destination address required\n');
    return 1;
  }
  const daddr = parseInetLoose(target);
  if (daddr === null) {
    // getaddrinfo(AI_CANONNAME) with no name server answering, as on the oracle.
    err(p, `ping: ${target}: Temporary failure in name resolution\n`);
    return 2;
  }
  // setsockopt(IP_TTL) takes 1..255 (or -1 for the default).
  if (ttl === 0) {
    err(p, 'ping: cannot set unicast time-to-live: Invalid argument\n');
    return 2;
  }
  // -I: an address to bind to, or an interface name.
  let bindAddr = 0;
  let bindDev = 0;
  if (iface) {
    const ad = parseInetLoose(iface);
    if (ad !== null) bindAddr = ad;
    else {
      const d = net.dev_get_by_name(iface);
      if (!d) {
        err(p, `ping: SO_BINDTODEVICE ${iface}: No such device\n`);
        return 2;
      }
      bindDev = d.ifindex;
    }
  }
  // Broadcast check, as ping does with the route's flags.
  {
    const fl = { daddr, saddr: 0, oif: bindDev, tos: 0, scope: 0, proto: IPPROTO_ICMP };
    const rt = ip_route_output_key(net, fl);
    if (!('err' in rt) && rt.flags & RTCF_BROADCAST) {
      if (!bcast) {
        err(p, 'ping: Do you want to ping broadcast? Then -b. If not, check your local firewall rules\n');
        return 2;
      }
      err(p, 'WARNING: pinging broadcast address\n');
    }
  }
  // Source address discovery: connect a UDP socket to port 1025.
  const probe = sock_create(net, 'udp', IPPROTO_UDP);
  probe.bound_dev_if = bindDev;
  probe.broadcast = bcast;
  if (bindAddr) {
    const e = sock_bind(net, probe, bindAddr, 0);
    if (e) {
      sock_close(net, probe);
      err(p, `ping: bind: ${ERRNO_TEXT[e.errno] ?? e.errno}\n`);
      return 2;
    }
  }
  const ce = sock_connect(net, probe, daddr, 1025);
  const src = probe.saddr;
  sock_close(net, probe);
  if (ce) {
    // iputils reads EACCES from connect() as a broadcast without -b (or a firewall).
    if (ce.errno === 'EACCES') err(p, 'ping: Do you want to ping broadcast? Then -b. If not, check your local firewall rules\n');
    else err(p, `ping: connect: ${ERRNO_TEXT[ce.errno] ?? ce.errno}\n`);
    return 2;
  }
  const sk = sock_create(net, 'raw', IPPROTO_ICMP);
  sk.recverr = true;
  sk.broadcast = bcast;
  sk.bound_dev_if = bindDev;
  sk.saddr = sk.rcv_saddr = src;
  if (ttl >= 0) sk.ttl = ttl;
  if (pmtu) sk.pmtudisc = pmtu;
  // ICMP_FILTER: only what ping cares about.
  sk.icmp_filter = ~((1 << I.ICMP_ECHOREPLY) | (1 << I.ICMP_DEST_UNREACH) | (1 << I.ICMP_SOURCE_QUENCH) | (1 << I.ICMP_REDIRECT) | (1 << I.ICMP_TIME_EXCEEDED) | (1 << I.ICMP_PARAMETERPROB));
  const ident = p.pid & 0xffff;
  // With -I, iputils names the source (and the device when one was given).
  const from = iface ? `from ${formatIPv4(src)} ${bindDev ? iface : ''}: ` : '';
  out(p, `PING ${target} (${formatIPv4(daddr)}) ${from}${size}(${size + 28}) bytes of data.\n`);

  let ntransmitted = 0;
  let nreceived = 0;
  let nerrors = 0;
  const rtts: number[] = [];
  const start = p.now();
  let lastSend = start;
  const sentAt = new Map<number, number>();
  const acked = new Set<number>();
  /** iputils' pipesize: most probes outstanding when one was answered. */
  let pipesize = 1;
  const acknowledge = (seq: number) => {
    const diff = (ntransmitted - seq) & 0xffff;
    if (diff < 0x8000 && diff + 1 > pipesize) pipesize = diff + 1;
  };
  let exitDeadline = Infinity;
  const timing = size >= 16;

  const send = () => {
    const seq = ++ntransmitted;
    const icmp = new Uint8Array(8 + size);
    icmp[0] = I.ICMP_ECHO;
    put16(icmp, 4, ident);
    put16(icmp, 6, seq & 0xffff);
    const now = p.now();
    if (size >= 16) {
      put32(icmp, 8, Math.floor(now / 1e9));
      put32(icmp, 12, Math.floor((now % 1e9) / 1e3));
    }
    for (let i = 16; i < size; i++) icmp[8 + i] = i & 0xff;
    put16(icmp, 2, csum_fold(csum_partial(icmp, 0, icmp.length)));
    sentAt.set(seq & 0xffff, now);
    lastSend = now;
    const r = sock_sendto(net, sk, icmp, daddr);
    // pinger(): on a hard error, look at the error queue first; the errno is
    // printed only when an ICMP error (or nothing of ours) was found there.
    if (typeof r !== 'number' && r.errno !== 'EAGAIN' && r.errno !== 'ENOBUFS') {
      const i = receive_error_msg();
      if (i >= 0 && !quiet) err(p, `ping: sendmsg: ${ERRNO_TEXT[r.errno] ?? r.errno}\n`);
    }
  };

  /** ping4_receive_error_msg: one message off the error queue; returns the
   * network errors seen, or minus the local ones (an empty queue is one). */
  const receive_error_msg = (): number => {
    const e = sock_recv_err(sk);
    if (!e) return -1;
    if (e.ee_origin === SO_EE_ORIGIN_LOCAL) {
      nerrors++;
      if (!quiet) err(p, e.ee_errno === 'EMSGSIZE' ? `ping: local error: message too long, mtu=${e.ee_info}\n` : `ping: local error: ${ERRNO_TEXT[e.ee_errno] ?? e.ee_errno}\n`);
      return -1;
    }
    if (e.ee_origin === SO_EE_ORIGIN_ICMP) {
      const pl = e.payload;
      if (pl.length < 8 || e.daddr !== daddr || pl[0] !== I.ICMP_ECHO || ((pl[4] << 8) | pl[5]) !== ident) return 0;
      const seq = (pl[6] << 8) | pl[7];
      acknowledge(seq);
      acked.add(seq);
      nerrors++;
      if (!quiet) out(p, `From ${formatIPv4(e.offender)} icmp_seq=${seq} ${pr_icmph(e.ee_type, e.ee_code, e.ee_info)}\n`);
      return 1;
    }
    return 0;
  };

  const drain = () => {
    while (sk.error_queue.length) receive_error_msg();
    for (;;) {
      const d = sock_recv(net, sk);
      if (!d || 'errno' in d) break;
      const b = d.data;
      const ihl = (b[0] & 0xf) * 4;
      if (b.length < ihl + 8 || b[ihl] !== I.ICMP_ECHOREPLY) continue; // errors are handled from the error queue
      if (((b[ihl + 4] << 8) | b[ihl + 5]) !== ident) continue;
      const seq = (b[ihl + 6] << 8) | b[ihl + 7];
      const t0 = sentAt.get(seq);
      if (t0 === undefined) continue;
      const dup = acked.has(seq);
      acknowledge(seq);
      acked.add(seq);
      if (!dup) nreceived++;
      const rtt = d.tstamp - t0;
      if (!dup) rtts.push(rtt);
      // Without room for a timestamp (-s < 16) iputils cannot time replies.
      const when = timing ? ` time=${fmtMs(rtt)} ms` : '';
      if (!quiet) out(p, `${b.length - ihl} bytes from ${formatIPv4(d.saddr)}: icmp_seq=${seq} ttl=${d.ttl}${when}${dup ? ' (DUP!)' : ''}\n`);
    }
  };

  send();
  for (;;) {
    drain();
    if (count && nreceived + nerrors >= count) break;
    if (p.interrupted) break;
    const now = p.now();
    let next: number;
    if (!count || ntransmitted < count) {
      next = start + ntransmitted * interval;
      if (next <= now) {
        send();
        continue;
      }
    } else {
      if (exitDeadline === Infinity) {
        const tmax = rtts.length ? Math.max(...rtts) : 0;
        exitDeadline = lastSend + (nreceived ? Math.max(2 * tmax, interval) : linger);
      }
      if (now >= exitDeadline) break;
      next = exitDeadline;
    }
    yield { op: 'wait', q: sk.wq, timeoutNs: next - now };
  }
  sock_close(net, sk);
  out(p, `\n--- ${target} ping statistics ---\n`);
  const loss = ntransmitted ? Math.floor(((ntransmitted - nreceived) * 100) / ntransmitted) : 0;
  const elapsed = Math.floor((lastSend - start) / 1e6);
  out(p, `${ntransmitted} packets transmitted, ${nreceived} received${nerrors ? `, +${nerrors} errors` : ''}, ${loss}% packet loss, time ${elapsed}ms\n`);
  // The last line: rtt summary, pipe size, each only when there is one.
  const tail: string[] = [];
  if (nreceived && timing) {
    const min = Math.min(...rtts);
    const max = Math.max(...rtts);
    const avg = rtts.reduce((x, y) => x + y, 0) / rtts.length;
    const mdev = Math.sqrt(Math.max(0, rtts.reduce((x, y) => x + y * y, 0) / rtts.length - avg * avg));
    tail.push(`rtt min/avg/max/mdev = ${fmtMs(min)}/${fmtMs(avg)}/${fmtMs(max)}/${fmtMs(mdev)} ms`);
  }
  if (pipesize > 1) tail.push(`pipe ${pipesize}`);
  out(p, tail.join(', ') + '\n');
  return nreceived ? 0 : 1;
}
