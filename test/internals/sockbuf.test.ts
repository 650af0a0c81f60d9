// UDP receive memory as Linux accounts it: SO_RCVBUF doubled and capped,
// datagrams charged by truesize, drops once sk_rmem_alloc passes
// sk_rcvbuf (RcvbufErrors + InErrors + the socket's drop count), memory
// given back in batches, and SO_REUSEPORT spreading flows over sockets.
import { describe, expect, test } from 'vitest';
import { bootLab } from '../support/lab.js';
import { sock_create, sock_bind, sock_recv, sock_close } from '../../core/net/socket.js';

const LAB = `version: 1
name: sockbuf
hosts:
  gen:
    exec:
      - ip addr add 10.0.0.1/24 dev eth0
  rx:
    exec:
      - ip addr add 10.0.0.2/24 dev eth0
links:
  - endpoints: [gen:eth0, rx:eth0]
`;
const PKTGEN = 'pktgen -i eth0 -d 10.0.0.2 -m 02:00:00:00:02:01 -p 5000';

function leakCheck(r: ReturnType<typeof bootLab>): void {
  for (const h of r.hosts) h.sched.tasks.forEach((t) => h.sched.interrupt(t));
  r.idle(2e9);
  expect(Object.values(r.outstanding()).reduce((a, b) => a + b, 0)).toBe(0);
}

describe('SO_RCVBUF', () => {
  test.each([
    ['', 212992],
    ['--rcvbuf 1000', 2304],
    ['--rcvbuf 100000', 200000],
    ['--rcvbuf 100000000', 8388608],
    ['--rcvbufforce 100000000', 200000000],
  ])('udp-sink %s gets SO_RCVBUF %i', (opt, rb) => {
    const r = bootLab(LAB);
    const s = r.runCommand('rx', `udp-sink -t 0.01 ${opt} 5000`);
    expect(s.stdout).toBe(`udp-sink: listening on 0.0.0.0:5000, SO_RCVBUF ${rb}\nudp-sink: received 0 datagrams (0 bytes) in 0.01 seconds, SO_RCVBUF ${rb}\n`);
  });
});

describe('receive buffer drops', () => {
  test('a socket holds 93 datagrams of truesize 2304 in 212992 bytes; the rest count as RcvbufErrors', () => {
    const r = bootLab(LAB);
    // Reads one datagram, then sleeps far longer than the test.
    r.startBackground('rx', 'udp-sink -q --delay-us 100000000 5000');
    r.idle(1e6);
    expect(r.runCommand('gen', `${PKTGEN} -n 200 -w 10000`).exit).toBe(0);
    r.idle(1e6); // the last frames are still on the wire when pktgen ends
    // sk_rmem_alloc stops just past sk_rcvbuf: 93 * 2304 = 214272 > 212992.
    const ss = r.runCommand('rx', 'ss -uamn').stdout;
    const m = /skmem:\(r214272,rb212992,t0,tb212992,f2816,w0,o0,bl0,d(\d+)\)/.exec(ss);
    expect(m).not.toBeNull();
    const drops = Number(m![1]);
    const sk = r.host('rx').net.socks.udp[0];
    const snmp = r.runCommand('rx', 'grep Udp: /proc/net/snmp').stdout.split('\n')[1].split(' ').map(Number);
    // Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors ...
    const read = snmp[1];
    expect(snmp.slice(2, 6)).toEqual([0, drops, 0, drops]);
    expect(read + sk.receive_queue.length + drops).toBe(200);
    // What was read but not yet given back (forward_deficit) is not in Recv-Q.
    expect(ss).toContain(`UNCONN ${214272 - sk.forward_deficit} 0`);
    // 93 datagrams are charged: queued, or read and not yet given back;
    // a datagram read while the queue was otherwise empty was given back.
    expect(read + sk.receive_queue.length).toBe(sk.forward_deficit ? 93 : 94);
    expect(r.runCommand('rx', 'netstat -su').stdout).toContain(`    ${drops} packet receive errors\n    0 packets sent\n    ${drops} receive buffer errors\n`);
    leakCheck(r);
  });

  test('read memory goes back in batches of a quarter of the buffer (udp_rmem_release)', () => {
    const r = bootLab(LAB);
    const net = r.host('rx').net;
    const sk = sock_create(net, 'udp', 17);
    expect(sock_bind(net, sk, 0, 5000)).toBeNull();
    r.runCommand('gen', `${PKTGEN} -n 29 -w 10000`);
    r.idle(1e6);
    expect(sk.rmem_alloc).toBe(29 * 2304);
    // forward_threshold = 212992 / 4 = 53248: 23 reads (52992 bytes) stay charged.
    for (let i = 0; i < 23; i++) expect(sock_recv(net, sk)).toMatchObject({ sport: expect.any(Number) });
    expect(sk.rmem_alloc).toBe(29 * 2304);
    expect(sk.rmem_alloc - sk.forward_deficit).toBe(6 * 2304);
    sock_recv(net, sk);
    expect(sk.rmem_alloc).toBe(5 * 2304);
    for (let i = 0; i < 5; i++) sock_recv(net, sk);
    expect(sock_recv(net, sk)).toBeNull();
    expect([sk.rmem_alloc, sk.forward_deficit]).toEqual([0, 0]);
    // Whole pages of the reservation go back, but partial release keeps a page.
    expect(sk.forward_alloc).toBe(4096);
    sock_close(net, sk);
    leakCheck(r);
  });
});

describe('SO_REUSEPORT', () => {
  test('without it a second bind fails; with it each socket gets its own flows and queue', () => {
    const r = bootLab(LAB);
    r.startBackground('rx', 'udp-sink -q --delay-us 100000000 5000');
    r.idle(1e6);
    expect(r.runCommand('rx', 'udp-sink -q -t 0.01 5000')).toMatchObject({ exit: 1, stderr: 'udp-sink: bind: Address already in use\n' });
    leakCheck(r);

    const r2 = bootLab(LAB);
    for (let i = 0; i < 3; i++) r2.startBackground('rx', 'udp-sink -q --reuseport --delay-us 100000000 5000');
    r2.idle(1e6);
    expect(r2.runCommand('gen', `${PKTGEN} -n 60 -w 10000`).exit).toBe(0);
    r2.idle(1e6);
    const socks = r2.host('rx').net.socks.udp;
    expect(socks.length).toBe(3);
    // pktgen's 100 random source ports hash onto all three sockets.
    const held = socks.map((s) => s.receive_queue.length);
    expect(held.every((n) => n > 0)).toBe(true);
    expect(held.reduce((a, b) => a + b, 0) + 3).toBe(60);
    // One flow always lands on the same socket.
    for (const sk of socks)
      for (const skb of sk.receive_queue) {
        const sport = (skb.buf[skb.transport_header] << 8) | skb.buf[skb.transport_header + 1];
        for (const other of socks) if (other !== sk) expect(other.receive_queue.some((o) => ((o.buf[o.transport_header] << 8) | o.buf[o.transport_header + 1]) === sport)).toBe(false);
      }
    leakCheck(r2);
  });
});
