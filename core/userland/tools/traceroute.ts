// traceroute 2.1 (Butskoy), default UDP method: up to 16 probes in flight
// (-N), each on its own socket with IP_TTL and IP_RECVERR, ports from 33434;
// a hop ends when its probes answered or waited long enough (-w MAX,HERE,NEAR).
import type { Proc, ProgramGen } from '../process.js';
import { kernel, out, err, parseInetLoose } from './util.js';
import { sock_create, sock_connect, sock_sendto, sock_recv_err, sock_close, sock_setsockopt, sock_bind } from '../../net/socket.js';
import { formatIPv4, IPPROTO_UDP } from '../../net/wire/ip.js';
import { WaitQueue } from '../../kernel/wait.js';
import type { Sock } from '../../net/ipv4/sock.js';
import * as I from '../../net/wire/icmp.js';
import { ERRNO_TEXT } from './errno.js';

interface Probe {
  ttl: number;
  sk: Sock | null;
  sent: number;
  done: boolean;
  addr: number;
  rtt: number;
  final: boolean;
  annot: string;
}

export function* traceroute(p: Proc): ProgramGen {
  const net = kernel(p);
  let nprobes = 3;
  let maxTtl = 30;
  let firstTtl = 1;
  let port = 33434;
  let sim = 16;
  let wait = [5, 3, 10];
  let target: string | null = null;
  let srcAddr: number | null = 0;
  const args = p.argv.slice(1);
  while (args.length) {
    const a = args.shift()!;
    if (a === '-n' || a === '-4' || a === '-U') continue;
    const take = (flag: string) => (a.length > 2 ? a.slice(2) : args.shift()) ?? (flag && '');
    if (a.startsWith('-q')) nprobes = Number(take('q'));
    else if (a.startsWith('-m')) maxTtl = Number(take('m'));
    else if (a.startsWith('-f')) firstTtl = Number(take('f'));
    else if (a.startsWith('-p')) port = Number(take('p'));
    else if (a.startsWith('-N')) sim = Number(take('N'));
    else if (a.startsWith('-s')) {
      const v = take('s');
      srcAddr = parseInetLoose(v);
      if (srcAddr === null) {
        err(p, `${v}: Name or service not known\nCannot handle \`-s' option with arg \`${v}' (argc 2)\n`);
        return 2;
      }
    }
    else if (a.startsWith('-w')) {
      const v = take('w').split(/[,/]/).map(Number);
      wait = [v[0], v[1] ?? wait[1], v[2] ?? wait[2]];
    } else if (a.startsWith('-')) {
      err(p, `Bad option \`${a}' (argc 1)\n`);
      return 2;
    } else target = a;
  }
  if (!target) {
    err(p, 'Usage:\n  traceroute [ -46dFITnreAUDV ] [ -f first_ttl ] [ -g gate,... ] [ -i device ] [ -m max_ttl ] [ -N squeries ] [ -p port ] [ -t tos ] [ -l flow_label ] [ -w MAX,HERE,NEAR ] [ -q nqueries ] [ -s src_addr ] [ -z sendwait ] [ --fwmark=num ] host [ packetlen ]\n');
    return 2;
  }
  const daddr = parseInetLoose(target);
  if (daddr === null) {
    err(p, `${target}: Name or service not known\nCannot handle "host" cmdline arg \`${target}' on position 1 (argc 1)\n`);
    return 2;
  }
  const dataLen = 60 - 28;
  out(p, `traceroute to ${target} (${formatIPv4(daddr)}), ${maxTtl} hops max, 60 byte packets\n`);
  const probes: Probe[] = [];
  for (let ttl = firstTtl; ttl <= maxTtl; ttl++) for (let q = 0; q < nprobes; q++) probes.push({ ttl, sk: null, sent: 0, done: false, addr: 0, rtt: 0, final: false, annot: '' });
  const wq = new WaitQueue();
  let nextPort = port;
  let finalTtl = Infinity;
  let printed = 0; // index of the next probe to print
  let curHopAddrs: number[] = [];

  const send = (pr: Probe): string | null => {
    // traceroute's per-probe set-up, one system call each (udp.c / traceroute.c).
    const sk = sock_create(net, 'udp', IPPROTO_UDP);
    sock_setsockopt(net, sk, 'IP_RECVERR', true);
    sock_setsockopt(net, sk, 'SO_TIMESTAMP', true);
    sock_setsockopt(net, sk, 'IP_MTU_DISCOVER', 'dont');
    sock_setsockopt(net, sk, 'IP_TTL', pr.ttl);
    if (srcAddr) {
      const be = sock_bind(net, sk, srcAddr, 0);
      if (be) {
        sock_close(net, sk);
        return be.errno;
      }
    }
    sk.wq.add(function relay() {
      wq.wake_up();
      sk.wq.add(relay);
    });
    const e = sock_connect(net, sk, daddr, nextPort++);
    if (e) {
      sock_close(net, sk);
      return e.errno;
    }
    pr.sk = sk;
    pr.sent = p.now();
    const r = sock_sendto(net, sk, new Uint8Array(dataLen).map((_, i) => 0x40 + i));
    if (typeof r !== 'number') return r.errno;
    return null;
  };

  const finish = (pr: Probe) => {
    pr.done = true;
    if (pr.sk) sock_close(net, pr.sk);
    pr.sk = null;
  };

  for (;;) {
    // Fill the window of in-flight probes.
    const inflight = probes.filter((x) => x.sk && !x.done).length;
    let room = sim - inflight;
    for (const pr of probes) {
      if (room <= 0) break;
      if (pr.sent || pr.done || pr.ttl > finalTtl) continue;
      // Do not run more than `sim` probes ahead of the first unprinted one.
      if (probes.indexOf(pr) >= printed + sim) break;
      const e = send(pr);
      if (e) {
        err(p, e === 'EADDRNOTAVAIL' ? `bind: ${ERRNO_TEXT[e]}\n` : `send: ${ERRNO_TEXT[e] ?? e}\n`);
        return 1;
      }
      room--;
    }
    // Collect answers.
    for (const pr of probes) {
      if (!pr.sk || pr.done) continue;
      const ee = sock_recv_err(pr.sk);
      if (!ee) continue;
      pr.addr = ee.offender;
      pr.rtt = ee.tstamp - pr.sent;
      if (ee.ee_type === I.ICMP_DEST_UNREACH) {
        pr.final = true;
        const c = ee.ee_code;
        if (c !== I.ICMP_PORT_UNREACH) pr.annot = [' !N', ' !H', ' !P', '', ' !F', ' !S', ' !N', ' !H', ' !S', ' !X', ' !X', ' !N', ' !H', ' !X', ' !V', ' !C'][c] ?? ` !<${c}>`;
        finalTtl = Math.min(finalTtl, pr.ttl);
      } else if (pr.addr === daddr) {
        pr.final = true;
        finalTtl = Math.min(finalTtl, pr.ttl);
      }
      finish(pr);
    }
    // Expire probes that waited long enough (MAX, or HERE/NEAR times an observed rtt).
    const now = p.now();
    let nextDeadline = Infinity;
    for (const pr of probes) {
      if (!pr.sk || pr.done) continue;
      let deadline = pr.sent + wait[0] * 1e9;
      for (const o of probes) {
        if (!o.done || !o.addr) continue;
        if (o.ttl === pr.ttl && wait[1]) deadline = Math.min(deadline, pr.sent + wait[1] * o.rtt);
        else if (o.ttl > pr.ttl && wait[2]) deadline = Math.min(deadline, pr.sent + wait[2] * o.rtt);
      }
      if (deadline <= now) finish(pr);
      else nextDeadline = Math.min(nextDeadline, deadline);
    }
    // Print finished hops in order.
    while (printed < probes.length && probes[printed].done && probes[printed].ttl <= finalTtl) {
      const pr = probes[printed];
      const q = printed % nprobes;
      if (q === 0) {
        out(p, `${String(pr.ttl).padStart(2)} `);
        curHopAddrs = [];
      }
      if (!pr.addr) out(p, ' *');
      else {
        if (!curHopAddrs.includes(pr.addr)) {
          out(p, ` ${formatIPv4(pr.addr)}`);
          curHopAddrs.push(pr.addr);
        }
        out(p, `  ${(pr.rtt / 1e6).toFixed(3)} ms${pr.annot}`);
      }
      if (q === nprobes - 1) out(p, '\n');
      printed++;
    }
    const lastIdx = finalTtl === Infinity ? probes.length : probes.findIndex((x) => x.ttl > finalTtl);
    if (printed >= (lastIdx < 0 ? probes.length : lastIdx) || p.interrupted) break;
    yield { op: 'wait', q: wq, timeoutNs: nextDeadline === Infinity ? 1e9 : Math.max(1, nextDeadline - now) };
  }
  for (const pr of probes) if (pr.sk) sock_close(net, pr.sk);
  return 0;
}
