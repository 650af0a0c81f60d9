// struct tcp_sock with its inet_connection_sock part, the mini sockets of a
// connection being set up (request_sock, state NEW_SYN_RECV) and of one being
// torn down (inet_timewait_sock), and the constants of include/net/tcp.h.
// Times are kept in ns of virtual time; where Linux counts jiffies (HZ=250
// on the oracle kernel) the values are multiples of 4 ms.
import type { Net } from '../net_namespace.js';
import { Sock } from './sock.js';
import type { SkBuff } from '../core/skbuff.js';
import type { Timer } from '../../sim/timer.js';
import type { Rtable } from './route.js';
import { IPPROTO_TCP } from '../wire/ip.js';
import type { TcpCongestionOps } from './tcp_cong.js';

export type TcpState =
  | 'ESTABLISHED'
  | 'SYN_SENT'
  | 'SYN_RECV'
  | 'FIN_WAIT1'
  | 'FIN_WAIT2'
  | 'TIME_WAIT'
  | 'CLOSE'
  | 'CLOSE_WAIT'
  | 'LAST_ACK'
  | 'LISTEN'
  | 'CLOSING'
  | 'NEW_SYN_RECV';

export const HZ = 250;
export const JIFFY_NS = 1e9 / HZ;
export const MS = 1e6;
export const TCP_RTO_MAX = 120e9;
export const TCP_RTO_MIN = 200 * MS;
export const TCP_TIMEOUT_INIT = 1e9;
export const TCP_TIMEOUT_MIN = 2 * JIFFY_NS;
export const TCP_DELACK_MAX = 200 * MS;
export const TCP_DELACK_MIN = 40 * MS;
export const TCP_ATO_MIN = 40 * MS;
export const TCP_TIMEWAIT_LEN = 60e9;
export const TCP_FIN_TIMEOUT = TCP_TIMEWAIT_LEN;
export const TCP_RESOURCE_PROBE_INTERVAL = 500 * MS;
export const TCP_INIT_CWND = 10;
export const TCP_MAX_QUICKACKS = 16;
export const TCP_MSS_DEFAULT = 536;
export const TCP_MIN_MSS = 88;
export const TCP_MAX_WSCALE = 14;
export const TCP_INFINITE_SSTHRESH = 0x7fffffff;
export const MAX_TCP_HEADER = 320; // L1_CACHE_ALIGN(128 + MAX_HEADER)
export const SKB_DATA_ALIGN_SKB = 256; // SKB_DATA_ALIGN(sizeof(struct sk_buff))
export const SKB_DATA_ALIGN_SHINFO = 320; // SKB_DATA_ALIGN(sizeof(struct skb_shared_info))
export const TCP_RMEM_TO_WIN_SCALE = 8;
export const TCP_DEFAULT_SCALING_RATIO = 1 << (TCP_RMEM_TO_WIN_SCALE - 1);

export const RCV_SHUTDOWN = 1;
export const SEND_SHUTDOWN = 2;
export const SHUTDOWN_MASK = 3;

// icsk_ack.pending bits
export const ICSK_ACK_SCHED = 1;
export const ICSK_ACK_TIMER = 2;
export const ICSK_ACK_PUSHED = 4;
export const ICSK_ACK_PUSHED2 = 8;
export const ICSK_ACK_NOW = 16;

// TCP_SKB_CB(skb)->sacked
export const TCPCB_SACKED_ACKED = 0x01;
export const TCPCB_SACKED_RETRANS = 0x02;
export const TCPCB_LOST = 0x04;
export const TCPCB_TAGBITS = 0x07;
export const TCPCB_REPAIRED = 0x10;
export const TCPCB_EVER_RETRANS = 0x80;
export const TCPCB_RETRANS = TCPCB_SACKED_RETRANS | TCPCB_EVER_RETRANS | TCPCB_REPAIRED;

