// `udp-sink`: a lab tool, not a standard Linux program. It binds a UDP port
// and reads datagrams one recvfrom(2) at a time, optionally slowly, so that
// a socket's receive buffer fills on purpose and drops show up where Linux
// counts them (Udp RcvbufErrors, ss's skmem d). At the end it prints what
// it read.
import type { Proc, ProgramGen } from '../process.js';
import { kernel, out, err, parseInetLoose } from './util.js';
import { sock_create, sock_bind, sock_recv, sock_close, sock_setsockopt, syscall } from '../../net/socket.js';
import { IPPROTO_UDP } from '../../net/wire/ip.js';
import { WaitQueue } from '../../kernel/wait.js';
import { ERRNO_TEXT } from './errno.js';
import { COST } from '../../kernel/costs.js';
import { run_on_cpu } from '../../kernel/softirq.js';

const HELP = `Usage: udp-sink [options] [PORT]
A StackLab lab tool: a UDP receiver that can be made slow on purpose.
  -p, --port PORT        port to bind (default 5000)
  -b, --bind ADDR        local address to bind (default 0.0.0.0)
      --rcvbuf BYTES     setsockopt(SO_RCVBUF, BYTES): the kernel doubles it,
                         capped at 2 * net.core.rmem_max
      --rcvbufforce BYTES  setsockopt(SO_RCVBUFFORCE, BYTES): ignores rmem_max
      --reuseport        setsockopt(SO_REUSEPORT, 1) before bind, so several
                         sinks can share the port (one queue each)
      --delay-us N       sleep N microseconds after each datagram (a slow
                         consumer: the CPU is free meanwhile)
      --work-us N        spend N microseconds of CPU after each datagram (a
                         busy consumer, competing with softirqs on its CPU)
  -c, --count N          exit after N datagrams
  -t, --time SECONDS     exit after SECONDS (default: run until Ctrl-C)
  -q, --quiet            print nothing but the summary
  -h, --help             this text
Prints, when it ends:
  udp-sink: received N datagrams (B bytes) in S seconds, SO_RCVBUF R
`;

export function* udp_sink(p: Proc): ProgramGen {
  const net = kernel(p);
  const a = p.argv.slice(1);
  let port = 5000;
  let bindAddr = 0;
  let rcvbuf = -1;
  let rcvbufForce = -1;
  let reuseport = false;
  let delayUs = 0;
  let workUs = 0;
  let count = 0;
  let timeS = 0;
  let quiet = false;
  for (let i = 0; i < a.length; i++) {
    const o = a[i];
    const num = () => {
      const v = a[++i];
      return v !== undefined && /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
    };
    let bad = false;
    if (o === '-h' || o === '--help') {
      out(p, HELP);
      return 0;
    } else if (o === '-p' || o === '--port') bad = !Number.isInteger((port = num()));
    else if (o === '-b' || o === '--bind') {
      const v = parseInetLoose(a[++i] ?? '');
      bad = v === null;
      bindAddr = v ?? 0;
    } else if (o === '--rcvbuf') bad = !Number.isInteger((rcvbuf = num()));
    else if (o === '--rcvbufforce') bad = !Number.isInteger((rcvbufForce = num()));
    else if (o === '--reuseport') reuseport = true;
    else if (o === '--delay-us') bad = !Number.isFinite((delayUs = num()));
    else if (o === '--work-us') bad = !Number.isFinite((workUs = num()));
    else if (o === '-c' || o === '--count') bad = !Number.isInteger((count = num()));
    else if (o === '-t' || o === '--time') bad = !Number.isFinite((timeS = num()));
    else if (o === '-q' || o === '--quiet') quiet = true;
    else if (/^\d+$/.test(o)) port = Number(o);
    else bad = true;
    if (bad) {
      err(p, `udp-sink: bad argument '${o}'\n${HELP}`);
      return 2;
    }
  }
  const sk = sock_create(net, 'udp', IPPROTO_UDP);
  sk.owner = 'udp-sink';
  const wq = new WaitQueue();
  sk.wq.add(function relay() {
    wq.wake_up();
    sk.wq.add(relay);
  });
  const start = p.now();
  let n = 0;
  let bytes = 0;
  try {
    if (reuseport) sock_setsockopt(net, sk, 'SO_REUSEPORT', true);
    if (rcvbuf >= 0) sock_setsockopt(net, sk, 'SO_RCVBUF', rcvbuf);
    if (rcvbufForce >= 0) sock_setsockopt(net, sk, 'SO_RCVBUFFORCE', rcvbufForce);
    const e = sock_bind(net, sk, bindAddr, port);
    if (e) {
      err(p, `udp-sink: bind: ${ERRNO_TEXT[e.errno] ?? e.errno}\n`);
      return 1;
    }
    if (!quiet) out(p, `udp-sink: listening on ${a.includes('-b') || a.includes('--bind') ? a[a.findIndex((x) => x === '-b' || x === '--bind') + 1] : '0.0.0.0'}:${port}, SO_RCVBUF ${sk.rcvbuf}\n`);
    const deadline = timeS ? start + timeS * 1e9 : Infinity;
    while (!count || n < count) {
      // recvfrom(2): a system call on the task's CPU, copying the payload.
      const d = syscall(net, () => {
        const r = sock_recv(net, sk);
        if (r && !('errno' in r)) net.spend(COST.copy_per_byte * r.data.length);
        return r;
      });
      if (d && !('errno' in d)) {
        n++;
        bytes += d.data.length;
        // User-mode work on the task's CPU (CPU 0, where the model runs tasks).
        if (workUs) run_on_cpu(net, net.cpus[0], 'user', () => net.spend(workUs * 1000), false);
        // The task's own time passes before it reads again, then the sleep.
        const busy = Math.max(0, net.cpus[0].taskBusyUntil - p.now());
        if (busy + delayUs * 1000 > 0) yield { op: 'sleep', ns: busy + delayUs * 1000 };
        if (p.interrupted || p.now() >= deadline) break;
        continue;
      }
      if (p.interrupted) break;
      const left = deadline - p.now();
      if (left <= 0) break;
      yield { op: 'wait', q: wq, timeoutNs: left === Infinity ? undefined : left };
      if (p.interrupted || p.now() >= deadline) break;
    }
    const secs = (p.now() - start) / 1e9;
    out(p, `udp-sink: received ${n} datagrams (${bytes} bytes) in ${secs.toFixed(2)} seconds, SO_RCVBUF ${sk.rcvbuf}\n`);
    return 0;
  } finally {
    sock_close(net, sk);
  }
}
