// net/ipv4/tcp.c: the socket side of TCP. Creating a socket
// (tcp_init_sock), state changes and the counters they move (tcp_set_state),
// the end of a connection (tcp_done, tcp_reset), sending (tcp_sendmsg: copy
// user data into MSS-sized skbs on the write queue, then push), receiving
// (tcp_recvmsg and the ACK it may owe, tcp_cleanup_rbuf), shutdown, close,
// socket options and tcp_info (what `ss -i` shows).
import type { Net } from '../net_namespace.js';
import { kfree_skb, consume_skb, type SkBuff } from '../core/skbuff.js';
import {
  TcpSock,
  TCP_SKB_CB,
  tcp_skb_cb_init,
  tcp_rmem,
  tcp_wmem,
  tcp_receive_window,
  tcp_packets_in_flight,
  TCP_TIMEOUT_INIT,
  TCP_TIMEWAIT_LEN,
  RCV_SHUTDOWN,
  SEND_SHUTDOWN,
  SHUTDOWN_MASK,
  ICSK_ACK_PUSHED,
  ICSK_ACK_PUSHED2,
  CA_STATE_NUM,
  type TcpState,
  tcp_wmem_charge,
  tcp_wmem_uncharge,
  tcp_rmem_uncharge,
} from './tcp_sock.js';
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_PSH, TCPHDR_SYN, after } from './tcp_hdr.js';
import { timer_setup } from '../../kernel/timer.js';
import { inet_csk_clear_xmit_timer, inet_csk_ack_scheduled, inet_csk_in_pingpong_mode, inet_csk_listen_stop, inet_csk_reset_keepalive_timer, inet_csk_delete_keepalive_timer } from './inet_connection_sock.js';
import { inet_ehash_remove, inet_unhash_listener, inet_put_port } from './inet_hashtables.js';
import {
  tcp_current_mss,
  tcp_stream_alloc_skb,
  __tcp_push_pending_frames,
  tcp_write_xmit,
  tcp_send_fin,
  tcp_send_active_reset,
  tcp_send_ack,
  __tcp_select_window,
  TCP_NAGLE_OFF,
  TCP_NAGLE_CORK,
  TCP_NAGLE_PUSH,
  tcp_mstamp_refresh,
} from './tcp_output.js';
import { tcp_rcv_space_adjust, tcp_fin_time } from './tcp_input.js';
import { tcp_time_wait } from './tcp_minisocks.js';
import { tcp_write_timer, tcp_delack_timer, tcp_keepalive_timer, tcp_pace_kick } from './tcp_timer.js';
import { tcp_assign_congestion_control, tcp_set_congestion_control } from './tcp_cong.js';
import { TCP_INC_STATS, NET_INC_STATS } from '../snmp_stats.js';
import { COST } from '../../kernel/costs.js';

export const MSG_MORE = 0x8000;
export const MSG_DONTWAIT = 0x40;
export const MSG_PEEK = 0x2;
export const MSG_WAITALL = 0x100;

/** tcp_init_sock + sk_alloc: a fresh socket in CLOSE. */
export function tcp_init_sock(net: Net): TcpSock {
  const sk = new TcpSock(net);
  sk.rcvbuf = tcp_rmem(net)[1];
  sk.sndbuf = tcp_wmem(net)[1];
  sk.rto = TCP_TIMEOUT_INIT;
  sk.mdev_us = TCP_TIMEOUT_INIT / 1000;
  sk.snd_cwnd = 10;
  sk.app_limited = -1 >>> 0;
  sk.rack.reo_wnd_steps = 1;
  sk.reordering = net.sysctlInt('net.ipv4.tcp_reordering');
  sk.rx_opt.mss_clamp = 536;
  sk.mss_cache = 536;
  sk.retransmit_timer = timer_setup(net, () => tcp_write_timer(sk));
  sk.delack_timer = timer_setup(net, () => tcp_delack_timer(sk));
  sk.keepalive_timer = timer_setup(net, () => tcp_keepalive_timer(sk));
  sk.pacing_timer = timer_setup(net, () => tcp_pace_kick(sk));
  tcp_assign_congestion_control(sk);
  net.socks.tcp.push(sk);
  return sk;
}