export type CaState = 'Open' | 'Disorder' | 'CWR' | 'Recovery' | 'Loss';
export const CA_STATE_NUM: Record<CaState, number> = { Open: 0, Disorder: 1, CWR: 2, Recovery: 3, Loss: 4 };

/** The timer icsk_retransmit_timer is armed for (icsk_pending). */
export type IcskPending = 0 | 'RETRANS' | 'PROBE0' | 'REO_TIMEOUT' | 'LOSS_PROBE';

/** TCP_SKB_CB: what TCP keeps with each skb of its queues. */
export interface TcpSkbCb {
  seq: number;
  end_seq: number;
  tcp_flags: number;
  sacked: number;
  /** Time of the last transmission (skb->skb_mstamp_ns). */
  mstamp: number;
  /** tcp_rate: the connection's delivery state when this was sent. */
  tx_delivered: number;
  tx_delivered_mstamp: number;
  tx_first_tx_mstamp: number;
  tx_is_app_limited: boolean;
  /** Receive side: the acknowledgement and window it carried. */
  ack_seq: number;
}

export function TCP_SKB_CB(skb: SkBuff): TcpSkbCb {
  return (skb as any).tcp_cb;
}

export function tcp_skb_cb_init(skb: SkBuff, seq: number, flags: number): TcpSkbCb {
  const cb: TcpSkbCb = { seq, end_seq: seq, tcp_flags: flags, sacked: 0, mstamp: 0, tx_delivered: 0, tx_delivered_mstamp: 0, tx_first_tx_mstamp: 0, tx_is_app_limited: false, ack_seq: 0 };
  (skb as any).tcp_cb = cb;
  return cb;
}

/** struct rate_sample (tcp_rate.c). */
export interface RateSample {
  prior_mstamp: number;
  prior_delivered: number;
  delivered: number;
  interval_us: number;
  snd_interval_us: number;
  rcv_interval_us: number;
  rtt_us: number;
  losses: number;
  acked_sacked: number;
  prior_in_flight: number;
  last_end_seq: number;
  is_app_limited: boolean;
  is_retrans: boolean;
  is_ack_delayed: boolean;
}

