// net/ipv4/inet_connection_sock.c: binding a local port (inet_csk_get_port
// and its conflict rules), listening, the two queues of a listener (the SYN
// queue of request socks and the accept queue of established children),
// accept(), the SYN-ACK retransmit timer of request socks, and the helpers
// that arm the retransmit and delayed-ACK timers.
import type { Net } from '../net_namespace.js';
import { type TcpSock, type RequestSock, type IcskPending, TimewaitSock, TCP_TIMEOUT_INIT, TCP_RTO_MAX, ICSK_ACK_SCHED, ICSK_ACK_TIMER, jiffies_ns, sk_reset_timer } from './tcp_sock.js';
import { type InetBindBucket, tcp_hashinfo, inet_bind_hash, inet_get_local_port_range, inet_hash_listener, inet_unhash_listener, inet_ehash_insert, inet_ehash_remove } from './inet_hashtables.js';
import { timer_setup } from '../../kernel/timer.js';
import { NET_INC_STATS } from '../snmp_stats.js';

// ---- timers of a connection ------------------------------------------------

/** inet_csk_reset_xmit_timer: arm icsk_retransmit_timer for `what`. */
export function inet_csk_reset_xmit_timer(sk: TcpSock, what: IcskPending, when: number, max_when = TCP_RTO_MAX): void {
  if (when > max_when) when = max_when;
  sk.pending = what;
  sk.timeout = jiffies_ns(sk.net) + when;
  sk_reset_timer(sk.net, sk.retransmit_timer, sk.timeout);
}

/** inet_csk_clear_xmit_timer. */
export function inet_csk_clear_xmit_timer(sk: TcpSock, what: 'RETRANS' | 'DACK' | 'ALL'): void {
  if (what === 'DACK' || what === 'ALL') {
    sk.ack.pending = 0;
    sk.ack.timeout = 0;
    sk.delack_timer.del();
  }
  if (what === 'RETRANS' || what === 'ALL') {
    sk.pending = 0;
    sk.retransmit_timer.del();
  }
}

export function inet_csk_schedule_ack(sk: TcpSock): void {
  sk.ack.pending |= ICSK_ACK_SCHED;
}

export function inet_csk_ack_scheduled(sk: TcpSock): boolean {
  return (sk.ack.pending & ICSK_ACK_SCHED) !== 0;
}

export function inet_csk_delack_init(sk: TcpSock): void {
  sk.ack = { pending: 0, quick: 0, pingpong: 0, ato: 0, timeout: 0, lrcvtime: 0, last_seg_size: 0, rcv_mss: 0 };
}

export function inet_csk_in_pingpong_mode(sk: TcpSock): boolean {
  return sk.ack.pingpong >= sk.net.sysctlInt('net.ipv4.tcp_pingpong_thresh');
}

export function inet_csk_enter_pingpong_mode(sk: TcpSock): void {
  sk.ack.pingpong = sk.net.sysctlInt('net.ipv4.tcp_pingpong_thresh');
}

export function inet_csk_exit_pingpong_mode(sk: TcpSock): void {
  sk.ack.pingpong = 0;
}

export function inet_csk_inc_pingpong_cnt(sk: TcpSock): void {
  if (sk.ack.pingpong < 255) sk.ack.pingpong++;
}

export function inet_csk_reset_keepalive_timer(sk: TcpSock, len: number): void {
  sk_reset_timer(sk.net, sk.keepalive_timer, jiffies_ns(sk.net) + len);
}

export function inet_csk_delete_keepalive_timer(sk: TcpSock): void {
  sk.keepalive_timer.del();
}

// ---- binding a port --------------------------------------------------------

/** inet_csk_bind_conflict: someone else on the port whose address overlaps,
 * unless both set SO_REUSEADDR and that one is not listening (or both set
 * SO_REUSEPORT). */
function inet_csk_bind_conflict(sk: TcpSock, tb: InetBindBucket): boolean {
  for (const sk2 of tb.owners) {
    if (sk2 === sk) continue;
    if (sk.bound_dev_if && sk2.bound_dev_if && sk.bound_dev_if !== sk2.bound_dev_if) continue;
    if (sk.rcv_saddr && sk2.rcv_saddr && sk.rcv_saddr !== sk2.rcv_saddr) continue;
    const reuse2 = sk2 instanceof TimewaitSock ? sk2.reuse : sk2.reuseaddr;
    const reuseport2 = sk2 instanceof TimewaitSock ? sk2.reuseport : sk2.reuseport;
    if (sk.reuseaddr && reuse2 && sk2.state !== 'LISTEN') continue;
    if (sk.reuseport && reuseport2) continue;
    return true;
  }
  return false;
}

/** inet_csk_get_port: bind to snum, or find a free port when 0
 * (inet_csk_find_open_port: random start of odd parity, connect() keeps the even ones).
 * Returns false with EADDRINUSE semantics. */