/** tcp_set_state: CurrEstab and EstabResets move here; CLOSE unhashes and frees the port. */
export function tcp_set_state(sk: TcpSock, state: TcpState): void {
  const old = sk.state;
  const net = sk.net;
  if (state === 'CLOSE') {
    if (old === 'CLOSE_WAIT' || old === 'ESTABLISHED') TCP_INC_STATS(net, 'EstabResets');
    if (old === 'LISTEN') inet_unhash_listener(net, sk);
    else inet_ehash_remove(net, sk);
    if (sk.bind_bucket && !(sk.userlocks & 8)) inet_put_port(net, sk);
  }
  sk.state = state;
  net.tracer.fn(null, 'tcp_set_state', `${sk.num} ${old} -> ${state}`);
}

/** tcp_write_queue_purge: drop everything queued to send. */
export function tcp_write_queue_purge(sk: TcpSock): void {
  for (const q of [sk.write_queue, sk.rtx_queue]) {
    while (q.length) {
      const skb = q.shift()!;
      tcp_wmem_uncharge(sk, skb);
      kfree_skb(skb, 'TCP_CLOSE', 'tcp_write_queue_purge');
    }
  }
  sk.packets_out = sk.sacked_out = sk.lost_out = sk.retrans_out = 0;
  sk.ca_state = 'Open';
}

/** tcp_clear_xmit_timers. */
function tcp_clear_xmit_timers(sk: TcpSock): void {
  sk.pacing_timer.del();
  inet_csk_clear_xmit_timer(sk, 'ALL');
}

/** inet_csk_destroy_sock + tcp_v4_destroy_sock: free every queue, leave the tables. */
export function inet_csk_destroy_sock(sk: TcpSock): void {
  const net = sk.net;
  tcp_clear_xmit_timers(sk);
  inet_csk_delete_keepalive_timer(sk);
  sk.ca_ops.release?.(sk);
  tcp_write_queue_purge(sk);
  for (const q of [sk.ofo_queue, sk.receive_queue]) {
    while (q.length) {
      const skb = q.shift()!;
      tcp_rmem_uncharge(sk, skb);
      kfree_skb(skb, 'TCP_CLOSE', 'inet_csk_destroy_sock');
    }
  }
  if (sk.bind_bucket) inet_put_port(net, sk);
  const i = net.socks.tcp.indexOf(sk);
  if (i >= 0) net.socks.tcp.splice(i, 1);
  sk.closed = true;
}

/** tcp_done: the connection is over (reset, timeout, last ACK). */
export function tcp_done(sk: TcpSock): void {
  if (sk.state === 'SYN_SENT' || sk.state === 'SYN_RECV') TCP_INC_STATS(sk.net, 'AttemptFails');
  tcp_set_state(sk, 'CLOSE');
  tcp_clear_xmit_timers(sk);
  sk.shutdown = SHUTDOWN_MASK;
  if (!sk.dead) sk.wake();
  else inet_csk_destroy_sock(sk);
}

/** tcp_reset: the peer reset the connection; the errno as BSD reports it. */
export function tcp_reset(sk: TcpSock): void {
  let err: string;
  switch (sk.state) {
    case 'SYN_SENT':
      err = 'ECONNREFUSED';
      break;
    case 'CLOSE_WAIT':
      err = 'EPIPE';
      break;
    case 'CLOSE':
      return;
    default:
      err = 'ECONNRESET';
  }
  tcp_done_with_error(sk, err);
}

/** tcp_done_with_error. */
export function tcp_done_with_error(sk: TcpSock, err: string): void {
  sk.err = err;
  tcp_write_queue_purge(sk);
  tcp_done(sk);
  if (!sk.dead) sk.wake();
}

// ---- sending -------------------------------------------------------------------------

function sk_stream_memory_free(sk: TcpSock): boolean {
  return sk.wmem_queued < sk.sndbuf && ((sk.write_seq - sk.snd_nxt) >>> 0) < ((sk.notsent_lowat || sk.net.sysctlInt('net.ipv4.tcp_notsent_lowat')) >>> 0);
}