/** struct tcp_sock (with inet_connection_sock and inet_sock). */
export class TcpSock extends Sock {
  declare state: TcpState;
  shutdown = 0;
  /** SOCK_DEAD: the owner closed it (orphan). */
  dead = false;
  /** SOCK_DONE: the peer sent FIN (or the connection ended). */
  done = false;
  /** Soft error (sk_err_soft), reported if the connection times out. */
  err_soft: string | null = null;
  /** sock_owned_by_user: a syscall holds the socket lock; segments that
   * arrive meanwhile wait in the backlog and ICMP errors only count. */
  owned = false;
  /** sk_backlog: segments received while owned, run by release_sock. */
  backlog: { skb: SkBuff; seg: unknown }[] = [];
  /** tcpi_rehash: the flow hash was changed after an RTO (sk_rethink_txhash). */
  timeout_rehash = 0;
  userlocks = 0;
  /** sk_wmem_queued: bytes (truesize) in the write and retransmit queues. */
  wmem_queued = 0;
  /** Bytes of this socket's packets below TCP (qdisc, ring), for TCP small queues. */
  wmem_tx = 0;
  /** Listener's backlog (sk_max_ack_backlog) and accept queue length (sk_ack_backlog). */
  max_ack_backlog = 0;
  ack_backlog = 0;
  /** inet_id: IP ID counter of this connection. */
  inet_id = 0;
  /** The listener this child came from, until accept() takes it. */
  parent: TcpSock | null = null;
  linger = false;
  lingertime = 0;
  keepopen = false;
  // ---- inet_connection_sock ----
  ca_ops!: TcpCongestionOps;
  ca_priv: any = null;
  ca_state: CaState = 'Open';
  ca_initialized = false;
  rto = TCP_TIMEOUT_INIT;
  backoff = 0;
  retransmits = 0;
  probes_out = 0;
  probes_tstamp = 0;
  pending: IcskPending = 0;
  timeout = 0;
  syn_retries = 0;
  user_timeout = 0;
  ack = { pending: 0, quick: 0, pingpong: 0, ato: 0, timeout: 0, lrcvtime: 0, last_seg_size: 0, rcv_mss: 0 };
  /** The accept queue: established children waiting for accept(). */
  readonly accept_queue: TcpSock[] = [];
  /** Request socks of this listener (the SYN queue). */
  syn_qlen = 0;
  syn_young = 0;
  retransmit_timer!: Timer;
  delack_timer!: Timer;
  keepalive_timer!: Timer;
  pacing_timer!: Timer;
  bind_bucket: unknown = null;
  // ---- tcp_sock ----
  snd_una = 0;
  snd_nxt = 0;
  snd_sml = 0;
  snd_up = 0;
  write_seq = 0;
  pushed_seq = 0;
  notsent_lowat = 0;
  snd_wnd = 0;
  max_window = 0;
  snd_wl1 = 0;
  rcv_nxt = 0;
  copied_seq = 0;
  rcv_wup = 0;
  rcv_wnd = 0;
  rcv_ssthresh = 0;
  window_clamp = 0;
  scaling_ratio = TCP_DEFAULT_SCALING_RATIO;
  mss_cache = 536;
  advmss = 0;
  user_mss = 0;
  pmtu_cookie = 0;
  tcp_header_len = 20;
  /** tp->rx_opt */
  rx_opt = { tstamp_ok: false, sack_ok: false, wscale_ok: false, snd_wscale: 0, rcv_wscale: 0, saw_tstamp: false, rcv_tsval: 0, rcv_tsecr: 0, ts_recent: 0, ts_recent_stamp: 0, mss_clamp: 536, user_mss: 0, num_sacks: 0, dsack: false };
  tsoffset = 0;
  /** Our SACK blocks to send (tp->selective_acks) and D-SACK (duplicate_sack). */
  selective_acks: [number, number][] = [];
  duplicate_sack: [number, number] | null = null;
  /** RTT estimator, µs (srtt_us is 8x, mdev_us 4x, as in Linux). */
  srtt_us = 0;
  mdev_us = 0;
  mdev_max_us = 0;
  rttvar_us = 0;
  rtt_seq = 0;
  /** Windowed min RTT (minmax over tcp_min_rtt_wlen, time in jiffies), µs. */
  rtt_min = { s: [{ t: 0, v: 0xffffffff }, { t: 0, v: 0xffffffff }, { t: 0, v: 0xffffffff }] };
  /** Receiver RTT estimate (tcp_rcv_rtt_measure). */
  rcv_rtt_est = { rtt_us: 0, seq: 0, time: 0 };
  rcvq_space = { space: 0, seq: 0, time: 0 };
  // congestion state
  snd_cwnd = TCP_INIT_CWND;
  snd_cwnd_cnt = 0;
  snd_cwnd_clamp = 0xffffffff;
  snd_cwnd_used = 0;
  snd_cwnd_stamp = 0;
  snd_ssthresh = TCP_INFINITE_SSTHRESH;
  prior_cwnd = 0;
  prior_ssthresh = 0;
  high_seq = 0;
  undo_marker = 0;
  undo_retrans = -1;
  retrans_stamp = 0;
  lsndtime = 0;
  lrcvtime = 0;
  packets_out = 0;
  retrans_out = 0;
  sacked_out = 0;
  lost_out = 0;
  reordering = 3;
  reord_seen = 0;
  is_sack_reneg = false;
  is_cwnd_limited = false;
  max_packets_out = 0;
  cwnd_usage_seq = 0;
  tlp_high_seq = 0;
  tlp_retrans = false;
  prr_delivered = 0;
  prr_out = 0;
  /** RACK (tcp_recovery.c). */
  rack = { mstamp: 0, rtt_us: 0, end_seq: 0, last_delivered: 0, reo_wnd_steps: 1, reo_wnd_persist: 0, dsack_seen: false, advanced: false };
  // delivery rate (tcp_rate.c)
  delivered = 0;
  delivered_ce = 0;
  delivered_mstamp = 0;
  first_tx_mstamp = 0;
  app_limited = 0;
  rate_delivered = 0;
  rate_interval_us = 0;
  rate_app_limited = false;
  tcp_mstamp = 0;
  pacing_rate = 0;
  max_pacing_rate = Number.MAX_SAFE_INTEGER;
  pacing_status: 'none' | 'needed' | 'fq' = 'none';
  pacing_shift = 10;
  /** Next time pacing lets us send (tcp_wstamp_ns). */
  wstamp_ns = 0;
  // counters of tcp_info
  bytes_acked = 0;
  bytes_received = 0;
  bytes_sent = 0;
  bytes_retrans = 0;
  segs_in = 0;
  segs_out = 0;
  data_segs_in = 0;
  data_segs_out = 0;
  total_retrans = 0;
  lost = 0;
  dsack_dups = 0;
  rcv_ooopack = 0;
  chrono = { start: 0, type: 0 as 0 | 1 | 2 | 3, busy: 0, rwnd_limited: 0, sndbuf_limited: 0 };
  // options
  nonagle = 0; // TCP_NAGLE_OFF 1, TCP_NAGLE_CORK 2, TCP_NAGLE_PUSH 4
  linger2 = 0;
  keepalive = false;
  keepalive_time = 0;
  keepalive_intvl = 0;
  keepalive_probes = 0;
  thin_lto = false;
  defer_accept = 0;
  syn_data = false;
  /** Write queue: not yet sent (head is tcp_send_head). */
  readonly write_queue: SkBuff[] = [];
  /** Retransmit queue: sent, not fully acknowledged, in sequence order. */
  readonly rtx_queue: SkBuff[] = [];
  /** Out-of-order queue, sorted by sequence. */
  readonly ofo_queue: SkBuff[] = [];
  /** Cached output route (sk_dst_cache). */
  declare dst: Rtable | null;
  /** Peer of a listening socket is *:*. */