export function inet_csk_get_port(net: Net, sk: TcpSock, snum: number): boolean {
  const h = tcp_hashinfo(net);
  if (!snum) {
    const [low, high] = inet_get_local_port_range(net);
    const remaining = high - low + 1;
    let offset = net.prng.below(remaining) | 1;
    for (let pass = 0; pass < 2 && !snum; pass++) {
      let port = low + offset;
      for (let i = 0; i < remaining; i += 2, port += 2) {
        if (port > high) port -= remaining;
        const tb = h.bhash.get(port);
        if (!tb) {
          snum = port;
          break;
        }
      }
      offset--;
    }
    if (!snum) return false;
  } else {
    const tb = h.bhash.get(snum);
    if (tb && inet_csk_bind_conflict(sk, tb)) return false;
  }
  const tb = h.bhash.get(snum);
  if (tb) {
    tb.owners.push(sk);
    sk.bind_bucket = tb;
    sk.num = snum;
    if (tb.fastreuse < 0) tb.fastreuse = sk.reuseaddr ? 1 : 0;
  } else inet_bind_hash(net, sk, snum, sk.reuseaddr ? 1 : 0);
  return true;
}

// ---- listening ---------------------------------------------------------------

/** inet_csk_listen_start. */
export function inet_csk_listen_start(sk: TcpSock): string | null {
  sk.ack_backlog = 0;
  sk.syn_qlen = 0;
  sk.syn_young = 0;
  sk.state = 'LISTEN';
  if (!sk.num && !inet_csk_get_port(sk.net, sk, 0)) {
    sk.state = 'CLOSE';
    return 'EADDRINUSE';
  }
  if (sk.num && !sk.bind_bucket && !inet_csk_get_port(sk.net, sk, sk.num)) {
    sk.state = 'CLOSE';
    return 'EADDRINUSE';
  }
  inet_hash_listener(sk.net, sk);
  return null;
}

/** inet_csk_listen_stop: drop the request socks and abort the children nobody accepted. */
export function inet_csk_listen_stop(sk: TcpSock, abort: (child: TcpSock) => void): void {
  inet_unhash_listener(sk.net, sk);
  for (const [, s] of [...tcp_hashinfo(sk.net).ehash]) if ('listener' in s && s.listener === sk) inet_csk_reqsk_queue_drop(sk, s);
  while (sk.accept_queue.length) {
    const child = sk.accept_queue.shift()!;
    sk.ack_backlog--;
    child.parent = null;
    abort(child);
  }
}

/** sk_acceptq_is_full: note the '>' — a backlog of N holds N+1 children. */
export function sk_acceptq_is_full(sk: TcpSock): boolean {
  return sk.ack_backlog > sk.max_ack_backlog;
}

/** inet_csk_reqsk_queue_is_full. */
export function inet_csk_reqsk_queue_is_full(sk: TcpSock): boolean {
  return sk.syn_qlen >= sk.max_ack_backlog;
}

/** inet_csk_accept, non-blocking part: the first child, or null. */
export function inet_csk_accept(sk: TcpSock): TcpSock | null {
  const child = sk.accept_queue.shift();
  if (!child) return null;
  sk.ack_backlog--;
  child.parent = null;
  return child;
}

/** inet_csk_reqsk_queue_add: a child joins the accept queue; the listener's reader wakes. */
export function inet_csk_reqsk_queue_add(sk: TcpSock, child: TcpSock): void {
  child.parent = sk;
  sk.accept_queue.push(child);
  sk.ack_backlog++;
  sk.wake();
}

// ---- the SYN queue -------------------------------------------------------------

/** inet_csk_reqsk_queue_hash_add: hash the request sock and start its SYN-ACK timer. */
export function inet_csk_reqsk_queue_hash_add(sk: TcpSock, req: RequestSock, timeout: number, rtx: (req: RequestSock) => boolean): void {
  const net = sk.net;
  req.timer = timer_setup(net, () => reqsk_timer_handler(req, rtx));
  sk_reset_timer(net, req.timer, jiffies_ns(net) + timeout);
  inet_ehash_insert(net, req);
  sk.syn_qlen++;
  sk.syn_young++;
}

/** reqsk_queue_removed + unhash + timer delete (inet_csk_reqsk_queue_drop). */
export function inet_csk_reqsk_queue_drop(sk: TcpSock, req: RequestSock): void {
  if (req.dead) return;
  req.dead = true;
  req.timer?.del();
  inet_ehash_remove(sk.net, req);
  if (req.num_timeout === 0) sk.syn_young--;
  sk.syn_qlen--;
}

/** reqsk_timer_handler: resend the SYN-ACK with exponential backoff up to
 * tcp_synack_retries (fewer when the queue is clogged with old requests). */
function reqsk_timer_handler(req: RequestSock, rtx: (req: RequestSock) => boolean): void {
  const sk = req.listener;
  const net = sk.net;
  if (sk.state !== 'LISTEN') {
    inet_csk_reqsk_queue_drop(sk, req);
    return;
  }
  let max_syn_ack_retries = sk.syn_retries || net.sysctlInt('net.ipv4.tcp_synack_retries');
  const qlen = sk.syn_qlen;
  if (qlen << 1 > Math.max(8, sk.max_ack_backlog)) {
    let young = sk.syn_young << 1;
    while (max_syn_ack_retries > 2) {
      if (qlen < young) break;
      max_syn_ack_retries--;
      young <<= 1;
    }
  }
  const expire = req.num_timeout >= max_syn_ack_retries;
  NET_INC_STATS(net, 'TCPTimeouts'); // tcp_syn_ack_timeout
  if (!expire && (rtx(req) || req.acked)) {
    if (req.num_timeout++ === 0) sk.syn_young--;
    sk_reset_timer(net, req.timer, jiffies_ns(net) + Math.min(TCP_TIMEOUT_INIT * 2 ** req.num_timeout, TCP_RTO_MAX));
    return;
  }
  inet_csk_reqsk_queue_drop(sk, req);
}