/** sk_stream_write_space: wake a writer once a third of the buffer is free. */
export function sk_stream_write_space(sk: TcpSock): void {
  const wspace = sk.sndbuf - sk.wmem_queued;
  if (wspace >= sk.wmem_queued >> 1 && sk_stream_memory_free(sk)) sk.wake();
}

function forced_push(tp: TcpSock): boolean {
  return after(tp.write_seq, (tp.pushed_seq + (tp.max_window >> 1)) >>> 0);
}

function tcp_mark_push(tp: TcpSock, skb: SkBuff): void {
  TCP_SKB_CB(skb).tcp_flags |= TCPHDR_PSH;
  tp.pushed_seq = tp.write_seq;
}

/** tcp_should_autocork: hold a small segment while earlier ones are still in the host's queues. */
function tcp_should_autocork(sk: TcpSock, skb: SkBuff, size_goal: number): boolean {
  return skb.len < size_goal && sk.net.sysctlInt('net.ipv4.tcp_autocorking') !== 0 && sk.rtx_queue.length > 0 && sk.wmem_tx + 1 > skb.truesize;
}

/** tcp_push: mark PSH, maybe autocork, then push the pending frames. */
function tcp_push(sk: TcpSock, flags: number, mss_now: number, nonagle: number, size_goal: number): void {
  const skb = sk.write_queue[sk.write_queue.length - 1];
  if (!skb) return;
  if (!(flags & MSG_MORE) || forced_push(sk)) tcp_mark_push(sk, skb);
  if (tcp_should_autocork(sk, skb, size_goal)) {
    if (!(sk as any).tsq_throttled) {
      NET_INC_STATS(sk.net, 'TCPAutoCorking');
      (sk as any).tsq_throttled = true;
    }
    if (sk.wmem_tx + 1 > skb.truesize) return;
  }
  if (flags & MSG_MORE) nonagle = TCP_NAGLE_CORK;
  __tcp_push_pending_frames(sk, mss_now, nonagle);
}

/** tcp_skb_entail: a new empty segment at the tail of the write queue. */
function tcp_skb_entail(sk: TcpSock, skb: SkBuff): void {
  tcp_skb_cb_init(skb, sk.write_seq, TCPHDR_ACK);
  sk.write_queue.push(skb);
  tcp_wmem_charge(sk, skb);
  if (sk.nonagle & TCP_NAGLE_PUSH) sk.nonagle &= ~TCP_NAGLE_PUSH;
}

export type SendResult = { copied: number; wait: boolean; err: string | null };

/** One pass of tcp_sendmsg_locked: copy as much of `data` from `off` as the
 * send buffer takes. `wait` says the caller must sleep for space (sk.wq). */
export function tcp_sendmsg_locked(sk: TcpSock, data: Uint8Array, off: number, flags: number): SendResult {
  const net = sk.net;
  let copied = 0;
  if (sk.state !== 'ESTABLISHED' && sk.state !== 'CLOSE_WAIT') {
    if (sk.err) return { copied: 0, wait: false, err: sock_error(sk) };
    if (sk.state === 'SYN_SENT' || sk.state === 'SYN_RECV') return { copied: 0, wait: true, err: null };
    return { copied: 0, wait: false, err: 'EPIPE' };
  }
  tcp_mstamp_refresh(sk);
  const mss_now = tcp_current_mss(sk);
  const size_goal = mss_now;
  if (sk.err || sk.shutdown & SEND_SHUTDOWN) return { copied: 0, wait: false, err: sk.err ? sock_error(sk) : 'EPIPE' };
  let left = data.length - off;
  while (left > 0) {
    let skb = sk.write_queue[sk.write_queue.length - 1];
    let copy = skb ? size_goal - skb.len : 0;
    if (copy <= 0 || !skb || TCP_SKB_CB(skb).tcp_flags & TCPHDR_FIN) {
      if (!sk_stream_memory_free(sk)) {
        // wait_for_space
        (sk as any).nospace = true;
        if (copied) tcp_push(sk, flags & ~MSG_MORE, mss_now, TCP_NAGLE_PUSH, size_goal);
        return { copied, wait: true, err: null };
      }
      skb = tcp_stream_alloc_skb(sk, size_goal);
      tcp_skb_entail(sk, skb);
      copy = size_goal;
    }
    if (copy > left) copy = left;
    if (skb.tailroom < copy) copy = skb.tailroom;
    skb.buf.set(data.subarray(off + copied, off + copied + copy), skb.skb_put(copy));
    net.spend(COST.copy_per_byte * copy);
    if (!copied) TCP_SKB_CB(skb).tcp_flags &= ~TCPHDR_PSH;
    sk.write_seq = (sk.write_seq + copy) >>> 0;
    TCP_SKB_CB(skb).end_seq = (TCP_SKB_CB(skb).end_seq + copy) >>> 0;
    copied += copy;
    left -= copy;
    if (!left) break;
    if (skb.len < size_goal) continue;
    if (forced_push(sk)) {
      tcp_mark_push(sk, skb);
      __tcp_push_pending_frames(sk, mss_now, TCP_NAGLE_PUSH);
    } else if (skb === sk.write_queue[0]) tcp_write_xmit(sk, mss_now, TCP_NAGLE_PUSH, 1);
  }
  if (copied) tcp_push(sk, flags, mss_now, sk.nonagle, size_goal);
  return { copied, wait: false, err: null };
}