  constructor(net: Net) {
    super(net, 'tcp', IPPROTO_TCP);
  }

  /** sk_data_ready / sk_write_space / sk_state_change: the woken task runs
   * once the scheduler gets to it (try_to_wake_up to sched_switch), so
   * segments arriving meanwhile are already queued when it reads. */
  override wake(): void {
    const engine = this.net.engine;
    engine.at(this.net.now() + SCHED_WAKEUP_LATENCY_NS, () => this.wq.wake_up());
  }
}

/** Time from a socket wakeup until the woken task runs on an idle CPU. */
export const SCHED_WAKEUP_LATENCY_NS = 20_000;

/** struct request_sock + inet_request_sock + tcp_request_sock. */
export class RequestSock {
  readonly state = 'NEW_SYN_RECV' as const;
  loc_addr = 0;
  rmt_addr = 0;
  loc_port = 0;
  rmt_port = 0;
  snt_isn = 0;
  rcv_isn = 0;
  mss = 0;
  rcv_wnd = 0;
  window_clamp = 0;
  rcv_wscale = 0;
  snd_wscale = 0;
  wscale_ok = false;
  sack_ok = false;
  tstamp_ok = false;
  ts_recent = 0;
  ts_off = 0;
  /** Time the first SYN-ACK went out (snt_synack, µs). */
  snt_synack = 0;
  num_retrans = 0;
  num_timeout = 0;
  /** The final ACK came but the accept queue was full (inet_rsk(req)->acked). */
  acked = false;
  timer!: Timer;
  dead = false;
  bound_dev_if = 0;
  /** The MSS our SYN-ACK advertises. */
  mss_adv = 1460;
  /** A SYN cookie's timestamp (options encoded in its low bits). */
  cookie_ts: number | undefined = undefined;
  constructor(readonly listener: TcpSock) {}
}

