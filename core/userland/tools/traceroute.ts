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
  const argv = p.argv;
  let packetlen = 60;
  let device: string | null = null;
  const positional: { v: string; argc: number }[] = [];
  // traceroute's CLIF parser: messages name the argv index (argc) at fault.
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('-') || a === '-') {
      positional.push({ v: a, argc: i });
      continue;
    }
    if (a === '-n' || a === '-4' || a === '-U' || a === '-F' || a === '-d' || a === '-r') continue;
    const flag = a.slice(0, 2);
    if (!'qmfpNswiz'.includes(a[1]) || a.length < 2) {
      err(p, `Bad option \`${a}' (argc ${i})\n`);
      return 2;
    }
    let v: string;
    let vi = i;
    if (a.length > 2) v = a.slice(2);
    else {
      vi = ++i;
      if (i >= argv.length) {
        err(p, `Option \`${flag}' (argc ${i - 1}) requires an argument: \`${flag} ${OPT_ARG[a[1]]}'\n`);
        return 2;
      }
      v = argv[i];
    }
    const bad = () => {
      err(p, `Cannot handle \`${flag}' option with arg \`${v}' (argc ${vi})\n`);
      return 2;
    };
    const int = /^-?\d+$/.test(v) ? Number(v) : NaN;
    switch (a[1]) {
      case 'q':
        if (Number.isNaN(int)) return bad();
        nprobes = int;
        break;
      case 'm':
        if (Number.isNaN(int)) return bad();
        maxTtl = int;
        break;
      case 'f':
        if (Number.isNaN(int)) return bad();
        firstTtl = int;
        break;
      case 'p':
        if (Number.isNaN(int)) return bad();
        port = int;
        break;
      case 'N':
        if (Number.isNaN(int)) return bad();
        sim = int;
        break;
      case 'z':
        if (Number.isNaN(Number(v))) return bad();
        break;
      case 'i':
        device = v;
        break;
      case 's':
        srcAddr = parseInetLoose(v);
        if (srcAddr === null) {
          err(p, `${v}: Name or service not known\n`);
          return bad();
        }
        break;
      case 'w': {
        // -w MAX[,HERE,NEAR]: giving -w resets HERE and NEAR to 0 (off).
        const parts = v.split(/[,/]/).map(Number);
        if (parts.some((x) => Number.isNaN(x))) return bad();
        wait = [parts[0], parts[1] ?? 0, parts[2] ?? 0];
        break;
      }
    }
  }
  if (positional.length === 0) {
    err(p, TRACEROUTE_USAGE);
    return 0;
  }
  target = positional[0].v;
  if (positional.length > 1) {
    const pl = positional[1];
    if (!/^\d+$/.test(pl.v)) {
      err(p, `Cannot handle "packetlen" cmdline arg \`${pl.v}' on position 2 (argc ${pl.argc})\n`);
      return 2;
    }
    packetlen = Number(pl.v);
    if (packetlen > 65000) {
      err(p, `too big packetlen ${packetlen} specified\n`);
      return 2;
    }
  }
  if (nprobes < 1 || nprobes > 10) {
    err(p, 'no more than 10 probes per hop\n');
    return 2;
  }
  if (maxTtl > 255) {
    err(p, 'max hops cannot be more than 255\n');
    return 2;
  }
  if (firstTtl < 1 || firstTtl > maxTtl) {
    err(p, 'first hop out of range\n');
    return 2;
  }
  if (!(wait[0] >= 0) || wait[1] < 0 || wait[2] < 0) {
    err(p, `bad wait specifications \`${wait.map((x) => String(x)).join(',')}' used\n`);
    return 2;
  }
  if (sim < 1) sim = 1;
  const daddr = parseInetLoose(target);
  if (daddr === null) {
    err(p, `${target}: Temporary failure in name resolution\nCannot handle "host" cmdline arg \`${target}' on position 1 (argc ${positional[0].argc})\n`);
    return 2;
  }
  const dataLen = Math.max(0, packetlen - 28);
  out(p, `traceroute to ${target} (${formatIPv4(daddr)}), ${maxTtl} hops max, ${Math.max(packetlen, 28)} byte packets\n`);
  let bindDev = 0;
  if (device) {
    const d = net.dev_get_by_name(device);
    if (!d) {
      // The header line is still open (hops start with a newline), so errors start one.
      err(p, '\nsetsockopt SO_BINDTODEVICE: No such device\n');
      return 1;
    }
    bindDev = d.ifindex;
  }
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
    if (bindDev) sock_setsockopt(net, sk, 'SO_BINDTODEVICE', bindDev);
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
        err(p, e === 'EADDRNOTAVAIL' ? `\nbind: ${ERRNO_TEXT[e]}\n` : `\nsend: ${ERRNO_TEXT[e] ?? e}\n`);
        return 1;
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