function sock_error(sk: TcpSock): string {
  const e = sk.err!;
  sk.err = null;
  return e;
}

// ---- receiving ------------------------------------------------------------------------

/** tcp_cleanup_rbuf: after a read, ACK if one is owed or the window grew a lot. */
export function tcp_cleanup_rbuf(sk: TcpSock, copied: number): void {
  let time_to_ack = false;
  if (inet_csk_ack_scheduled(sk)) {
    if (((sk.rcv_nxt - sk.rcv_wup) >>> 0) > sk.ack.rcv_mss || (copied > 0 && (sk.ack.pending & ICSK_ACK_PUSHED2 || (sk.ack.pending & ICSK_ACK_PUSHED && !inet_csk_in_pingpong_mode(sk))) && !sk.rmem_alloc)) time_to_ack = true;
  }
  if (copied > 0 && !time_to_ack && !(sk.shutdown & RCV_SHUTDOWN)) {
    const rcv_window_now = tcp_receive_window(sk);
    if (2 * rcv_window_now <= sk.window_clamp) {
      const new_window = __tcp_select_window(sk);
      if (new_window && new_window >= 2 * rcv_window_now) time_to_ack = true;
    }
  }
  if (time_to_ack) tcp_send_ack(sk);
}

export type RecvResult = { data: Uint8Array | null; err: string | null; wait: boolean };

/** tcp_recvmsg_locked, non-blocking: up to `len` bytes; data null with no
 * error at end of stream; wait when nothing is there yet. */
export function tcp_recvmsg(sk: TcpSock, len: number, flags = 0): RecvResult {
  const net = sk.net;
  if (sk.state === 'LISTEN') return { data: null, err: 'ENOTCONN', wait: false };
  const out: Uint8Array[] = [];
  let copied = 0;
  let fin = false;
  while (len > 0) {
    const skb = sk.receive_queue[0];
    if (!skb) break;
    const cb = TCP_SKB_CB(skb);
    let offset = (sk.copied_seq - cb.seq) >>> 0;
    if (cb.tcp_flags & TCPHDR_SYN) offset--;
    if (offset < skb.len) {
      let used = skb.len - offset;
      if (len < used) used = len;
      out.push(skb.buf.slice(skb.data + offset, skb.data + offset + used));
      net.spend(COST.copy_per_byte * used);
      if (!(flags & MSG_PEEK)) sk.copied_seq = (sk.copied_seq + used) >>> 0;
      copied += used;
      len -= used;
      if (!(flags & MSG_PEEK)) tcp_rcv_space_adjust(sk);
      if (used + offset < skb.len) break;
    }
    if (flags & MSG_PEEK) break;
    if (cb.tcp_flags & TCPHDR_FIN) {
      sk.copied_seq = (sk.copied_seq + 1) >>> 0;
      fin = true;
    }
    sk.receive_queue.shift();
    tcp_rmem_uncharge(sk, skb);
    consume_skb(skb, 'tcp_eat_recv_skb');
    if (fin) break;
  }
  if (!copied) {
    if (sk.done) {
      tcp_cleanup_rbuf(sk, 0);
      return { data: null, err: null, wait: false };
    }
    if (sk.err) return { data: null, err: sock_error(sk), wait: false };
    if (sk.shutdown & RCV_SHUTDOWN) return { data: null, err: null, wait: false };
    if (sk.state === 'CLOSE') return { data: null, err: 'ENOTCONN', wait: false };
    tcp_cleanup_rbuf(sk, 0);
    return { data: null, err: null, wait: true };
  }
  tcp_cleanup_rbuf(sk, copied);
  const data = new Uint8Array(copied);
  let o = 0;
  for (const c of out) {
    data.set(c, o);
    o += c.length;
  }
  return { data, err: null, wait: false };
}