/** struct inet_timewait_sock + tcp_timewait_sock. */
export class TimewaitSock {
  readonly state = 'TIME_WAIT' as const;
  /** tw_substate: TIME_WAIT, or FIN_WAIT2 for an orphan waiting for the peer's FIN. */
  substate: 'TIME_WAIT' | 'FIN_WAIT2' = 'TIME_WAIT';
  rcv_saddr = 0;
  daddr = 0;
  num = 0;
  dport = 0;
  rcv_nxt = 0;
  snd_nxt = 0;
  rcv_wnd = 0;
  rcv_wscale = 0;
  ts_recent = 0;
  ts_recent_stamp = 0;
  ts_offset = 0;
  tstamp_ok = false;
  timer!: Timer;
  tw_ttd = 0;
  bound_dev_if = 0;
  tos = 0;
  ttl = -1;
  bind_bucket: unknown = null;
  reuse = false;
  reuseport = false;
  dead = false;
  readonly ino = 0;
}

export type AnyTcpSock = TcpSock | RequestSock | TimewaitSock;

// ---- small helpers of include/net/tcp.h -----------------------------------------

/** tcp_clock_us / tcp_mstamp: virtual time in µs. */
export function tcp_clock_us(net: Net): number {
  return Math.floor(net.now() / 1000);
}

/** tcp_jiffies32 in ns, rounded down to a jiffy. */
export function jiffies_ns(net: Net): number {
  return Math.floor(net.now() / JIFFY_NS) * JIFFY_NS;
}

/** mod_timer for a timer_list: the expiry in jiffies goes into a bucket of
 * the timer wheel whose level depends on how far out it is, and the bucket
 * runs at the tick after its granularity (calc_wheel_index/calc_index), so a
 * timer fires one jiffy late within 63 jiffies and up to 8^level jiffies late
 * further out (a 1 s RTO fires 4-32 ms late, TIME-WAIT up to 2 s late). */
export function sk_reset_timer(net: Net, t: Timer, expiresNs: number): void {
  const clk = Math.floor(net.now() / JIFFY_NS);
  const exp = Math.ceil(expiresNs / JIFFY_NS - 1e-9);
  const delta = exp - clk;
  let lvl = 0;
  while (lvl < 8 && delta >= 63 * 2 ** (3 * lvl)) lvl++;
  const gran = 2 ** (3 * lvl);
  t.mod((Math.floor(exp / gran) + 1) * gran * JIFFY_NS);
}

/** The timestamp clock (TCP_TS_HZ = 1000): ms. */
export function tcp_time_stamp_ms(net: Net): number {
  return Math.floor(net.now() / MS);
}

export function tcp_packets_in_flight(tp: TcpSock): number {
  return tp.packets_out - (tp.sacked_out + tp.lost_out) + tp.retrans_out;
}

export function tcp_snd_cwnd(tp: TcpSock): number {
  return tp.snd_cwnd;
}

export function tcp_snd_cwnd_set(tp: TcpSock, v: number): void {
  tp.snd_cwnd = Math.max(1, v >>> 0);
}

export function tcp_in_slow_start(tp: TcpSock): boolean {
  return tp.snd_cwnd < tp.snd_ssthresh;
}

export function tcp_win_from_space(tp: TcpSock, space: number): number {
  return Math.floor((space * tp.scaling_ratio) / (1 << TCP_RMEM_TO_WIN_SCALE));
}

export function tcp_space_from_win(tp: TcpSock, win: number): number {
  return Math.floor((win * (1 << TCP_RMEM_TO_WIN_SCALE)) / tp.scaling_ratio);
}

/** tcp_space: what the receive buffer still has room for, as window. */
export function tcp_space(tp: TcpSock): number {
  return tcp_win_from_space(tp, tp.rcvbuf - tp.rmem_alloc);
}