const OPT_ARG: Record<string, string> = { q: 'nqueries', m: 'max_ttl', f: 'first_ttl', p: 'port', N: 'squeries', s: 'src_addr', w: 'MAX,HERE,NEAR', i: 'device', z: 'sendwait' };

/** traceroute 2.1 --help / no-argument text (to stderr, exit 0). */
const TRACEROUTE_USAGE = "Usage:\n  traceroute [ -46dFITnreAUDV ] [ -f first_ttl ] [ -g gate,... ] [ -i device ] [ -m max_ttl ] [ -N squeries ] [ -p port ] [ -t tos ] [ -l flow_label ] [ -w MAX,HERE,NEAR ] [ -q nqueries ] [ -s src_addr ] [ -z sendwait ] [ --fwmark=num ] host [ packetlen ]\nOptions:\n  -4                          Use IPv4\n  -6                          Use IPv6\n  -d  --debug                 Enable socket level debugging\n  -F  --dont-fragment         Do not fragment packets\n  -f first_ttl  --first=first_ttl\n                              Start from the first_ttl hop (instead from 1)\n  -g gate,...  --gateway=gate,...\n                              Route packets through the specified gateway\n                              (maximum 8 for IPv4 and 127 for IPv6)\n  -I  --icmp                  Use ICMP ECHO for tracerouting\n  -T  --tcp                   Use TCP SYN for tracerouting (default port is 80)\n  -i device  --interface=device\n                              Specify a network interface to operate with\n  -m max_ttl  --max-hops=max_ttl\n                              Set the max number of hops (max TTL to be\n                              reached). Default is 30\n  -N squeries  --sim-queries=squeries\n                              Set the number of probes to be tried\n                              simultaneously (default is 16)\n  -n                          Do not resolve IP addresses to their domain names\n  -p port  --port=port        Set the destination port to use. It is either\n                              initial udp port value for \"default\" method\n                              (incremented by each probe, default is 33434), or\n                              initial seq for \"icmp\" (incremented as well,\n                              default from 1), or some constant destination\n                              port for other methods (with default of 80 for\n                              \"tcp\", 53 for \"udp\", etc.)\n  -t tos  --tos=tos           Set the TOS (IPv4 type of service) or TC (IPv6\n                              traffic class) value for outgoing packets\n  -l flow_label  --flowlabel=flow_label\n                              Use specified flow_label for IPv6 packets\n  -w MAX,HERE,NEAR  --wait=MAX,HERE,NEAR\n                              Wait for a probe no more than HERE (default 3)\n                              times longer than a response from the same hop,\n                              or no more than NEAR (default 10) times than some\n                              next hop, or MAX (default 5.0) seconds (float\n                              point values allowed too)\n  -q nqueries  --queries=nqueries\n                              Set the number of probes per each hop. Default is\n                              3\n  -r                          Bypass the normal routing and send directly to a\n                              host on an attached network\n  -s src_addr  --source=src_addr\n                              Use source src_addr for outgoing packets\n  -z sendwait  --sendwait=sendwait\n                              Minimal time interval between probes (default 0).\n                              If the value is more than 10, then it specifies a\n                              number in milliseconds, else it is a number of\n                              seconds (float point values allowed too)\n  -e  --extensions            Show ICMP extensions (if present), including MPLS\n  -A  --as-path-lookups       Perform AS path lookups in routing registries and\n                              print results directly after the corresponding\n                              addresses\n  -M name  --module=name      Use specified module (either builtin or external)\n                              for traceroute operations. Most methods have\n                              their shortcuts (`-I' means `-M icmp' etc.)\n  -O OPTS,...  --options=OPTS,...\n                              Use module-specific option OPTS for the\n                              traceroute module. Several OPTS allowed,\n                              separated by comma. If OPTS is \"help\", print info\n                              about available options\n  --sport=num                 Use source port num for outgoing packets. Implies\n                              `-N 1'\n  --fwmark=num                Set firewall mark for outgoing packets\n  -U  --udp                   Use UDP to particular port for tracerouting\n                              (instead of increasing the port per each probe),\n                              default port is 53\n  -UL                         Use UDPLITE for tracerouting (default dest port\n                              is 53)\n  -D  --dccp                  Use DCCP Request for tracerouting (default port\n                              is 33434)\n  -P prot  --protocol=prot    Use raw packet of protocol prot for tracerouting\n  --mtu                       Discover MTU along the path being traced. Implies\n                              `-F -N 1'\n  --back                      Guess the number of hops in the backward path and\n                              print if it differs\n  -V  --version               Print version info and exit\n  --help                      Read this help and exit\n\nArguments:\n+     host          The host to traceroute to\n      packetlen     The full packet length (default is the length of an IP\n                    header plus 40). Can be ignored or increased to a minimal\n                    allowed value\n";