/** Bytes the reader has not taken yet (SIOCINQ, ss Recv-Q). */
export function tcp_inq(sk: TcpSock): number {
  let n = (sk.rcv_nxt - sk.copied_seq) >>> 0;
  if (sk.done && n > 0 && sk.receive_queue.length && TCP_SKB_CB(sk.receive_queue[sk.receive_queue.length - 1]).tcp_flags & TCPHDR_FIN) n--;
  return n;
}

// ---- shutdown and close -------------------------------------------------------------------

/** tcp_close_state: the next state on close, and whether a FIN goes out. */
function tcp_close_state(sk: TcpSock): boolean {
  const next: Partial<Record<TcpState, [TcpState, boolean]>> = {
    ESTABLISHED: ['FIN_WAIT1', true],
    SYN_SENT: ['CLOSE', false],
    SYN_RECV: ['FIN_WAIT1', true],
    FIN_WAIT1: ['FIN_WAIT1', false],
    FIN_WAIT2: ['FIN_WAIT2', false],
    CLOSING: ['CLOSING', false],
    TIME_WAIT: ['CLOSE', false],
    CLOSE: ['CLOSE', false],
    CLOSE_WAIT: ['LAST_ACK', true],
    LAST_ACK: ['LAST_ACK', false],
    LISTEN: ['CLOSE', false],
  };
  const [ns, fin] = next[sk.state] ?? ['CLOSE', false];
  tcp_set_state(sk, ns);
  return fin;
}

/** inet_shutdown + tcp_shutdown. how: 0 SHUT_RD, 1 SHUT_WR, 2 SHUT_RDWR. */
export function tcp_shutdown(sk: TcpSock, how: number): string | null {
  const mask = how + 1;
  if (sk.state === 'CLOSE' || sk.state === 'SYN_SENT' || sk.state === 'SYN_RECV') {
    if (sk.state === 'CLOSE') return 'ENOTCONN';
  }
  sk.shutdown |= mask;
  if (sk.state === 'LISTEN') {
    if (mask & RCV_SHUTDOWN) {
      tcp_disconnect(sk);
    }
  } else if (sk.state === 'SYN_SENT') tcp_disconnect(sk);
  else if (mask & SEND_SHUTDOWN && (sk.state === 'ESTABLISHED' || sk.state === 'SYN_RECV' || sk.state === 'CLOSE_WAIT')) {
    if (tcp_close_state(sk)) tcp_send_fin(sk);
  }
  sk.wake();
  return null;
}

/** tcp_disconnect: abort to CLOSE (a RST where the peer knows us). */
export function tcp_disconnect(sk: TcpSock): void {
  const old = sk.state;
  if (old !== 'CLOSE') tcp_set_state(sk, 'CLOSE');
  if (old === 'LISTEN') inet_csk_listen_stop(sk, (child) => tcp_abort_child(child));
  else if (old === 'ESTABLISHED' || old === 'CLOSE_WAIT' || old === 'FIN_WAIT1' || old === 'FIN_WAIT2' || old === 'CLOSING' || old === 'LAST_ACK' || old === 'SYN_RECV') tcp_send_active_reset(sk);
  tcp_clear_xmit_timers(sk);
  tcp_write_queue_purge(sk);
  for (const q of [sk.receive_queue, sk.ofo_queue]) {
    while (q.length) {
      const s = q.shift()!;
      tcp_rmem_uncharge(sk, s);
      kfree_skb(s, 'TCP_CLOSE', 'tcp_disconnect');
    }
  }
  sk.shutdown = 0;
  sk.done = false;
  sk.daddr = 0;
  sk.dport = 0;
  sk.wake();
}