export function tcp_full_space(tp: TcpSock): number {
  return tcp_win_from_space(tp, tp.rcvbuf);
}

/** tcp_receive_window: what the peer may still send of what we advertised. */
export function tcp_receive_window(tp: TcpSock): number {
  const win = ((tp.rcv_wup + tp.rcv_wnd - tp.rcv_nxt) | 0);
  return win < 0 ? 0 : win;
}

export function tcp_rmem(net: Net): number[] {
  return (net.sysctl.get('net.ipv4.tcp_rmem') ?? '4096 131072 6291456').split(/\s+/).map(Number);
}

export function tcp_wmem(net: Net): number[] {
  return (net.sysctl.get('net.ipv4.tcp_wmem') ?? '4096 16384 4194304').split(/\s+/).map(Number);
}

export function tcp_write_queue_empty(tp: TcpSock): boolean {
  return tp.write_seq === tp.snd_nxt;
}

export function tcp_send_head(tp: TcpSock): SkBuff | undefined {
  return tp.write_queue[0];
}

export function tcp_skb_pcount(_skb: SkBuff): number {
  return 1;
}

export function tcp_is_sack(tp: TcpSock): boolean {
  return tp.rx_opt.sack_ok;
}

/** SKB_TRUESIZE for a payload of n bytes in one head buffer. */
export function skb_truesize_for(n: number): number {
  return n + SKB_DATA_ALIGN_SKB + SKB_DATA_ALIGN_SHINFO;
}

// ---- socket memory accounting (include/net/sock.h) -----------------------------------
// sk_forward_alloc holds memory reserved in whole pages for this socket's
// queues; charging takes from it, freeing gives back and reclaims whole
// pages. The established fast path only runs when the reservation already
// covers the new skb.

export const SK_MEM_QUANTUM = 4096;

/** sk_rmem_schedule / sk_wmem_schedule: reserve pages to cover size. */
export function sk_mem_schedule(sk: TcpSock, size: number): boolean {
  const delta = size - sk.forward_alloc;
  if (delta > 0) sk.forward_alloc += Math.ceil(delta / SK_MEM_QUANTUM) * SK_MEM_QUANTUM;
  return true;
}

export function sk_mem_charge(sk: TcpSock, size: number): void {
  sk.forward_alloc -= size;
}

/** sk_mem_uncharge + sk_mem_reclaim: give whole pages back. */
export function sk_mem_uncharge(sk: TcpSock, size: number): void {
  sk.forward_alloc += size;
  if (sk.forward_alloc >= SK_MEM_QUANTUM) sk.forward_alloc -= Math.floor(sk.forward_alloc / SK_MEM_QUANTUM) * SK_MEM_QUANTUM;
}

/** Charge an skb joining the write or retransmit queue (tcp_skb_entail). */
export function tcp_wmem_charge(sk: TcpSock, skb: SkBuff): void {
  sk.wmem_queued += skb.truesize;
  sk_mem_schedule(sk, skb.truesize);
  sk_mem_charge(sk, skb.truesize);
}

/** sk_wmem_free_skb: an skb leaves the write or retransmit queue. */
export function tcp_wmem_uncharge(sk: TcpSock, skb: SkBuff): void {
  sk.wmem_queued -= skb.truesize;
  sk_mem_uncharge(sk, skb.truesize);
}

/** skb_set_owner_r: a received skb joins the receive or out-of-order queue. */
export function tcp_rmem_charge(sk: TcpSock, skb: SkBuff): void {
  sk.rmem_alloc += skb.truesize;
  sk_mem_schedule(sk, skb.truesize);
  sk_mem_charge(sk, skb.truesize);
  skb.sk = sk;
}

/** sock_rfree: the reader took it (or it was dropped from the queue). */
export function tcp_rmem_uncharge(sk: TcpSock, skb: SkBuff): void {
  sk.rmem_alloc -= skb.truesize;
  sk_mem_uncharge(sk, skb.truesize);
}
