// OpenBSD netcat, datagram mode (-u): send stdin to a peer, print what comes
// back; or listen (-l) on a port. -w is the idle timeout after stdin ends.
import type { Proc, ProgramGen } from '../process.js';
import { kernel, out, err, parseInetLoose } from './util.js';
import { sock_create, sock_bind, sock_connect, sock_sendto, sock_recv, sock_close } from '../../net/socket.js';
import { IPPROTO_UDP } from '../../net/wire/ip.js';
import { WaitQueue } from '../../kernel/wait.js';
import { ERRNO_TEXT } from './errno.js';
import { bytesToText, textToBytes } from './util.js';

const USAGE = 'usage: nc [-46CDdFhklNnrStUuvz] [-I length] [-i interval] [-M ttl]\n\t  [-m minttl] [-O length] [-P proxy_username] [-p source_port]\n\t  [-q seconds] [-s sourceaddr] [-T keyword] [-V rtable] [-W recvlimit]\n\t  [-w timeout] [-X proxy_protocol] [-x proxy_address[:port]]\n\t  [destination] [port]\n';

export function* nc(p: Proc): ProgramGen {
  const net = kernel(p);
  let udp = false;
  let listen = false;
  let keep = false;
  let timeout = -1;
  let srcPort = 0;
  let srcAddr = 0;
  let verbose = false;
  const pos: string[] = [];
  const args = p.argv.slice(1);
  while (args.length) {
    const a = args.shift()!;
    if (!a.startsWith('-') || a === '-') {
      pos.push(a);
      continue;
    }
    for (let i = 1; i < a.length; i++) {
      const f = a[i];
      const val = () => {
        const v = a.slice(i + 1) || args.shift() || '';
        i = a.length;
        return v;
      };
      if (f === 'u') udp = true;
      else if (f === 'l') listen = true;
      else if (f === 'k') keep = true;
      else if (f === 'v') verbose = true;
      else if (f === 'n' || f === 'N' || f === 'd' || f === '4' || f === 'z') continue;
      else if (f === 'w') timeout = Number(val()) * 1e9;
      else if (f === 'q') val();
      else if (f === 'p') srcPort = Number(val());
      else if (f === 's') srcAddr = parseInetLoose(val()) ?? 0;
      else {
        err(p, `nc: invalid option -- '${f}'\n${USAGE}`);
        return 1;
      }
    }
  }
  if (!udp) {
    err(p, 'nc: TCP is not modelled yet in this StackLab version\n');
    return 1;
  }
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
    if (listen) {
      // nc -l [-s addr] [addr] port
      const port = Number(pos[pos.length - 1] ?? srcPort);
      if (pos.length >= 2) srcAddr = parseInetLoose(pos[0]) ?? srcAddr;
      const e = sock_bind(net, sk, srcAddr, port);
      if (e) {
        err(p, `nc: ${ERRNO_TEXT[e.errno] ?? e.errno}\n`);
        return 1;
      }
      let connected = false;
      for (;;) {
        const d = sock_recv(net, sk);
        if (d && !('errno' in d)) {
          out(p, bytesToText(d.data));
          if (!connected && !keep) {
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
    if (pos.length < 2) {
      err(p, USAGE);
      return 1;
    }
    const daddr = parseInetLoose(pos[0]);
    const dport = Number(pos[1]);
    if (daddr === null) {
      err(p, `nc: getaddrinfo for host "${pos[0]}" port ${pos[1]}: Name or service not known\n`);
      return 1;
    }
    if (srcAddr || srcPort) {
      const e = sock_bind(net, sk, srcAddr, srcPort);
      if (e) {
        err(p, `nc: ${ERRNO_TEXT[e.errno] ?? e.errno}\n`);
        return 1;
      }
    }
    const ce = sock_connect(net, sk, daddr, dport);
    if (ce) {
      // OpenBSD nc reports a failed connect only with -v.
      if (verbose) err(p, `nc: connect to ${pos[0]} port ${dport} (udp) failed: ${ERRNO_TEXT[ce.errno] ?? ce.errno}\n`);
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