/** A child nobody accepted goes with its listener (inet_child_forget). */
function tcp_abort_child(child: TcpSock): void {
  if (child.state !== 'CLOSE') {
    tcp_set_state(child, 'CLOSE');
    tcp_send_active_reset(child);
  }
  child.dead = true;
  inet_csk_destroy_sock(child);
}

/** tcp_close: FIN (or RST if unread data was thrown away), then the socket is an orphan. */
export function tcp_close(sk: TcpSock): void {
  const net = sk.net;
  sk.shutdown = SHUTDOWN_MASK;
  if (sk.state === 'LISTEN') {
    tcp_set_state(sk, 'CLOSE');
    inet_csk_listen_stop(sk, (child) => tcp_abort_child(child));
  } else {
    let data_was_unread = 0;
    while (sk.receive_queue.length) {
      const skb = sk.receive_queue.shift()!;
      const cb = TCP_SKB_CB(skb);
      let len = (cb.end_seq - cb.seq) >>> 0;
      if (cb.tcp_flags & TCPHDR_FIN) len--;
      // Only the part the reader has not taken counts.
      const taken = Math.max(0, (sk.copied_seq - cb.seq) | 0);
      data_was_unread += Math.max(0, len - taken);
      tcp_rmem_uncharge(sk, skb);
      kfree_skb(skb, 'TCP_CLOSE', 'tcp_close');
    }
    if (sk.state !== 'CLOSE') {
      if (data_was_unread) {
        NET_INC_STATS(net, 'TCPAbortOnClose');
        tcp_set_state(sk, 'CLOSE');
        tcp_send_active_reset(sk);
      } else if (sk.linger && !sk.lingertime) {
        tcp_disconnect(sk);
        NET_INC_STATS(net, 'TCPAbortOnData');
      } else if (tcp_close_state(sk)) tcp_send_fin(sk);
    }
  }
  const state = sk.state;
  sk.dead = true;
  (sk as any).orphan = true;
  if (state !== 'CLOSE' && (sk.state as TcpState) === 'CLOSE') return;
  if (sk.state === 'FIN_WAIT2') {
    if (sk.linger2 < 0) {
      tcp_set_state(sk, 'CLOSE');
      tcp_send_active_reset(sk);
      NET_INC_STATS(net, 'TCPAbortOnLinger');
    } else {
      const tmo = tcp_fin_time(sk);
      if (tmo > TCP_TIMEWAIT_LEN) inet_csk_reset_keepalive_timer(sk, tmo - TCP_TIMEWAIT_LEN);
      else {
        tcp_time_wait(sk, 'FIN_WAIT2', tmo);
        return;
      }
    }
  }
  if (sk.state === 'CLOSE') inet_csk_destroy_sock(sk);
}

// ---- options and info ------------------------------------------------------------------------

export const TCP_NODELAY = 1;
export const TCP_MAXSEG = 2;
export const TCP_CORK = 3;
export const TCP_CONGESTION = 13;

/** do_tcp_setsockopt for the options the tools use. */
export function tcp_setsockopt(sk: TcpSock, opt: string, val: number | string): string | null {
  switch (opt) {
    case 'TCP_NODELAY':
      if (val) {
        sk.nonagle |= TCP_NAGLE_OFF | TCP_NAGLE_PUSH;
        tcp_push_pending(sk);
      } else sk.nonagle &= ~TCP_NAGLE_OFF;
      return null;
    case 'TCP_CORK':
      if (val) sk.nonagle |= TCP_NAGLE_CORK;
      else {
        sk.nonagle &= ~TCP_NAGLE_CORK;
        if (sk.nonagle & TCP_NAGLE_OFF) sk.nonagle |= TCP_NAGLE_PUSH;
        tcp_push_pending(sk);
      }
      return null;
    case 'TCP_MAXSEG':
      if (typeof val !== 'number' || (val && (val < 88 || val > 65535))) return 'EINVAL';
      sk.user_mss = val;
      sk.rx_opt.user_mss = val;
      return null;
    case 'TCP_CONGESTION':
      return tcp_set_congestion_control(sk, String(val));
    case 'SO_SNDBUF':
      sk.userlocks |= 1;
      sk.sndbuf = Math.max(4608, Math.min(Number(val), sk.net.sysctlInt('net.core.wmem_max')) * 2);
      return null;
    case 'SO_RCVBUF':
      sk.userlocks |= 2;
      sk.rcvbuf = Math.max(2304, Math.min(Number(val), sk.net.sysctlInt('net.core.rmem_max')) * 2);
      return null;
    case 'SO_KEEPALIVE':
      sk.keepalive = !!val;
      if (val && (sk.state === 'ESTABLISHED' || sk.state === 'CLOSE_WAIT')) inet_csk_reset_keepalive_timer(sk, (sk.keepalive_time || sk.net.sysctlInt('net.ipv4.tcp_keepalive_time')) * 1e9);
      return null;
    case 'SO_REUSEADDR':
      sk.reuseaddr = !!val;
      return null;
    case 'SO_REUSEPORT':
      sk.reuseport = !!val;
      return null;
    case 'SO_LINGER':
      sk.linger = Number(val) >= 0;
      sk.lingertime = Math.max(0, Number(val)) * 1e9;
      return null;
    case 'TCP_LINGER2':
      sk.linger2 = Number(val) < 0 ? -1 : Number(val) * 1e9;
      return null;
  }
  return 'ENOPROTOOPT';
}

function tcp_push_pending(sk: TcpSock): void {
  if ((sk.state === 'ESTABLISHED' || sk.state === 'CLOSE_WAIT') && sk.write_queue.length) __tcp_push_pending_frames(sk, tcp_current_mss(sk), sk.nonagle);
}

/** struct tcp_info as tcp_get_info fills it (the fields ss -i prints). */
export interface TcpInfo {
  state: TcpState;
  ca_state: number;
  retransmits: number;
  probes: number;
  backoff: number;
  options: { ts: boolean; sack: boolean; wscale: boolean; snd_wscale: number; rcv_wscale: number };
  rto_us: number;
  ato_us: number;
  snd_mss: number;
  rcv_mss: number;
  unacked: number;
  sacked: number;
  lost: number;
  retrans: number;
  last_data_sent_ms: number;
  last_data_recv_ms: number;
  last_ack_recv_ms: number;
  pmtu: number;
  rcv_ssthresh: number;
  rtt_us: number;
  rttvar_us: number;
  snd_ssthresh: number;
  snd_cwnd: number;
  advmss: number;
  reordering: number;
  rcv_rtt_us: number;
  rcv_space: number;
  total_retrans: number;
  pacing_rate: number;
  max_pacing_rate: number;
  bytes_acked: number;
  bytes_received: number;
  segs_out: number;
  segs_in: number;
  notsent_bytes: number;
  min_rtt_us: number;
  data_segs_in: number;
  data_segs_out: number;
  delivery_rate: number;
  delivery_rate_app_limited: boolean;
  busy_time_us: number;
  rwnd_limited_us: number;
  sndbuf_limited_us: number;
  delivered: number;
  delivered_ce: number;
  bytes_sent: number;
  bytes_retrans: number;
  dsack_dups: number;
  reord_seen: number;
  rcv_ooopack: number;
  snd_wnd: number;
  rcv_wnd: number;
  ca_name: string;
  ca_info: string;
  rmem_alloc: number;
  rcvbuf: number;
  wmem_alloc: number;
  sndbuf: number;
  wmem_queued: number;
  drops: number;
  pingpong: boolean;
}

/** tcp_get_info. */
export function tcp_get_info(sk: TcpSock): TcpInfo {
  const net = sk.net;
  const now = net.now();
  tcp_mstamp_refresh(sk);
  let rate = 0;
  if (sk.rate_interval_us) rate = Math.floor((sk.rate_delivered * sk.mss_cache * 1e6) / sk.rate_interval_us);
  const chrono = { ...sk.chrono };
  const d = (now - chrono.start) / 1000;
  if (chrono.type === 1) chrono.busy += d;
  else if (chrono.type === 2) chrono.rwnd_limited += d;
  else if (chrono.type === 3) chrono.sndbuf_limited += d;
  return {
    state: sk.state,
    ca_state: CA_STATE_NUM[sk.ca_state],
    retransmits: sk.retransmits,
    probes: sk.probes_out,
    backoff: sk.backoff,
    options: { ts: sk.rx_opt.tstamp_ok, sack: sk.rx_opt.sack_ok, wscale: sk.rx_opt.wscale_ok, snd_wscale: sk.rx_opt.snd_wscale, rcv_wscale: sk.rx_opt.rcv_wscale },
    rto_us: sk.rto / 1000,
    ato_us: sk.ack.ato / 1000,
    snd_mss: sk.mss_cache,
    rcv_mss: sk.ack.rcv_mss,
    unacked: sk.packets_out,
    sacked: sk.sacked_out,
    lost: sk.lost_out,
    retrans: sk.retrans_out,
    last_data_sent_ms: Math.floor((now - sk.lsndtime) / 1e6),
    last_data_recv_ms: Math.floor((now - sk.ack.lrcvtime) / 1e6),
    last_ack_recv_ms: Math.floor((now - ((sk as any).rcv_tstamp ?? 0)) / 1e6),
    pmtu: sk.pmtu_cookie,
    rcv_ssthresh: sk.rcv_ssthresh,
    rtt_us: sk.srtt_us >> 3,
    rttvar_us: sk.mdev_us >> 2,
    snd_ssthresh: sk.snd_ssthresh,
    snd_cwnd: sk.snd_cwnd,
    advmss: sk.advmss,
    reordering: sk.reordering,
    rcv_rtt_us: sk.rcv_rtt_est.rtt_us >> 3,
    rcv_space: sk.rcvq_space.space,
    total_retrans: sk.total_retrans,
    pacing_rate: sk.pacing_rate,
    max_pacing_rate: sk.max_pacing_rate,
    bytes_acked: sk.bytes_acked,
    bytes_received: sk.bytes_received,
    segs_out: sk.segs_out,
    segs_in: sk.segs_in,
    notsent_bytes: Math.max(0, (sk.write_seq - sk.snd_nxt) | 0),
    min_rtt_us: sk.rtt_min.s[0].v,
    data_segs_in: sk.data_segs_in,
    data_segs_out: sk.data_segs_out,
    delivery_rate: rate,
    delivery_rate_app_limited: sk.rate_app_limited,
    busy_time_us: Math.floor(chrono.busy + chrono.rwnd_limited + chrono.sndbuf_limited),
    rwnd_limited_us: Math.floor(chrono.rwnd_limited),
    sndbuf_limited_us: Math.floor(chrono.sndbuf_limited),
    delivered: sk.delivered,
    delivered_ce: sk.delivered_ce,
    bytes_sent: sk.bytes_sent,
    bytes_retrans: sk.bytes_retrans,
    dsack_dups: sk.dsack_dups,
    reord_seen: sk.reord_seen,
    rcv_ooopack: sk.rcv_ooopack,
    snd_wnd: sk.snd_wnd,
    rcv_wnd: sk.rcv_wnd,
    ca_name: sk.ca_ops.name,
    ca_info: sk.ca_ops.get_info?.(sk) ?? '',
    rmem_alloc: sk.rmem_alloc,
    rcvbuf: sk.rcvbuf,
    wmem_alloc: sk.wmem_tx,
    sndbuf: sk.sndbuf,
    wmem_queued: sk.wmem_queued,
    drops: sk.drops,
    pingpong: inet_csk_in_pingpong_mode(sk),
  };
}

export { tcp_packets_in_flight, TCPHDR_FIN };
