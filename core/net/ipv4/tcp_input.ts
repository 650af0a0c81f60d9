// net/ipv4/tcp_input.c: what a segment does to a connection. The state
// machine (tcp_rcv_state_process, tcp_rcv_synsent_state_process), the
// established fast and slow paths, ACK processing (window update, SACK
// scoreboard, RTT and RTO, congestion control, loss recovery with RACK,
// undo), data (in order, out of order with SACK blocks, D-SACK, FIN), the
// delayed-ACK machinery, receive-buffer autotuning, and tcp_conn_request.
import type { SkBuff } from '../core/skbuff.js';
import { kfree_skb, consume_skb } from '../core/skbuff.js';
import type { DropReason } from '../core/dropreason.js';
import {
  type TcpSock,
  type RateSample,
  type CaState,
  TCP_SKB_CB,
  tcp_packets_in_flight,
  tcp_receive_window,
  tcp_space,
  tcp_full_space,
  tcp_win_from_space,
  tcp_space_from_win,
  tcp_rmem,
  tcp_wmem,
  jiffies_ns,
  sk_reset_timer,
  tcp_time_stamp_ms,
  tcp_in_slow_start,
  tcp_snd_cwnd_set,
  TCPCB_SACKED_ACKED,
  TCPCB_SACKED_RETRANS,
  TCPCB_LOST,
  TCPCB_RETRANS,
  TCPCB_EVER_RETRANS,
  ICSK_ACK_SCHED,
  ICSK_ACK_PUSHED,
  ICSK_ACK_PUSHED2,
  ICSK_ACK_NOW,
  TCP_ATO_MIN,
  TCP_DELACK_MAX,
  TCP_RTO_MAX,
  TCP_RTO_MIN,
  TCP_TIMEOUT_INIT,
  TCP_TIMEOUT_MIN,
  TCP_INIT_CWND,
  TCP_MAX_QUICKACKS,
  TCP_MSS_DEFAULT,
  TCP_MIN_MSS,
  TCP_INFINITE_SSTHRESH,
  TCP_RMEM_TO_WIN_SCALE,
  RCV_SHUTDOWN,
  SEND_SHUTDOWN,
  MAX_TCP_HEADER,
  SKB_DATA_ALIGN_SKB,
  SKB_DATA_ALIGN_SHINFO,
  JIFFY_NS,
  tcp_wmem_uncharge,
  tcp_rmem_charge,
  tcp_rmem_uncharge,
} from './tcp_sock.js';
import {
  TCPHDR_ACK,
  TCPHDR_FIN,
  TCPHDR_PSH,
  TCPHDR_RST,
  TCPHDR_SYN,
  TCPHDR_URG,
  TCP_HLEN,
  TCPOLEN_TSTAMP_ALIGNED,
  TCP_NUM_SACKS,
  type TcpOptionsReceived,
  tcph,
  before,
  after,
  between,
} from './tcp_hdr.js';
import {
  inet_csk_schedule_ack,
  inet_csk_ack_scheduled,
  inet_csk_clear_xmit_timer,
  inet_csk_reset_xmit_timer,
  inet_csk_in_pingpong_mode,
  inet_csk_enter_pingpong_mode,
  inet_csk_reset_keepalive_timer,
} from './inet_connection_sock.js';
import {
  tcp_send_ack,
  tcp_send_delayed_ack,
  tcp_push_pending_frames,
  __tcp_push_pending_frames,
  tcp_current_mss,
  tcp_sync_mss,
  tcp_mstamp_refresh,
  tcp_rearm_rto,
  tcp_schedule_loss_probe,
  tcp_xmit_retransmit_queue,
  tcp_reset_xmit_timer,
  tcp_probe0_when,
  __tcp_select_window,
  tcp_wnd_end,
  tcp_in_cwnd_reduction,
  tcp_chrono_stop,
  tcp_transmit_skb,
  TCP_NAGLE_OFF,
} from './tcp_output.js';
import { tcp_ca_event, CA_EVENT_COMPLETE_CWR, CA_EVENT_LOSS, tcp_init_congestion_control } from './tcp_cong.js';
import { new_rate_sample, tcp_rate_skb_delivered, tcp_rate_gen, tcp_min_rtt, minmax_running_min } from './tcp_rate.js';
import { tcp_rack_advance, tcp_rack_mark_lost, tcp_rack_update_reo_wnd, tcp_rack_skb_timeout, TCP_RACK_RECOVERY_THRESH } from './tcp_recovery.js';
import { tcp_set_state, tcp_done, tcp_reset, tcp_shutdown, sk_stream_write_space } from './tcp.js';
import { tcp_time_wait } from './tcp_minisocks.js';
import { TCP_INC_STATS, NET_INC_STATS } from '../snmp_stats.js';

export const FLAG_DATA = 0x01;
export const FLAG_WIN_UPDATE = 0x02;
export const FLAG_DATA_ACKED = 0x04;
export const FLAG_RETRANS_DATA_ACKED = 0x08;
export const FLAG_SYN_ACKED = 0x10;
export const FLAG_DATA_SACKED = 0x20;
export const FLAG_ECE = 0x40;
export const FLAG_LOST_RETRANS = 0x80;
export const FLAG_SLOWPATH = 0x100;
export const FLAG_ORIG_SACK_ACKED = 0x200;
export const FLAG_SND_UNA_ADVANCED = 0x400;
export const FLAG_DSACKING_ACK = 0x800;
export const FLAG_SET_XMIT_TIMER = 0x1000;
export const FLAG_SACK_RENEGING = 0x2000;
export const FLAG_UPDATE_TS_RECENT = 0x4000;
export const FLAG_NO_CHALLENGE_ACK = 0x8000;
export const FLAG_ACK_MAYBE_DELAYED = 0x10000;
export const FLAG_DSACK_TLP = 0x20000;
const FLAG_ACKED = FLAG_DATA_ACKED | FLAG_SYN_ACKED;
const FLAG_NOT_DUP = FLAG_DATA | FLAG_WIN_UPDATE | FLAG_ACKED;
const FLAG_CA_ALERT = FLAG_DATA_SACKED | FLAG_ECE | FLAG_DSACKING_ACK;
const FLAG_FORWARD_PROGRESS = FLAG_ACKED | FLAG_DATA_SACKED;

const REXMIT_NONE = 0;
const REXMIT_LOST = 1;
const REXMIT_NEW = 2;

/** What tcp_v4_rcv parsed into TCP_SKB_CB and rx_opt for this segment. */
export interface RcvSeg {
  seq: number;
  end_seq: number;
  ack_seq: number;
  flags: number;
  window: number;
  doff: number;
  opt: TcpOptionsReceived;
  /** Offset of the TCP header in the buffer. */
  th: number;
}

export function seg_of(skb: SkBuff): RcvSeg {
  return (skb as any).tcp_seg;
}

// ---- small state helpers ------------------------------------------------------------

export function tcp_set_ca_state(sk: TcpSock, state: CaState): void {
  sk.ca_ops.set_state?.(sk, state);
  sk.ca_state = state;
}

function tcp_current_ssthresh(sk: TcpSock): number {
  if (tcp_in_cwnd_reduction(sk)) return sk.snd_ssthresh;
  return Math.max(sk.snd_ssthresh, (sk.snd_cwnd >> 1) + (sk.snd_cwnd >> 2));
}

function tcp_init_undo(tp: TcpSock): void {
  tp.undo_marker = tp.snd_una;
  tp.undo_retrans = tp.retrans_out || -1;
}

function tcp_any_retrans_done(sk: TcpSock): boolean {
  if (sk.retrans_out) return true;
  const skb = sk.rtx_queue[0];
  return !!skb && (TCP_SKB_CB(skb).sacked & TCPCB_EVER_RETRANS) !== 0;
}

export function tcp_enter_quickack_mode(sk: TcpSock, max_quickacks: number): void {
  tcp_incr_quickack(sk, max_quickacks);
  sk.ack.pingpong = 0;
  sk.ack.ato = TCP_ATO_MIN;
}

function tcp_incr_quickack(sk: TcpSock, max_quickacks: number): void {
  let quickacks = Math.floor(sk.rcv_wnd / (2 * sk.ack.rcv_mss));
  if (quickacks === 0) quickacks = 2;
  quickacks = Math.min(quickacks, max_quickacks);
  if (quickacks > sk.ack.quick) sk.ack.quick = quickacks;
}

function tcp_in_quickack_mode(sk: TcpSock): boolean {
  return sk.ack.quick > 0 && !inet_csk_in_pingpong_mode(sk);
}

/** tcp_fast_path_on / tcp_fast_path_check: header prediction expects this header length and window. */
function tcp_fast_path_on(tp: TcpSock): void {
  (tp as any).pred_flags = { hlen: tp.tcp_header_len, win: tp.snd_wnd >>> tp.rx_opt.snd_wscale };
}

function tcp_fast_path_check(sk: TcpSock): void {
  if (!sk.ofo_queue.length && sk.rcv_wnd && sk.rmem_alloc < sk.rcvbuf) tcp_fast_path_on(sk);
}

function tcp_store_ts_recent(tp: TcpSock): void {
  tp.rx_opt.ts_recent = tp.rx_opt.rcv_tsval;
  tp.rx_opt.ts_recent_stamp = Math.floor(tp.net.now() / 1e9);
}

/** tcp_replace_ts_recent: remember the peer's timestamp of an in-window segment. */
function tcp_replace_ts_recent(tp: TcpSock, seq: number): void {
  if (tp.rx_opt.saw_tstamp && !after(seq, tp.rcv_wup)) {
    if (((tp.rx_opt.rcv_tsval - tp.rx_opt.ts_recent) | 0) >= 0 || tp.net.now() / 1e9 >= tp.rx_opt.ts_recent_stamp + 24 * 24 * 3600) tcp_store_ts_recent(tp);
  }
}

/** tcp_paws_discard: an old timestamp on something other than a pure duplicate ACK. */
function tcp_paws_discard(sk: TcpSock, seg: RcvSeg): boolean {
  const rx = sk.rx_opt;
  if (((rx.ts_recent - rx.rcv_tsval) | 0) <= 1) return false; // TCP_PAWS_WINDOW
  if (Math.floor(sk.net.now() / 1e9) >= rx.ts_recent_stamp + 60) return false; // TCP_PAWS_MSL
  // tcp_disordered_ack: a pure duplicate ACK may carry an old timestamp.
  const disordered = !(seg.flags & TCPHDR_SYN) && !(seg.flags & TCPHDR_RST) && seg.seq === seg.end_seq && seg.seq === sk.rcv_nxt && seg.ack_seq === sk.snd_una;
  return !disordered;
}

// ---- RTT, RTO, pacing ------------------------------------------------------------------

/** tcp_rtt_estimator: Jacobson/Karels with Linux's mdev tweaks (µs, srtt<<3, mdev<<2). */
function tcp_rtt_estimator(sk: TcpSock, mrtt_us: number): void {
  let m = mrtt_us;
  let srtt = sk.srtt_us;
  const rto_min_us = sk.net.sysctlInt('net.ipv4.tcp_rto_min_us') || TCP_RTO_MIN / 1000;
  if (srtt !== 0) {
    m -= srtt >> 3;
    srtt += m;
    if (m < 0) {
      m = -m;
      m -= sk.mdev_us >> 2;
      if (m > 0) m >>= 3;
    } else m -= sk.mdev_us >> 2;
    sk.mdev_us += m;
    if (sk.mdev_us > sk.mdev_max_us) {
      sk.mdev_max_us = sk.mdev_us;
      if (sk.mdev_max_us > sk.rttvar_us) sk.rttvar_us = sk.mdev_max_us;
    }
    if (after(sk.snd_una, sk.rtt_seq)) {
      if (sk.mdev_max_us < sk.rttvar_us) sk.rttvar_us -= (sk.rttvar_us - sk.mdev_max_us) >> 2;
      sk.rtt_seq = sk.snd_nxt;
      sk.mdev_max_us = rto_min_us;
    }
  } else {
    srtt = m << 3;
    sk.mdev_us = m << 1;
    sk.rttvar_us = Math.max(sk.mdev_us, rto_min_us);
    sk.mdev_max_us = sk.rttvar_us;
    sk.rtt_seq = sk.snd_nxt;
  }
  sk.srtt_us = Math.max(1, srtt);
}

/** tcp_set_rto: srtt + 4*rttvar (which is at least rto_min), in jiffies, bounded by TCP_RTO_MAX. */
export function tcp_set_rto(sk: TcpSock): void {
  const us = (sk.srtt_us >> 3) + sk.rttvar_us;
  sk.rto = Math.min(Math.ceil((us * 1000) / JIFFY_NS) * JIFFY_NS, TCP_RTO_MAX);
}

/** tcp_update_rtt_min: windowed minimum over tcp_min_rtt_wlen seconds. */
function tcp_update_rtt_min(sk: TcpSock, rtt_us: number, flag: number): void {
  const wlen = sk.net.sysctlInt('net.ipv4.tcp_min_rtt_wlen') * 250;
  if (flag & FLAG_ACK_MAYBE_DELAYED && rtt_us > tcp_min_rtt(sk)) return;
  minmax_running_min(sk.rtt_min, wlen, jiffies_ns(sk.net) / JIFFY_NS, rtt_us || 4000);
}

function tcp_ack_update_rtt(sk: TcpSock, flag: number, seq_rtt_us: number, sack_rtt_us: number, ca_rtt_us: number, rs: RateSample): boolean {
  if (seq_rtt_us < 0) seq_rtt_us = sack_rtt_us;
  if (seq_rtt_us < 0 && sk.rx_opt.saw_tstamp && sk.rx_opt.rcv_tsecr && flag & FLAG_ACKED) {
    const delta = tcp_time_stamp_ms(sk.net) - ((sk.rx_opt.rcv_tsecr - sk.tsoffset) >>> 0);
    if (delta >= 0) seq_rtt_us = ca_rtt_us = Math.max(delta, 1) * 1000;
  }
  rs.rtt_us = ca_rtt_us;
  if (seq_rtt_us < 0) return false;
  tcp_update_rtt_min(sk, ca_rtt_us, flag);
  tcp_rtt_estimator(sk, seq_rtt_us);
  tcp_set_rto(sk);
  sk.backoff = 0;
  return true;
}

/** tcp_synack_rtt_meas. */
export function tcp_synack_rtt_meas(sk: TcpSock, synack_stamp_us: number): void {
  if (!synack_stamp_us) return;
  const rtt = sk.tcp_mstamp - synack_stamp_us;
  const rs = new_rate_sample();
  tcp_ack_update_rtt(sk, FLAG_SYN_ACKED, rtt, -1, rtt, rs);
}

/** tcp_update_pacing_rate: 200% of cwnd/srtt in slow start, 120% after. */
export function tcp_update_pacing_rate(sk: TcpSock): void {
  const net = sk.net;
  let rate = sk.mss_cache * ((1e6 / 100) * 8);
  if (sk.snd_cwnd < sk.snd_ssthresh / 2) rate *= net.sysctlInt('net.ipv4.tcp_pacing_ss_ratio');
  else rate *= net.sysctlInt('net.ipv4.tcp_pacing_ca_ratio');
  rate *= Math.max(sk.snd_cwnd, sk.packets_out);
  if (sk.srtt_us) rate = Math.floor(rate / sk.srtt_us);
  sk.pacing_rate = Math.min(rate, sk.max_pacing_rate);
}

// ---- the receive side: RTT, window growth, autotuning ----------------------------------------

function tcp_rcv_rtt_update(tp: TcpSock, sample: number, win_dep: number): void {
  const old = tp.rcv_rtt_est.rtt_us;
  const m = sample << 3;
  let n: number;
  if (old === 0 || m < old) n = m;
  else {
    if (win_dep) return;
    n = old - (old >> 3) + sample;
  }
  tp.rcv_rtt_est.rtt_us = n;
}

/** tcp_rcv_rtt_measure: one receiver RTT per window of data (no timestamps). */
function tcp_rcv_rtt_measure(tp: TcpSock): void {
  if (tp.rcv_rtt_est.time === 0) {
    tp.rcv_rtt_est.seq = (tp.rcv_nxt + tp.rcv_wnd) >>> 0;
    tp.rcv_rtt_est.time = tp.tcp_mstamp;
    return;
  }
  if (before(tp.rcv_nxt, tp.rcv_rtt_est.seq)) return;
  const delta_us = tp.tcp_mstamp - tp.rcv_rtt_est.time;
  if (!delta_us) return;
  tcp_rcv_rtt_update(tp, delta_us, 1);
  tp.rcv_rtt_est.seq = (tp.rcv_nxt + tp.rcv_wnd) >>> 0;
  tp.rcv_rtt_est.time = tp.tcp_mstamp;
}

/** tcp_rcv_rtt_measure_ts: the receiver's RTT from echoed timestamps. */
function tcp_rcv_rtt_measure_ts(sk: TcpSock, seg: RcvSeg): void {
  if (sk.rx_opt.rcv_tsecr === (sk as any).rcv_rtt_last_tsecr) return;
  (sk as any).rcv_rtt_last_tsecr = sk.rx_opt.rcv_tsecr;
  if (((seg.end_seq - seg.seq) >>> 0) >= sk.ack.rcv_mss && sk.rx_opt.rcv_tsecr) {
    const delta = (tcp_time_stamp_ms(sk.net) - ((sk.rx_opt.rcv_tsecr - sk.tsoffset) >>> 0)) * 1000;
    if (delta > 0) tcp_rcv_rtt_update(sk, delta, 0);
  }
}

/** tcp_rcv_space_adjust (DRS): grow the receive buffer to what the
 * application drained in the last RTT, times 2 for losses and 2 for growth. */
export function tcp_rcv_space_adjust(sk: TcpSock): void {
  tcp_mstamp_refresh(sk);
  const time = sk.tcp_mstamp - sk.rcvq_space.time;
  if (time < sk.rcv_rtt_est.rtt_us >> 3 || sk.rcv_rtt_est.rtt_us === 0) return;
  let copied = (sk.copied_seq - sk.rcvq_space.seq) | 0;
  const inq = (sk.rcv_nxt - sk.copied_seq) | 0;
  copied -= inq;
  if (copied > sk.rcvq_space.space) {
    if (sk.net.sysctlInt('net.ipv4.tcp_moderate_rcvbuf') && !(sk.userlocks & 2)) {
      let rcvwin = copied * 2 + 16 * sk.advmss;
      const grow = Math.floor((rcvwin * (copied - sk.rcvq_space.space)) / sk.rcvq_space.space);
      rcvwin += grow * 2;
      const rcvbuf = Math.min(tcp_space_from_win(sk, rcvwin), tcp_rmem(sk.net)[2]);
      if (rcvbuf > sk.rcvbuf) {
        sk.rcvbuf = rcvbuf;
        sk.window_clamp = tcp_win_from_space(sk, rcvbuf);
      }
    }
    sk.rcvq_space.space = copied;
  }
  sk.rcvq_space.seq = sk.copied_seq;
  sk.rcvq_space.time = sk.tcp_mstamp;
}

/** tcp_measure_rcv_mss: learn the peer's segment size (and skb len/truesize ratio). */
function tcp_measure_rcv_mss(sk: TcpSock, skb: SkBuff, seg: RcvSeg): void {
  const lss = sk.ack.last_seg_size;
  sk.ack.last_seg_size = 0;
  let len = skb.len;
  if (len >= sk.ack.rcv_mss) {
    if (len !== sk.ack.rcv_mss) {
      const old = sk.scaling_ratio;
      const val = Math.floor((skb.len * (1 << TCP_RMEM_TO_WIN_SCALE)) / skb.truesize);
      sk.scaling_ratio = Math.min(255, val || 1);
      if (old !== sk.scaling_ratio) {
        sk.window_clamp = tcp_win_from_space(sk, sk.rcvbuf);
        if (sk.window_clamp < sk.rcvq_space.space) sk.rcvq_space.space = sk.window_clamp;
      }
    }
    sk.ack.rcv_mss = Math.min(len, sk.advmss);
    if (seg.flags & TCPHDR_PSH) sk.ack.pending |= ICSK_ACK_PUSHED;
  } else {
    len += seg.doff * 4;
    if (len >= TCP_MSS_DEFAULT + TCP_HLEN || (len >= TCP_MIN_MSS + TCP_HLEN && !(seg.flags & (TCPHDR_FIN | TCPHDR_URG | TCPHDR_SYN | TCPHDR_PSH)))) {
      len -= sk.tcp_header_len;
      sk.ack.last_seg_size = len;
      if (len === lss) {
        sk.ack.rcv_mss = len;
        return;
      }
    }
    if (sk.ack.pending & ICSK_ACK_PUSHED) sk.ack.pending |= ICSK_ACK_PUSHED2;
    sk.ack.pending |= ICSK_ACK_PUSHED;
  }
}

/** tcp_grow_window: raise rcv_ssthresh as data with a good len/truesize ratio arrives. */
function tcp_grow_window(sk: TcpSock, skb: SkBuff): void {
  const room = Math.min(sk.window_clamp, tcp_space(sk)) - sk.rcv_ssthresh;
  if (room <= 0) return;
  let incr = 0;
  if (tcp_win_from_space(sk, skb.truesize) <= skb.len) incr = 2 * sk.advmss;
  else {
    let truesize = tcp_win_from_space(sk, skb.truesize) >> 1;
    let window = tcp_win_from_space(sk, tcp_rmem(sk.net)[2]) >> 1;
    while (sk.rcv_ssthresh <= window) {
      if (truesize <= skb.len) {
        incr = 2 * sk.ack.rcv_mss;
        break;
      }
      truesize >>= 1;
      window >>= 1;
    }
  }
  if (incr) {
    incr = Math.max(incr, 2 * skb.len);
    sk.rcv_ssthresh += Math.min(room, incr);
    sk.ack.quick |= 1;
  }
}

/** tcp_event_data_recv: delayed-ACK timing (ato) and window growth. */
function tcp_event_data_recv(sk: TcpSock, skb: SkBuff, seg: RcvSeg): void {
  inet_csk_schedule_ack(sk);
  tcp_measure_rcv_mss(sk, skb, seg);
  tcp_rcv_rtt_measure(sk);
  const now = jiffies_ns(sk.net);
  if (!sk.ack.ato) {
    tcp_incr_quickack(sk, TCP_MAX_QUICKACKS);
    sk.ack.ato = TCP_ATO_MIN;
  } else {
    const m = now - sk.ack.lrcvtime;
    if (m <= TCP_ATO_MIN / 2) sk.ack.ato = (sk.ack.ato >> 1) + TCP_ATO_MIN / 2;
    else if (m < sk.ack.ato) sk.ack.ato = Math.min((sk.ack.ato >> 1) + m, sk.rto, TCP_DELACK_MAX);
    else if (m > sk.rto) tcp_incr_quickack(sk, TCP_MAX_QUICKACKS);
  }
  sk.ack.lrcvtime = now;
  if (skb.len >= 128) tcp_grow_window(sk, skb);
}

/** tcp_initialize_rcv_mss. */
export function tcp_initialize_rcv_mss(sk: TcpSock): void {
  let hint = Math.min(sk.advmss, sk.mss_cache);
  hint = Math.min(hint, Math.floor(sk.rcv_wnd / 2));
  hint = Math.min(hint, TCP_MSS_DEFAULT);
  hint = Math.max(hint, TCP_MIN_MSS);
  sk.ack.rcv_mss = hint;
}

/** tcp_sndbuf_expand: room for twice (BBR: three times) the cwnd. */
export function tcp_sndbuf_expand(sk: TcpSock): void {
  let per_mss = Math.max(sk.rx_opt.mss_clamp, sk.mss_cache) + MAX_TCP_HEADER + SKB_DATA_ALIGN_SHINFO;
  per_mss = 2 ** Math.ceil(Math.log2(per_mss)) + SKB_DATA_ALIGN_SKB;
  let nr_segs = Math.max(TCP_INIT_CWND, sk.snd_cwnd);
  nr_segs = Math.max(nr_segs, sk.reordering + 1);
  const sndmem = (sk.ca_ops.sndbuf_expand ? sk.ca_ops.sndbuf_expand(sk) : 2) * nr_segs * per_mss;
  if (sk.sndbuf < sndmem) sk.sndbuf = Math.min(sndmem, tcp_wmem(sk.net)[2]);
}

/** tcp_init_buffer_space: window clamp and the first receive-space measure. */
export function tcp_init_buffer_space(sk: TcpSock): void {
  const tcp_app_win = sk.net.sysctlInt('net.ipv4.tcp_app_win');
  if (!(sk.userlocks & 1)) tcp_sndbuf_expand(sk);
  tcp_mstamp_refresh(sk);
  sk.rcvq_space.time = sk.tcp_mstamp;
  sk.rcvq_space.seq = sk.copied_seq;
  const maxwin = tcp_full_space(sk);
  if (sk.window_clamp >= maxwin) {
    sk.window_clamp = maxwin;
    if (tcp_app_win && maxwin > 4 * sk.advmss) sk.window_clamp = Math.max(maxwin - (maxwin >> tcp_app_win), 4 * sk.advmss);
  }
  if (tcp_app_win && sk.window_clamp > 2 * sk.advmss && sk.window_clamp + sk.advmss > maxwin) sk.window_clamp = Math.max(2 * sk.advmss, maxwin - sk.advmss);
  sk.rcv_ssthresh = Math.min(sk.rcv_ssthresh, sk.window_clamp);
  sk.snd_cwnd_stamp = jiffies_ns(sk.net);
  sk.rcvq_space.space = Math.min(sk.rcv_ssthresh, sk.rcv_wnd, TCP_INIT_CWND * sk.advmss);
}

/** tcp_init_transfer: the connection is up: initial cwnd, congestion control, buffers. */
export function tcp_init_transfer(sk: TcpSock): void {
  if (sk.total_retrans > 1 && sk.undo_marker) tcp_snd_cwnd_set(sk, 1);
  else tcp_snd_cwnd_set(sk, TCP_INIT_CWND);
  sk.snd_cwnd_stamp = jiffies_ns(sk.net);
  if (!sk.ca_initialized) tcp_init_congestion_control(sk);
  tcp_init_buffer_space(sk);
}

// ---- ACK processing ------------------------------------------------------------------------

export function tcp_mark_skb_lost(sk: TcpSock, skb: SkBuff): void {
  const scb = TCP_SKB_CB(skb);
  const sacked = scb.sacked;
  if (sacked & TCPCB_SACKED_ACKED) return;
  if (sacked & TCPCB_LOST) {
    if (sacked & TCPCB_SACKED_RETRANS) {
      scb.sacked &= ~TCPCB_SACKED_RETRANS;
      sk.retrans_out--;
      NET_INC_STATS(sk.net, 'TCPLostRetransmit');
      sk.lost++;
    }
  } else {
    sk.lost_out++;
    scb.sacked |= TCPCB_LOST;
    sk.lost++;
  }
}

function tcp_highest_sack_seq(tp: TcpSock): number {
  let hi = tp.snd_una;
  for (const skb of tp.rtx_queue) if (TCP_SKB_CB(skb).sacked & TCPCB_SACKED_ACKED) hi = TCP_SKB_CB(skb).end_seq;
  return hi;
}

function tcp_check_sack_reordering(sk: TcpSock, low_seq: number, ts: number): void {
  const mss = sk.mss_cache;
  const fack = tcp_highest_sack_seq(sk);
  if (!before(low_seq, fack)) return;
  const metric = (fack - low_seq) >>> 0;
  if (metric > sk.reordering * mss && mss) sk.reordering = Math.min(Math.ceil(metric / mss), sk.net.sysctlInt('net.ipv4.tcp_max_reordering'));
  sk.reord_seen++;
  NET_INC_STATS(sk.net, ts ? 'TCPTSReorder' : 'TCPSACKReorder');
}

interface SackState {
  first_sackt: number;
  last_sackt: number;
  rate: RateSample;
  sack_delivered: number;
  reord: number;
}

/** tcp_sacktag_write_queue: mark what the SACK blocks cover; note D-SACKs. */
function tcp_sacktag_write_queue(sk: TcpSock, seg: RcvSeg, prior_snd_una: number, state: SackState): number {
  const net = sk.net;
  let flag = 0;
  const blocks = seg.opt.sacks;
  if (!blocks.length || !sk.packets_out) return 0;
  state.reord = sk.snd_nxt;
  // tcp_check_dsack
  let first = 0;
  const [s0, e0] = blocks[0];
  let dsack = false;
  if (before(s0, seg.ack_seq)) {
    NET_INC_STATS(net, 'TCPDSACKRecv');
    dsack = true;
  } else if (blocks.length > 1) {
    const [s1, e1] = blocks[1];
    if (!after(e0, e1) && !before(s0, s1)) {
      NET_INC_STATS(net, 'TCPDSACKOfoRecv');
      dsack = true;
    }
  }
  if (dsack) {
    const dup_segs = Math.max(1, Math.ceil(((e0 - s0) >>> 0) / sk.mss_cache));
    NET_INC_STATS(net, 'TCPDSACKRecvSegs', dup_segs);
    sk.dsack_dups += dup_segs;
    sk.rack.dsack_seen = true;
    if (sk.undo_marker && sk.undo_retrans > 0 && !after(e0, prior_snd_una) && after(e0, sk.undo_marker)) sk.undo_retrans = Math.max(0, sk.undo_retrans - dup_segs);
    flag |= FLAG_DSACKING_ACK;
    if (sk.tlp_high_seq && !before(e0, sk.tlp_high_seq) === false && after(e0, prior_snd_una) === false) flag |= 0;
    if (sk.tlp_retrans && sk.tlp_high_seq && !after(e0, sk.tlp_high_seq) && after(e0, ((sk.tlp_high_seq - 1) >>> 0) - sk.mss_cache)) flag |= FLAG_DSACK_TLP;
    first = 1;
  }
  for (let i = first; i < blocks.length; i++) {
    const [start, end] = blocks[i];
    // tcp_is_sackblock_valid
    if (after(end, sk.snd_nxt) || !before(start, end) || !after(end, prior_snd_una)) {
      if (i === 0 || !dsack) NET_INC_STATS(net, 'TCPSACKDiscard');
      continue;
    }
    for (const skb of sk.rtx_queue) {
      const scb = TCP_SKB_CB(skb);
      if (!after(scb.end_seq, start)) continue;
      if (!before(scb.seq, end)) break;
      if (before(scb.seq, start) || after(scb.end_seq, end)) continue; // only whole segments
      if (scb.sacked & TCPCB_SACKED_ACKED) continue;
      // tcp_sacktag_one
      const sacked = scb.sacked;
      if (sacked & TCPCB_SACKED_RETRANS) {
        if (sacked & TCPCB_LOST) {
          scb.sacked &= ~(TCPCB_LOST | TCPCB_SACKED_RETRANS);
          sk.lost_out--;
          sk.retrans_out--;
        }
      } else {
        if (!(sacked & TCPCB_RETRANS)) {
          if (before(scb.seq, state.reord)) state.reord = scb.seq;
          if (!after(scb.end_seq, sk.high_seq)) flag |= FLAG_ORIG_SACK_ACKED;
          if (!state.first_sackt) state.first_sackt = scb.mstamp;
          state.last_sackt = scb.mstamp;
        }
        if (sacked & TCPCB_LOST) {
          scb.sacked &= ~TCPCB_LOST;
          sk.lost_out--;
        }
      }
      scb.sacked |= TCPCB_SACKED_ACKED;
      flag |= FLAG_DATA_SACKED;
      sk.sacked_out++;
      state.sack_delivered++;
      tcp_rack_advance(sk, sacked, scb.end_seq, scb.mstamp);
      tcp_rate_skb_delivered(sk, skb, state.rate);
    }
  }
  if (!sk.sacked_out) {
    /* nothing */
  } else if (before(state.reord, sk.snd_nxt)) {
    // Reordering: a hole below what the peer has was not retransmitted.
    const fack = tcp_highest_sack_seq(sk);
    if (sk.ca_state !== 'Loss' && before(state.reord, fack) && state.reord !== sk.snd_nxt) {
      /* tcp_check_sack_reordering is called only for holes filled below the old fack */
    }
  }
  return flag;
}

/** tcp_may_update_window. */
function tcp_may_update_window(tp: TcpSock, ack: number, ack_seq: number, nwin: number): boolean {
  return after(ack, tp.snd_una) || after(ack_seq, tp.snd_wl1) || (ack_seq === tp.snd_wl1 && (nwin > tp.snd_wnd || !nwin));
}

function tcp_snd_una_update(tp: TcpSock, ack: number): void {
  const delta = (ack - tp.snd_una) >>> 0;
  tp.bytes_acked += delta;
  tp.snd_una = ack;
}

function tcp_rcv_nxt_update(tp: TcpSock, seq: number): void {
  const delta = (seq - tp.rcv_nxt) >>> 0;
  tp.bytes_received += delta;
  tp.rcv_nxt = seq;
}

/** tcp_ack_update_window. */
function tcp_ack_update_window(sk: TcpSock, seg: RcvSeg, ack: number, ack_seq: number): number {
  let flag = 0;
  let nwin = seg.window;
  if (!(seg.flags & TCPHDR_SYN)) nwin = nwin * 2 ** sk.rx_opt.snd_wscale;
  if (tcp_may_update_window(sk, ack, ack_seq, nwin)) {
    flag |= FLAG_WIN_UPDATE;
    sk.snd_wl1 = ack_seq;
    if (sk.snd_wnd !== nwin) {
      sk.snd_wnd = nwin;
      (sk as any).pred_flags = null;
      tcp_fast_path_check(sk);
      if (nwin > sk.max_window) {
        sk.max_window = nwin;
        tcp_sync_mss(sk, sk.pmtu_cookie);
      }
    }
  }
  tcp_snd_una_update(sk, ack);
  return flag;
}

/** tcp_clean_rtx_queue: free what is fully acked; RTT samples (Karn's rule), RACK, rate. */
function tcp_clean_rtx_queue(sk: TcpSock, prior_fack: number, prior_snd_una: number, sack: SackState): number {
  const prior_sacked = sk.sacked_out;
  let reord = sk.snd_nxt;
  let first_ackt = 0;
  let last_ackt = 0;
  let seq_rtt_us = -1;
  let ca_rtt_us = -1;
  let sack_rtt_us = -1;
  let pkts_acked = 0;
  let flag = 0;
  let skb: SkBuff | undefined;
  while ((skb = sk.rtx_queue[0])) {
    const scb = TCP_SKB_CB(skb);
    if (after(scb.end_seq, sk.snd_una)) break;
    const sacked = scb.sacked;
    if (sacked & TCPCB_RETRANS) {
      if (sacked & TCPCB_SACKED_RETRANS) sk.retrans_out--;
      flag |= FLAG_RETRANS_DATA_ACKED;
    } else if (!(sacked & TCPCB_SACKED_ACKED)) {
      last_ackt = scb.mstamp;
      if (!first_ackt) first_ackt = last_ackt;
      if (before(scb.seq, reord)) reord = scb.seq;
      if (!after(scb.end_seq, sk.high_seq)) flag |= FLAG_ORIG_SACK_ACKED;
    }
    if (sacked & TCPCB_SACKED_ACKED) sk.sacked_out--;
    else if (sk.rx_opt.sack_ok) {
      sk.delivered++;
      tcp_rack_advance(sk, sacked, scb.end_seq, scb.mstamp);
    } else sk.delivered++;
    if (sacked & TCPCB_LOST) sk.lost_out--;
    sk.packets_out--;
    pkts_acked++;
    tcp_rate_skb_delivered(sk, skb, sack.rate);
    if (!(scb.tcp_flags & TCPHDR_SYN)) flag |= FLAG_DATA_ACKED;
    else {
      flag |= FLAG_SYN_ACKED;
      sk.retrans_stamp = 0;
    }
    sk.rtx_queue.shift();
    // sk_wmem_free_skb: SOCK_QUEUE_SHRUNK tells tcp_check_space to wake the writer.
    tcp_wmem_uncharge(sk, skb);
    (sk as any).queue_shrunk = true;
    consume_skb(skb, 'tcp_clean_rtx_queue');
  }
  if (!skb) tcp_chrono_stop(sk, 1);
  if (between(sk.snd_up, prior_snd_una, sk.snd_una)) sk.snd_up = sk.snd_una;
  if (skb && TCP_SKB_CB(skb).sacked & TCPCB_SACKED_ACKED) flag |= FLAG_SACK_RENEGING;
  if (first_ackt && !(flag & FLAG_RETRANS_DATA_ACKED)) {
    seq_rtt_us = sk.tcp_mstamp - first_ackt;
    ca_rtt_us = sk.tcp_mstamp - last_ackt;
    if (pkts_acked === 1 && !prior_sacked && ((sk.snd_una - prior_snd_una) >>> 0) < sk.mss_cache && sack.rate.prior_delivered + 1 === sk.delivered && !(flag & (FLAG_CA_ALERT | FLAG_SYN_ACKED))) flag |= FLAG_ACK_MAYBE_DELAYED;
  }
  if (sack.first_sackt) {
    sack_rtt_us = sk.tcp_mstamp - sack.first_sackt;
    ca_rtt_us = sk.tcp_mstamp - sack.last_sackt;
  }
  const rtt_update = tcp_ack_update_rtt(sk, flag, seq_rtt_us, sack_rtt_us, ca_rtt_us, sack.rate);
  if (flag & FLAG_ACKED) {
    flag |= FLAG_SET_XMIT_TIMER;
    if (sk.rx_opt.sack_ok) {
      if (before(reord, prior_fack)) tcp_check_sack_reordering(sk, reord, 0);
    } else {
      // tcp_remove_reno_sacks
      if (pkts_acked > 0) sk.sacked_out = Math.max(0, sk.sacked_out - (pkts_acked - 1));
      if (flag & FLAG_RETRANS_DATA_ACKED) flag &= ~FLAG_ORIG_SACK_ACKED;
    }
  } else if (skb && rtt_update && sack_rtt_us >= 0 && sack_rtt_us > sk.tcp_mstamp - TCP_SKB_CB(skb).mstamp) flag |= FLAG_SET_XMIT_TIMER;
  sk.ca_ops.pkts_acked?.(sk, { pkts_acked, rtt_us: sack.rate.rtt_us, in_flight: sk.mss_cache * (sk.delivered - sack.rate.prior_delivered) });
  if (!sk.packets_out) {
    sk.lost_out = 0;
    sk.sacked_out = 0;
    sk.retrans_out = 0;
  }
  return flag;
}

function tcp_may_undo(tp: TcpSock): boolean {
  return !!tp.undo_marker && (!tp.undo_retrans || tcp_packet_delayed(tp));
}

function tcp_packet_delayed(tp: TcpSock): boolean {
  if (tp.retrans_stamp) return tp.rx_opt.saw_tstamp && !!tp.rx_opt.rcv_tsecr && before((tp.rx_opt.rcv_tsecr - tp.tsoffset) >>> 0, Math.floor(tp.retrans_stamp / 1000));
  if (!tp.rx_opt.sack_ok && !before(tp.snd_una, tp.high_seq)) return false;
  if (tp.state === 'SYN_SENT') return false;
  return true;
}

function tcp_undo_cwnd_reduction(sk: TcpSock, unmark_loss: boolean): void {
  if (unmark_loss) {
    for (const skb of sk.rtx_queue) TCP_SKB_CB(skb).sacked &= ~TCPCB_LOST;
    sk.lost_out = 0;
  }
  if (sk.prior_ssthresh) {
    tcp_snd_cwnd_set(sk, sk.ca_ops.undo_cwnd(sk));
    if (sk.prior_ssthresh > sk.snd_ssthresh) sk.snd_ssthresh = sk.prior_ssthresh;
  }
  sk.snd_cwnd_stamp = jiffies_ns(sk.net);
  sk.undo_marker = 0;
  sk.rack.advanced = true;
}

function tcp_try_keep_open(sk: TcpSock): void {
  let state: CaState = 'Open';
  if (sk.sacked_out + sk.lost_out || tcp_any_retrans_done(sk)) state = 'Disorder';
  if (sk.ca_state !== state) {
    tcp_set_ca_state(sk, state);
    sk.high_seq = sk.snd_nxt;
  }
}

function tcp_try_to_open(sk: TcpSock, flag: number): void {
  if (!tcp_any_retrans_done(sk)) sk.retrans_stamp = 0;
  if (flag & FLAG_ECE) tcp_enter_cwr(sk);
  if (sk.ca_state !== 'CWR') tcp_try_keep_open(sk);
}

function tcp_try_undo_recovery(sk: TcpSock): boolean {
  if (tcp_may_undo(sk)) {
    tcp_undo_cwnd_reduction(sk, false);
    NET_INC_STATS(sk.net, sk.ca_state === 'Loss' ? 'TCPLossUndo' : 'TCPFullUndo');
  } else if (sk.rack.reo_wnd_persist) sk.rack.reo_wnd_persist--;
  if (!sk.rx_opt.sack_ok && sk.snd_una === sk.high_seq && sk.ca_state !== 'Open') {
    // tcp_is_non_sack_preventing_reopen: hold the state one more ACK.
    if (!tcp_any_retrans_done(sk)) sk.retrans_stamp = 0;
    return true;
  }
  tcp_set_ca_state(sk, 'Open');
  sk.is_sack_reneg = false;
  return false;
}

function tcp_try_undo_dsack(sk: TcpSock): boolean {
  if (sk.undo_marker && !sk.undo_retrans) {
    sk.rack.reo_wnd_persist = Math.min(TCP_RACK_RECOVERY_THRESH, sk.rack.reo_wnd_persist + 1);
    tcp_undo_cwnd_reduction(sk, false);
    NET_INC_STATS(sk.net, 'TCPDSACKUndo');
    return true;
  }
  return false;
}

function tcp_try_undo_loss(sk: TcpSock, frto_undo: boolean): boolean {
  if (frto_undo || tcp_may_undo(sk)) {
    tcp_undo_cwnd_reduction(sk, true);
    NET_INC_STATS(sk.net, 'TCPLossUndo');
    if (frto_undo) NET_INC_STATS(sk.net, 'TCPSpuriousRTOs');
    sk.retransmits = 0;
    if (frto_undo || sk.rx_opt.sack_ok) {
      tcp_set_ca_state(sk, 'Open');
      sk.is_sack_reneg = false;
    }
    return true;
  }
  return false;
}

function tcp_try_undo_partial(sk: TcpSock, prior_snd_una: number): boolean {
  if (sk.undo_marker && tcp_packet_delayed(sk)) {
    tcp_check_sack_reordering(sk, prior_snd_una, 1);
    if (sk.retrans_out) return true;
    if (!tcp_any_retrans_done(sk)) sk.retrans_stamp = 0;
    tcp_undo_cwnd_reduction(sk, true);
    NET_INC_STATS(sk.net, 'TCPPartialUndo');
    tcp_try_keep_open(sk);
  }
  return false;
}

function tcp_init_cwnd_reduction(sk: TcpSock): void {
  sk.high_seq = sk.snd_nxt;
  sk.tlp_high_seq = 0;
  sk.snd_cwnd_cnt = 0;
  sk.prior_cwnd = sk.snd_cwnd;
  sk.prr_delivered = 0;
  sk.prr_out = 0;
  sk.snd_ssthresh = sk.ca_ops.ssthresh(sk);
}

/** tcp_cwnd_reduction: Proportional Rate Reduction (RFC 6937). */
export function tcp_cwnd_reduction(sk: TcpSock, newly_acked_sacked: number, newly_lost: number, flag: number): void {
  let sndcnt = 0;
  const delta = sk.snd_ssthresh - tcp_packets_in_flight(sk);
  if (newly_acked_sacked <= 0 || !sk.prior_cwnd) return;
  sk.prr_delivered += newly_acked_sacked;
  if (delta < 0) {
    const dividend = sk.snd_ssthresh * sk.prr_delivered + sk.prior_cwnd - 1;
    sndcnt = Math.floor(dividend / sk.prior_cwnd) - sk.prr_out;
  } else {
    sndcnt = Math.max(sk.prr_delivered - sk.prr_out, newly_acked_sacked);
    if (flag & FLAG_SND_UNA_ADVANCED && !newly_lost) sndcnt++;
    sndcnt = Math.min(delta, sndcnt);
  }
  sndcnt = Math.max(sndcnt, sk.prr_out ? 0 : 1);
  tcp_snd_cwnd_set(sk, tcp_packets_in_flight(sk) + sndcnt);
}

function tcp_end_cwnd_reduction(sk: TcpSock): void {
  if (sk.ca_ops.cong_control) return;
  if (sk.snd_ssthresh < TCP_INFINITE_SSTHRESH && (sk.ca_state === 'CWR' || sk.undo_marker)) {
    tcp_snd_cwnd_set(sk, sk.snd_ssthresh);
    sk.snd_cwnd_stamp = jiffies_ns(sk.net);
  }
  tcp_ca_event(sk, CA_EVENT_COMPLETE_CWR);
}

export function tcp_enter_cwr(sk: TcpSock): void {
  sk.prior_ssthresh = 0;
  if (sk.ca_state === 'Open' || sk.ca_state === 'Disorder') {
    sk.undo_marker = 0;
    tcp_init_cwnd_reduction(sk);
    tcp_set_ca_state(sk, 'CWR');
  }
}

/** tcp_enter_recovery: fast recovery starts (TCPSackRecovery / TCPRenoRecovery). */
export function tcp_enter_recovery(sk: TcpSock, ece_ack: boolean): void {
  if (!sk.retrans_stamp) sk.retrans_stamp = sk.tcp_mstamp;
  NET_INC_STATS(sk.net, sk.rx_opt.sack_ok ? 'TCPSackRecovery' : 'TCPRenoRecovery');
  sk.prior_ssthresh = 0;
  tcp_init_undo(sk);
  if (!tcp_in_cwnd_reduction(sk)) {
    if (!ece_ack) sk.prior_ssthresh = tcp_current_ssthresh(sk);
    tcp_init_cwnd_reduction(sk);
  }
  tcp_set_ca_state(sk, 'Recovery');
}

/** tcp_timeout_mark_lost: on RTO everything outstanding is lost (RACK spares the fresh ones). */
function tcp_timeout_mark_lost(sk: TcpSock): void {
  const head = sk.rtx_queue[0];
  const is_reneg = !!head && (TCP_SKB_CB(head).sacked & TCPCB_SACKED_ACKED) !== 0;
  if (is_reneg) {
    NET_INC_STATS(sk.net, 'TCPSACKReneging');
    sk.sacked_out = 0;
    sk.is_sack_reneg = true;
  } else if (!sk.rx_opt.sack_ok) sk.sacked_out = 0;
  for (const skb of sk.rtx_queue) {
    if (is_reneg) TCP_SKB_CB(skb).sacked &= ~TCPCB_SACKED_ACKED;
    else if (sk.net.sysctlInt('net.ipv4.tcp_recovery') & 1 && skb !== head && tcp_rack_skb_timeout(sk, skb, 0) > 0) continue;
    tcp_mark_skb_lost(sk, skb);
  }
}

/** tcp_enter_loss: the retransmission timer fired. */
export function tcp_enter_loss(sk: TcpSock): void {
  const net = sk.net;
  const new_recovery = sk.ca_state === 'Open' || sk.ca_state === 'Disorder' || sk.ca_state === 'CWR';
  tcp_timeout_mark_lost(sk);
  if (sk.ca_state === 'Open' || sk.ca_state === 'Disorder' || !after(sk.high_seq, sk.snd_una) || (sk.ca_state === 'Loss' && !sk.retransmits)) {
    sk.prior_ssthresh = tcp_current_ssthresh(sk);
    sk.prior_cwnd = sk.snd_cwnd;
    sk.snd_ssthresh = sk.ca_ops.ssthresh(sk);
    tcp_ca_event(sk, CA_EVENT_LOSS);
    tcp_init_undo(sk);
  }
  tcp_snd_cwnd_set(sk, tcp_packets_in_flight(sk) + 1);
  sk.snd_cwnd_cnt = 0;
  sk.snd_cwnd_stamp = jiffies_ns(net);
  const reordering = net.sysctlInt('net.ipv4.tcp_reordering');
  if ((sk.ca_state === 'Open' || sk.ca_state === 'Disorder') && sk.sacked_out >= reordering) sk.reordering = Math.min(sk.reordering, reordering);
  tcp_set_ca_state(sk, 'Loss');
  sk.high_seq = sk.snd_nxt;
  sk.tlp_high_seq = 0;
  (sk as any).frto = net.sysctlInt('net.ipv4.tcp_frto') !== 0 && (new_recovery || sk.retransmits > 0);
}

function tcp_process_loss(sk: TcpSock, flag: number, num_dupack: number, rexmit: { v: number }): void {
  const recovered = !before(sk.snd_una, sk.high_seq);
  if (flag & FLAG_SND_UNA_ADVANCED && tcp_try_undo_loss(sk, false)) return;
  if ((sk as any).frto) {
    if (flag & FLAG_ORIG_SACK_ACKED && tcp_try_undo_loss(sk, true)) return;
    if (after(sk.snd_nxt, sk.high_seq)) {
      if (flag & FLAG_DATA_SACKED || num_dupack) (sk as any).frto = false;
    } else if (flag & FLAG_SND_UNA_ADVANCED && !recovered) {
      sk.high_seq = sk.snd_nxt;
      if (sk.write_queue.length && after(tcp_wnd_end(sk), sk.snd_nxt)) {
        rexmit.v = REXMIT_NEW;
        return;
      }
      (sk as any).frto = false;
    }
  }
  if (recovered) {
    tcp_try_undo_recovery(sk);
    return;
  }
  rexmit.v = REXMIT_LOST;
}

function tcp_identify_packet_loss(sk: TcpSock, ack_flag: { v: number }): void {
  if (!sk.rtx_queue.length) return;
  if (!sk.rx_opt.sack_ok) {
    // tcp_newreno_mark_lost
    if ((sk.ca_state !== 'Recovery' && sk.ca_state !== 'Loss' && sk.sacked_out >= sk.reordering) || (sk.ca_state === 'Recovery' && ack_flag.v & FLAG_SND_UNA_ADVANCED)) {
      const head = sk.rtx_queue[0];
      if (!(TCP_SKB_CB(head).sacked & TCPCB_LOST)) tcp_mark_skb_lost(sk, head);
    }
  } else if (sk.net.sysctlInt('net.ipv4.tcp_recovery') & 1) {
    const prior_retrans = sk.retrans_out;
    if (tcp_rack_mark_lost(sk)) ack_flag.v &= ~FLAG_SET_XMIT_TIMER;
    if (prior_retrans > sk.retrans_out) ack_flag.v |= FLAG_LOST_RETRANS;
  }
}

function tcp_time_to_recover(sk: TcpSock): boolean {
  if (sk.lost_out) return true;
  if (!(sk.net.sysctlInt('net.ipv4.tcp_recovery') & 1) && sk.sacked_out + 1 > sk.reordering) return true;
  return false;
}

/** tcp_fastretrans_alert: the loss-recovery state machine. */
function tcp_fastretrans_alert(sk: TcpSock, prior_snd_una: number, num_dupack: number, ack_flag: { v: number }, rexmit: { v: number }): void {
  const flag = ack_flag.v;
  const ece_ack = (flag & FLAG_ECE) !== 0;
  if (!sk.packets_out && sk.sacked_out) sk.sacked_out = 0;
  if (ece_ack) sk.prior_ssthresh = 0;
  // B. SACK reneging
  if (flag & FLAG_SACK_RENEGING && sk.rx_opt.sack_ok) {
    NET_INC_STATS(sk.net, 'TCPSACKReneging');
    const delay = Math.max(sk.srtt_us >> 4, 10000) * 1000;
    inet_csk_reset_xmit_timer(sk, 'RETRANS', delay, TCP_RTO_MAX);
    ack_flag.v &= ~FLAG_SET_XMIT_TIMER;
    return;
  }
  // D. state exit
  if (sk.ca_state === 'Open') sk.retrans_stamp = 0;
  else if (!before(sk.snd_una, sk.high_seq)) {
    if (sk.ca_state === 'CWR') {
      if (sk.snd_una !== sk.high_seq) {
        tcp_end_cwnd_reduction(sk);
        tcp_set_ca_state(sk, 'Open');
      }
    } else if (sk.ca_state === 'Recovery') {
      if (!sk.rx_opt.sack_ok) sk.sacked_out = 0;
      if (tcp_try_undo_recovery(sk)) return;
      tcp_end_cwnd_reduction(sk);
    }
  }
  // E. process state
  switch (sk.ca_state) {
    case 'Recovery': {
      if (!(flag & FLAG_SND_UNA_ADVANCED)) {
        if (!sk.rx_opt.sack_ok) sk.sacked_out = Math.min(sk.sacked_out + num_dupack, sk.packets_out - 1);
      } else if (tcp_try_undo_partial(sk, prior_snd_una)) return;
      if (tcp_try_undo_dsack(sk)) tcp_try_to_open(sk, flag);
      tcp_identify_packet_loss(sk, ack_flag);
      if ((sk.ca_state as CaState) !== 'Recovery') {
        if (!tcp_time_to_recover(sk)) return;
        tcp_enter_recovery(sk, ece_ack);
      }
      break;
    }
    case 'Loss':
    default: {
      if (sk.ca_state === 'Loss') {
        tcp_process_loss(sk, flag, num_dupack, rexmit);
        tcp_identify_packet_loss(sk, ack_flag);
        // Change state if cwnd is undone or retransmits are lost.
        if (!((sk.ca_state as CaState) === 'Open' || ack_flag.v & FLAG_LOST_RETRANS)) return;
      }
      if (!sk.rx_opt.sack_ok) {
        if (flag & FLAG_SND_UNA_ADVANCED) sk.sacked_out = 0;
        sk.sacked_out = Math.min(sk.sacked_out + num_dupack, Math.max(0, sk.packets_out - 1));
      }
      if (sk.ca_state === 'Open' || sk.ca_state === 'Disorder') tcp_try_undo_dsack(sk);
      tcp_identify_packet_loss(sk, ack_flag);
      if (!tcp_time_to_recover(sk)) {
        tcp_try_to_open(sk, flag);
        return;
      }
      tcp_enter_recovery(sk, ece_ack);
    }
  }
  rexmit.v = REXMIT_LOST;
}

function tcp_process_tlp_ack(sk: TcpSock, ack: number, flag: number): void {
  if (before(ack, sk.tlp_high_seq)) return;
  if (!sk.tlp_retrans) sk.tlp_high_seq = 0;
  else if (flag & FLAG_DSACK_TLP) sk.tlp_high_seq = 0;
  else if (after(ack, sk.tlp_high_seq)) {
    tcp_init_cwnd_reduction(sk);
    tcp_set_ca_state(sk, 'CWR');
    tcp_end_cwnd_reduction(sk);
    tcp_try_keep_open(sk);
    NET_INC_STATS(sk.net, 'TCPLossProbeRecovery');
  } else if (!(flag & (FLAG_SND_UNA_ADVANCED | FLAG_NOT_DUP | FLAG_DATA_SACKED))) sk.tlp_high_seq = 0;
}

function tcp_cong_control(sk: TcpSock, ack: number, acked_sacked: number, flag: number, rs: RateSample): void {
  if (sk.ca_ops.cong_control) {
    sk.ca_ops.cong_control(sk, ack, flag, rs);
    return;
  }
  if (tcp_in_cwnd_reduction(sk)) tcp_cwnd_reduction(sk, acked_sacked, rs.losses, flag);
  else {
    const may_raise = sk.reordering > sk.net.sysctlInt('net.ipv4.tcp_reordering') ? flag & FLAG_FORWARD_PROGRESS : flag & FLAG_DATA_ACKED;
    if (may_raise) {
      sk.ca_ops.cong_avoid?.(sk, ack, acked_sacked);
      sk.snd_cwnd_stamp = jiffies_ns(sk.net);
    }
  }
  tcp_update_pacing_rate(sk);
}

function tcp_ack_probe(sk: TcpSock): void {
  const head = sk.write_queue[0];
  if (!head) return;
  if (!after(TCP_SKB_CB(head).end_seq, tcp_wnd_end(sk))) {
    sk.backoff = 0;
    sk.probes_tstamp = 0;
    if (sk.pending === 'PROBE0') inet_csk_clear_xmit_timer(sk, 'RETRANS');
  } else tcp_reset_xmit_timer(sk, 'PROBE0', tcp_probe0_when(sk, TCP_RTO_MAX), TCP_RTO_MAX);
}

/** tcp_send_challenge_ack (RFC 5961), per-socket rate limited by tcp_invalid_ratelimit. */
export function tcp_send_challenge_ack(sk: TcpSock): void {
  const net = sk.net;
  const now = net.now();
  const limit = net.sysctlInt('net.ipv4.tcp_invalid_ratelimit') * 1e6;
  const last = (sk as any).last_oow_ack_time as number | undefined;
  if (last !== undefined && now - last < limit) {
    NET_INC_STATS(net, 'TCPACKSkippedChallenge');
    return;
  }
  (sk as any).last_oow_ack_time = now;
  NET_INC_STATS(net, 'TCPChallengeACK');
  tcp_send_ack(sk);
}

/** tcp_ack: everything an acknowledgement does. Returns > 0 if it was
 * acceptable, 0 for an old ACK, a negative drop reason otherwise. */
export function tcp_ack(sk: TcpSock, skb: SkBuff, seg: RcvSeg, flag0: number): number | DropReason {
  const rs = new_rate_sample();
  const sack: SackState = { first_sackt: 0, last_sackt: 0, rate: rs, sack_delivered: 0, reord: sk.snd_nxt };
  const prior_snd_una = sk.snd_una;
  const is_sack_reneg = sk.is_sack_reneg;
  const ack_seq = seg.seq;
  const ack = seg.ack_seq;
  let num_dupack = 0;
  const prior_packets = sk.packets_out;
  const delivered0 = sk.delivered;
  const lost0 = sk.lost;
  const rexmit = { v: REXMIT_NONE };
  const f = { v: flag0 };
  void skb;

  if (before(ack, prior_snd_una)) {
    const max_window = Math.min(sk.max_window, sk.bytes_acked);
    if (before(ack, (prior_snd_una - max_window) >>> 0)) {
      if (!(f.v & FLAG_NO_CHALLENGE_ACK)) tcp_send_challenge_ack(sk);
      return 'TCP_OLD_ACK';
    }
    // old_ack
    if (f.v & FLAG_UPDATE_TS_RECENT) tcp_replace_ts_recent(sk, seg.seq);
    if (seg.opt.sacks.length) {
      f.v |= tcp_sacktag_write_queue(sk, seg, prior_snd_una, sack);
      tcp_fastretrans_alert(sk, prior_snd_una, num_dupack, f, rexmit);
      tcp_newly_delivered(sk, delivered0, f.v);
      tcp_xmit_recovery(sk, rexmit.v);
    }
    return 0;
  }
  if (after(ack, sk.snd_nxt)) return 'TCP_ACK_UNSENT_DATA';
  if (after(ack, prior_snd_una)) {
    f.v |= FLAG_SND_UNA_ADVANCED;
    sk.retransmits = 0;
  }
  const prior_fack = sk.rx_opt.sack_ok ? tcp_highest_sack_seq(sk) : sk.snd_una;
  rs.prior_in_flight = tcp_packets_in_flight(sk);
  if (f.v & FLAG_UPDATE_TS_RECENT) tcp_replace_ts_recent(sk, seg.seq);
  if ((f.v & (FLAG_SLOWPATH | FLAG_SND_UNA_ADVANCED)) === FLAG_SND_UNA_ADVANCED) {
    sk.snd_wl1 = ack_seq;
    tcp_snd_una_update(sk, ack);
    f.v |= FLAG_WIN_UPDATE;
    NET_INC_STATS(sk.net, 'TCPHPAcks');
  } else {
    if (ack_seq !== seg.end_seq) f.v |= FLAG_DATA;
    else NET_INC_STATS(sk.net, 'TCPPureAcks');
    f.v |= tcp_ack_update_window(sk, seg, ack, ack_seq);
    if (seg.opt.sacks.length) f.v |= tcp_sacktag_write_queue(sk, seg, prior_snd_una, sack);
    if (sack.sack_delivered) sk.delivered += sack.sack_delivered;
  }
  sk.err_soft = null;
  sk.probes_out = 0;
  (sk as any).rcv_tstamp = jiffies_ns(sk.net);
  if (!prior_packets) {
    // no_queue
    if (f.v & FLAG_DSACKING_ACK) {
      tcp_fastretrans_alert(sk, prior_snd_una, num_dupack, f, rexmit);
      tcp_newly_delivered(sk, delivered0, f.v);
    }
    tcp_ack_probe(sk);
    if (sk.tlp_high_seq) tcp_process_tlp_ack(sk, ack, f.v);
    return 1;
  }
  f.v |= tcp_clean_rtx_queue(sk, prior_fack, prior_snd_una, sack);
  tcp_rack_update_reo_wnd(sk, rs.prior_delivered);
  if (sk.tlp_high_seq) tcp_process_tlp_ack(sk, ack, f.v);
  if (!(f.v & FLAG_NOT_DUP) || f.v & FLAG_CA_ALERT || sk.ca_state !== 'Open') {
    if (!(f.v & (FLAG_SND_UNA_ADVANCED | FLAG_NOT_DUP | FLAG_DSACKING_ACK))) num_dupack = 1;
    tcp_fastretrans_alert(sk, prior_snd_una, num_dupack, f, rexmit);
  }
  if (f.v & FLAG_SET_XMIT_TIMER) {
    if (!tcp_schedule_loss_probe(sk, true)) tcp_rearm_rto(sk);
  }
  const delivered = tcp_newly_delivered(sk, delivered0, f.v);
  const lost = sk.lost - lost0;
  rs.is_ack_delayed = (f.v & FLAG_ACK_MAYBE_DELAYED) !== 0;
  tcp_rate_gen(sk, delivered, lost, is_sack_reneg, rs);
  tcp_cong_control(sk, ack, delivered, f.v, rs);
  tcp_xmit_recovery(sk, rexmit.v);
  return 1;
}

function tcp_newly_delivered(sk: TcpSock, prior_delivered: number, _flag: number): number {
  const d = sk.delivered - prior_delivered;
  if (d) NET_INC_STATS(sk.net, 'TCPDelivered', d);
  return d;
}

function tcp_xmit_recovery(sk: TcpSock, rexmit: number): void {
  if (rexmit === REXMIT_NONE || sk.state === 'SYN_SENT') return;
  if (rexmit === REXMIT_NEW) {
    __tcp_push_pending_frames(sk, tcp_current_mss(sk), TCP_NAGLE_OFF);
    if (after(sk.snd_nxt, sk.high_seq)) return;
    (sk as any).frto = false;
  }
  tcp_xmit_retransmit_queue(sk);
}

// ---- incoming data --------------------------------------------------------------------------

function tcp_dsack_set(sk: TcpSock, seq: number, end_seq: number): void {
  if (sk.rx_opt.sack_ok && sk.net.sysctlInt('net.ipv4.tcp_dsack')) {
    NET_INC_STATS(sk.net, before(seq, sk.rcv_nxt) ? 'TCPDSACKOldSent' : 'TCPDSACKOfoSent');
    sk.rx_opt.dsack = true;
    sk.duplicate_sack = [seq, end_seq];
  }
}

function tcp_sack_extend(sp: [number, number], seq: number, end_seq: number): boolean {
  if (!after(seq, sp[1]) && !after(sp[0], end_seq)) {
    if (before(seq, sp[0])) sp[0] = seq;
    if (after(end_seq, sp[1])) sp[1] = end_seq;
    return true;
  }
  return false;
}

function tcp_dsack_extend(sk: TcpSock, seq: number, end_seq: number): void {
  if (!sk.rx_opt.dsack || !sk.duplicate_sack) tcp_dsack_set(sk, seq, end_seq);
  else tcp_sack_extend(sk.duplicate_sack, seq, end_seq);
}

/** tcp_sack_new_ofo_skb: the block for new out-of-order data goes first. */
function tcp_sack_new_ofo_skb(sk: TcpSock, seq: number, end_seq: number): void {
  const sacks = sk.selective_acks;
  for (let i = 0; i < sacks.length; i++) {
    if (tcp_sack_extend(sacks[i], seq, end_seq)) {
      const [b] = sacks.splice(i, 1);
      sacks.unshift(b);
      // tcp_sack_maybe_coalesce
      for (let j = 1; j < sacks.length; ) {
        if (tcp_sack_extend(sacks[0], sacks[j][0], sacks[j][1])) sacks.splice(j, 1);
        else j++;
      }
      return;
    }
  }
  if (sacks.length >= TCP_NUM_SACKS) sacks.pop();
  sacks.unshift([seq, end_seq]);
}

function tcp_sack_remove(sk: TcpSock): void {
  if (!sk.ofo_queue.length) {
    sk.selective_acks.length = 0;
    return;
  }
  for (let i = 0; i < sk.selective_acks.length; ) {
    if (!before(sk.rcv_nxt, sk.selective_acks[i][0])) sk.selective_acks.splice(i, 1);
    else i++;
  }
}

/** tcp_queue_rcv: data at the tail of the receive queue. */
function tcp_queue_rcv(sk: TcpSock, skb: SkBuff): void {
  const cb = TCP_SKB_CB(skb);
  const tail = sk.receive_queue[sk.receive_queue.length - 1];
  if (tail && TCP_SKB_CB(tail).end_seq === cb.seq && !(TCP_SKB_CB(tail).tcp_flags & TCPHDR_FIN)) NET_INC_STATS(sk.net, 'TCPRcvCoalesce');
  tcp_rcv_nxt_update(sk, cb.end_seq);
  tcp_rmem_charge(sk, skb);
  sk.receive_queue.push(skb);
}

/** tcp_ofo_queue: move what the new data made contiguous into the receive queue. */
function tcp_ofo_queue(sk: TcpSock): void {
  let dsack_high = sk.rcv_nxt;
  while (sk.ofo_queue.length) {
    const skb = sk.ofo_queue[0];
    const cb = TCP_SKB_CB(skb);
    if (after(cb.seq, sk.rcv_nxt)) break;
    if (before(cb.seq, dsack_high)) {
      let dsack = dsack_high;
      if (before(cb.end_seq, dsack_high)) dsack = cb.end_seq;
      tcp_dsack_extend(sk, cb.seq, dsack);
    }
    sk.ofo_queue.shift();
    tcp_rmem_uncharge(sk, skb);
    if (!after(cb.end_seq, sk.rcv_nxt)) {
      kfree_skb(skb, 'TCP_OFO_DROP', 'tcp_ofo_queue');
      continue;
    }
    if (before(cb.seq, sk.rcv_nxt)) {
      skb.skb_pull(Math.min(skb.len, (sk.rcv_nxt - cb.seq) >>> 0));
      cb.seq = sk.rcv_nxt;
    }
    const fin = (cb.tcp_flags & TCPHDR_FIN) !== 0;
    tcp_queue_rcv(sk, skb);
    dsack_high = sk.rcv_nxt;
    if (fin) {
      tcp_fin(sk);
      break;
    }
  }
}

/** tcp_data_queue_ofo: keep out-of-order data sorted, SACK it, ACK at once. */
function tcp_data_queue_ofo(sk: TcpSock, skb: SkBuff): void {
  const cb = TCP_SKB_CB(skb);
  const net = sk.net;
  if (sk.rmem_alloc > sk.rcvbuf) {
    NET_INC_STATS(net, 'TCPOFODrop');
    kfree_skb(skb, 'PROTO_MEM', 'tcp_data_queue_ofo');
    return;
  }
  (sk as any).pred_flags = null;
  inet_csk_schedule_ack(sk);
  sk.rcv_ooopack++;
  NET_INC_STATS(net, 'TCPOFOQueue');
  const q = sk.ofo_queue;
  // Find the place; drop what is already covered, trim what overlaps.
  let i = q.length;
  while (i > 0 && after(TCP_SKB_CB(q[i - 1]).seq, cb.seq)) i--;
  if (i > 0) {
    const prev = TCP_SKB_CB(q[i - 1]);
    if (!after(cb.end_seq, prev.end_seq)) {
      NET_INC_STATS(net, 'TCPOFOMerge');
      tcp_dsack_set(sk, cb.seq, cb.end_seq);
      kfree_skb(skb, 'TCP_OFOMERGE', 'tcp_data_queue_ofo');
      tcp_sack_new_ofo_skb(sk, cb.seq, cb.end_seq);
      return;
    }
  }
  while (i < q.length && !after(TCP_SKB_CB(q[i]).end_seq, cb.end_seq)) {
    const old = q.splice(i, 1)[0];
    tcp_dsack_extend(sk, TCP_SKB_CB(old).seq, TCP_SKB_CB(old).end_seq);
    NET_INC_STATS(net, 'TCPOFOMerge');
    tcp_rmem_uncharge(sk, old);
    kfree_skb(old, 'TCP_OFOMERGE', 'tcp_data_queue_ofo');
  }
  q.splice(i, 0, skb);
  tcp_rmem_charge(sk, skb);
  if (sk.rx_opt.sack_ok) tcp_sack_new_ofo_skb(sk, cb.seq, cb.end_seq);
  if (skb.len >= 128) tcp_grow_window(sk, skb);
}

/** tcp_fin: the peer is done sending. */
export function tcp_fin(sk: TcpSock): void {
  inet_csk_schedule_ack(sk);
  sk.shutdown |= RCV_SHUTDOWN;
  sk.done = true;
  switch (sk.state) {
    case 'SYN_RECV':
    case 'ESTABLISHED':
      tcp_set_state(sk, 'CLOSE_WAIT');
      inet_csk_enter_pingpong_mode(sk);
      break;
    case 'CLOSE_WAIT':
    case 'CLOSING':
    case 'LAST_ACK':
      break;
    case 'FIN_WAIT1':
      tcp_send_ack(sk);
      tcp_set_state(sk, 'CLOSING');
      break;
    case 'FIN_WAIT2':
      tcp_send_ack(sk);
      tcp_time_wait(sk, 'TIME_WAIT', 0);
      break;
  }
  while (sk.ofo_queue.length) {
    const s = sk.ofo_queue.shift()!;
    tcp_rmem_uncharge(sk, s);
    kfree_skb(s, 'TCP_OFO_DROP', 'tcp_fin');
  }
  if (sk.rx_opt.sack_ok) sk.selective_acks.length = 0;
  if (!sk.dead) sk.wake();
}

/** tcp_data_queue: in order to the receive queue, else out of order or dropped. Consumes skb. */
function tcp_data_queue(sk: TcpSock, skb: SkBuff, seg: RcvSeg): void {
  const cb = TCP_SKB_CB(skb);
  if (cb.seq === cb.end_seq) {
    consume_skb(skb, 'tcp_data_queue');
    return;
  }
  skb.skb_pull(seg.doff * 4);
  skb.dst = null;
  sk.rx_opt.dsack = false;
  let reason: DropReason = 'NOT_SPECIFIED';
  const queue_and_out = (): void => {
    // tcp_try_rmem_schedule: over the receive buffer, the new data is dropped.
    if (sk.rmem_alloc > sk.rcvbuf && sk.receive_queue.length && skb.len) {
      sk.ack.pending |= ICSK_ACK_NOW;
      inet_csk_schedule_ack(sk);
      sk.wake();
      NET_INC_STATS(sk.net, 'TCPRcvQDrop');
      kfree_skb(skb, 'PROTO_MEM', 'tcp_data_queue');
      return;
    }
    const len = skb.len;
    const fin = (cb.tcp_flags & TCPHDR_FIN) !== 0;
    tcp_queue_rcv(sk, skb);
    if (len) tcp_event_data_recv(sk, skb, seg);
    if (fin) tcp_fin(sk);
    if (sk.ofo_queue.length) {
      tcp_ofo_queue(sk);
      if (!sk.ofo_queue.length) sk.ack.pending |= ICSK_ACK_NOW;
    }
    if (sk.selective_acks.length) tcp_sack_remove(sk);
    tcp_fast_path_check(sk);
    if (!sk.dead) sk.wake();
  };
  if (cb.seq === sk.rcv_nxt) {
    if (tcp_receive_window(sk) === 0) {
      if (!skb.len && cb.tcp_flags & TCPHDR_FIN) return queue_and_out();
      NET_INC_STATS(sk.net, 'TCPZeroWindowDrop');
      return out_of_window(sk, skb, 'TCP_ZEROWINDOW');
    }
    return queue_and_out();
  }
  if (!after(cb.end_seq, sk.rcv_nxt)) {
    // A retransmission of what we have: D-SACK it and ACK at once.
    NET_INC_STATS(sk.net, 'DelayedACKLost');
    tcp_dsack_set(sk, cb.seq, cb.end_seq);
    return out_of_window(sk, skb, 'TCP_OLD_DATA');
  }
  if (!before(cb.seq, (sk.rcv_nxt + tcp_receive_window(sk)) >>> 0)) return out_of_window(sk, skb, 'TCP_OVERWINDOW');
  if (before(cb.seq, sk.rcv_nxt)) {
    tcp_dsack_set(sk, cb.seq, sk.rcv_nxt);
    if (!tcp_receive_window(sk)) {
      NET_INC_STATS(sk.net, 'TCPZeroWindowDrop');
      return out_of_window(sk, skb, 'TCP_ZEROWINDOW');
    }
    skb.skb_pull(Math.min(skb.len, (sk.rcv_nxt - cb.seq) >>> 0));
    cb.seq = sk.rcv_nxt;
    return queue_and_out();
  }
  void reason;
  tcp_data_queue_ofo(sk, skb);
}

function out_of_window(sk: TcpSock, skb: SkBuff, reason: DropReason): void {
  tcp_enter_quickack_mode(sk, TCP_MAX_QUICKACKS);
  inet_csk_schedule_ack(sk);
  sk.drops++;
  kfree_skb(skb, reason, 'tcp_data_queue');
}

// ---- when to ACK, when to send ------------------------------------------------------------

/** __tcp_ack_snd_check: now (two segments' worth, quick ACK mode, a state
 * that demands it, out-of-order data) or later (delayed ACK). */
function __tcp_ack_snd_check(sk: TcpSock, ofo_possible: boolean): void {
  if (
    (((sk.rcv_nxt - sk.rcv_wup) >>> 0) > sk.ack.rcv_mss && (((sk.rcv_nxt - sk.copied_seq) >>> 0) < 1 || __tcp_select_window(sk) >= sk.rcv_wnd)) ||
    tcp_in_quickack_mode(sk) ||
    sk.ack.pending & ICSK_ACK_NOW
  ) {
    tcp_send_ack(sk);
    return;
  }
  if (!ofo_possible || !sk.ofo_queue.length) {
    tcp_send_delayed_ack(sk);
    return;
  }
  tcp_send_ack(sk);
}

export function tcp_ack_snd_check(sk: TcpSock): void {
  if (!inet_csk_ack_scheduled(sk)) return;
  __tcp_ack_snd_check(sk, true);
}

/** tcp_data_snd_check: the ACK may have opened the windows. */
export function tcp_data_snd_check(sk: TcpSock): void {
  tcp_push_pending_frames(sk);
  tcp_check_space(sk);
}

/** tcp_check_space / tcp_new_space: room in the send buffer wakes the writer. */
export function tcp_check_space(sk: TcpSock): void {
  if ((sk as any).queue_shrunk) {
    (sk as any).queue_shrunk = false;
    if (sk.state === 'ESTABLISHED' || sk.state === 'CLOSE_WAIT') {
      if (!(sk.userlocks & 1) && !(sk.ca_state !== 'Open' && sk.ca_state !== 'Disorder') && tcp_packets_in_flight(sk) < sk.snd_cwnd) tcp_sndbuf_expand(sk);
    }
    sk_stream_write_space(sk);
  }
}

// ---- the established state ----------------------------------------------------------------

/** tcp_validate_incoming: PAWS, sequence window, RST and SYN checks (RFC 793, 5961, 7323). */
function tcp_validate_incoming(sk: TcpSock, skb: SkBuff, seg: RcvSeg, syn_inerr: boolean): boolean {
  const net = sk.net;
  const th = seg.flags;
  const drop = (reason: DropReason) => {
    sk.drops++;
    kfree_skb(skb, reason, 'tcp_validate_incoming');
    return false;
  };
  const syn_challenge = () => {
    if (syn_inerr) TCP_INC_STATS(net, 'InErrs');
    NET_INC_STATS(net, 'TCPSYNChallenge');
    tcp_send_challenge_ack(sk);
    return drop('TCP_FLAGS');
  };
  if (sk.rx_opt.saw_tstamp && tcp_paws_discard(sk, seg)) {
    if (!(th & TCPHDR_RST)) {
      if (th & TCPHDR_SYN) return syn_challenge();
      NET_INC_STATS(net, 'PAWSEstab');
      tcp_send_dupack(sk, seg);
      return drop('TCP_RFC7323_PAWS');
    }
  }
  // tcp_sequence
  let bad: DropReason | null = null;
  if (before(seg.end_seq, sk.rcv_wup)) bad = 'TCP_OLD_SEQUENCE';
  else if (after(seg.seq, (sk.rcv_nxt + tcp_receive_window(sk)) >>> 0)) bad = 'TCP_INVALID_SEQUENCE';
  if (bad) {
    if (!(th & TCPHDR_RST)) {
      if (th & TCPHDR_SYN) return syn_challenge();
      tcp_send_dupack(sk, seg);
    }
    return drop(bad);
  }
  if (th & TCPHDR_RST) {
    if (seg.seq === sk.rcv_nxt) {
      tcp_reset(sk);
      consume_skb(skb, 'tcp_validate_incoming');
      return false;
    }
    tcp_send_challenge_ack(sk);
    return drop('TCP_RESET');
  }
  if (th & TCPHDR_SYN) {
    if (sk.state === 'SYN_RECV' && th & TCPHDR_ACK && ((seg.seq + 1) >>> 0) === seg.end_seq && ((seg.seq + 1) >>> 0) === sk.rcv_nxt && seg.ack_seq === sk.snd_nxt) return true;
    return syn_challenge();
  }
  return true;
}

/** tcp_send_dupack: an unacceptable segment gets an ACK (D-SACK for old data). */
function tcp_send_dupack(sk: TcpSock, seg: RcvSeg): void {
  if (seg.end_seq !== seg.seq && before(seg.seq, sk.rcv_nxt)) {
    NET_INC_STATS(sk.net, 'DelayedACKLost');
    tcp_enter_quickack_mode(sk, TCP_MAX_QUICKACKS);
    if (sk.rx_opt.sack_ok && sk.net.sysctlInt('net.ipv4.tcp_dsack')) {
      let end_seq = seg.end_seq;
      if (after(end_seq, sk.rcv_nxt)) end_seq = sk.rcv_nxt;
      tcp_dsack_set(sk, seg.seq, end_seq);
    }
  }
  tcp_send_ack(sk);
}

function copy_opts(sk: TcpSock, seg: RcvSeg): void {
  sk.rx_opt.saw_tstamp = seg.opt.saw_tstamp;
  if (seg.opt.saw_tstamp) {
    sk.rx_opt.rcv_tsval = seg.opt.rcv_tsval;
    sk.rx_opt.rcv_tsecr = seg.opt.rcv_tsecr;
  }
}

/** tcp_rcv_established: header prediction for the common cases, else the slow path. Consumes skb. */
export function tcp_rcv_established(sk: TcpSock, skb: SkBuff, seg: RcvSeg): void {
  tcp_mstamp_refresh(sk);
  copy_opts(sk, seg);
  const len = skb.len;
  const pred = (sk as any).pred_flags as { hlen: number; win: number } | null;
  if (pred && seg.doff * 4 === pred.hlen && (seg.flags & ~TCPHDR_PSH) === TCPHDR_ACK && seg.window === pred.win && seg.seq === sk.rcv_nxt && !after(seg.ack_seq, sk.snd_nxt)) {
    const hl = sk.tcp_header_len;
    let fast = true;
    if (hl === TCP_HLEN + TCPOLEN_TSTAMP_ALIGNED) {
      if (!seg.opt.saw_tstamp || ((sk.rx_opt.rcv_tsval - sk.rx_opt.ts_recent) | 0) < 0) fast = false;
    }
    if (fast) {
      if (len <= hl) {
        if (len === hl) {
          if (hl === TCP_HLEN + TCPOLEN_TSTAMP_ALIGNED && sk.rcv_nxt === sk.rcv_wup) tcp_store_ts_recent(sk);
          tcp_ack(sk, skb, seg, 0);
          consume_skb(skb, 'tcp_rcv_established');
          tcp_data_snd_check(sk);
          (sk as any).rcv_rtt_last_tsecr = sk.rx_opt.rcv_tsecr;
          return;
        }
        TCP_INC_STATS(sk.net, 'InErrs');
        kfree_skb(skb, 'PKT_TOO_SMALL', 'tcp_rcv_established');
        return;
      }
      // Only when the page reservation already covers it (else step5: the slow path).
      if (skb.truesize <= sk.forward_alloc) {
        if (hl === TCP_HLEN + TCPOLEN_TSTAMP_ALIGNED && sk.rcv_nxt === sk.rcv_wup) tcp_store_ts_recent(sk);
        tcp_rcv_rtt_measure_ts(sk, seg);
        NET_INC_STATS(sk.net, 'TCPHPHits');
        skb.dst = null;
        skb.skb_pull(hl);
        tcp_queue_rcv(sk, skb);
        tcp_event_data_recv(sk, skb, seg);
        let ack_sched = true;
        if (seg.ack_seq !== sk.snd_una) {
          tcp_ack(sk, skb, seg, FLAG_DATA);
          tcp_data_snd_check(sk);
          ack_sched = inet_csk_ack_scheduled(sk);
        } else sk.snd_wl1 = seg.seq;
        if (ack_sched) __tcp_ack_snd_check(sk, false);
        sk.wake();
        return;
      }
    }
  }
  // slow path
  if (!(seg.flags & (TCPHDR_ACK | TCPHDR_RST | TCPHDR_SYN))) {
    kfree_skb(skb, 'TCP_FLAGS', 'tcp_rcv_established');
    return;
  }
  if (!tcp_validate_incoming(sk, skb, seg, true)) return;
  const r = tcp_ack(sk, skb, seg, FLAG_SLOWPATH | FLAG_UPDATE_TS_RECENT);
  if (typeof r === 'string') {
    sk.drops++;
    kfree_skb(skb, r, 'tcp_rcv_established');
    return;
  }
  tcp_rcv_rtt_measure_ts(sk, seg);
  tcp_data_queue(sk, skb, seg);
  tcp_data_snd_check(sk);
  tcp_ack_snd_check(sk);
}

// ---- connection set-up and the state machine ----------------------------------------------

/** tcp_finish_connect: SYN_SENT -> ESTABLISHED. */
function tcp_finish_connect(sk: TcpSock): void {
  tcp_set_state(sk, 'ESTABLISHED');
  sk.ack.lrcvtime = jiffies_ns(sk.net);
  tcp_init_transfer(sk);
  sk.lsndtime = jiffies_ns(sk.net);
  if (sk.keepalive) inet_csk_reset_keepalive_timer(sk, (sk.keepalive_time || sk.net.sysctlInt('net.ipv4.tcp_keepalive_time')) * 1e9);
  if (!sk.rx_opt.snd_wscale) tcp_fast_path_on(sk);
  else (sk as any).pred_flags = null;
}

/** tcp_rcv_synsent_state_process: our SYN is out; a SYN-ACK completes it, a
 * RST refuses it. Returns >0 to have the caller send a RST, 0 when done,
 * -1 to continue with the ACK-check steps. */
function tcp_rcv_synsent_state_process(sk: TcpSock, skb: SkBuff, seg: RcvSeg): number {
  const net = sk.net;
  const opt = seg.opt;
  if (opt.saw_tstamp && opt.rcv_tsecr) opt.rcv_tsecr = (opt.rcv_tsecr - sk.tsoffset) >>> 0;
  if (seg.flags & TCPHDR_ACK) {
    if (!after(seg.ack_seq, sk.snd_una) || after(seg.ack_seq, sk.snd_nxt)) {
      if (sk.retransmits === 0) inet_csk_reset_xmit_timer(sk, 'RETRANS', TCP_TIMEOUT_MIN, TCP_RTO_MAX);
      kfree_skb(skb, 'TCP_INVALID_ACK_SEQUENCE', 'tcp_rcv_synsent_state_process');
      return 1;
    }
    if (opt.saw_tstamp && opt.rcv_tsecr && !between(opt.rcv_tsecr, Math.floor(sk.retrans_stamp / 1000), tcp_time_stamp_ms(net))) {
      NET_INC_STATS(net, 'PAWSActive');
      kfree_skb(skb, 'TCP_RFC7323_PAWS', 'tcp_rcv_synsent_state_process');
      return 1;
    }
    if (seg.flags & TCPHDR_RST) {
      tcp_reset(sk);
      consume_skb(skb, 'tcp_rcv_synsent_state_process');
      return 0;
    }
    if (!(seg.flags & TCPHDR_SYN)) {
      kfree_skb(skb, 'TCP_FLAGS', 'tcp_rcv_synsent_state_process');
      return 0;
    }
    // The SYN-ACK.
    sk.snd_wl1 = seg.seq;
    sk.rx_opt.saw_tstamp = opt.saw_tstamp;
    sk.rx_opt.rcv_tsval = opt.rcv_tsval;
    sk.rx_opt.rcv_tsecr = (opt.rcv_tsecr + sk.tsoffset) >>> 0;
    // tcp_parse_options: the peer's MSS, unless TCP_MAXSEG asked for less.
    if (opt.mss_clamp) sk.rx_opt.mss_clamp = sk.rx_opt.user_mss && sk.rx_opt.user_mss < opt.mss_clamp ? sk.rx_opt.user_mss : opt.mss_clamp;
    sk.rx_opt.sack_ok = opt.sack_ok && net.sysctlInt('net.ipv4.tcp_sack') !== 0;
    sk.rx_opt.wscale_ok = opt.wscale_ok && net.sysctlInt('net.ipv4.tcp_window_scaling') !== 0;
    if (sk.rx_opt.wscale_ok) sk.rx_opt.snd_wscale = opt.snd_wscale;
    tcp_ack(sk, skb, seg, FLAG_SLOWPATH);
    sk.rcv_nxt = (seg.seq + 1) >>> 0;
    sk.rcv_wup = sk.rcv_nxt;
    sk.snd_wnd = seg.window;
    if (!sk.rx_opt.wscale_ok) {
      sk.rx_opt.snd_wscale = sk.rx_opt.rcv_wscale = 0;
      sk.window_clamp = Math.min(sk.window_clamp, 65535);
    }
    if (opt.saw_tstamp) {
      sk.rx_opt.tstamp_ok = true;
      sk.tcp_header_len = TCP_HLEN + TCPOLEN_TSTAMP_ALIGNED;
      sk.advmss -= TCPOLEN_TSTAMP_ALIGNED;
      tcp_store_ts_recent(sk);
    } else sk.tcp_header_len = TCP_HLEN;
    tcp_sync_mss(sk, sk.pmtu_cookie);
    tcp_initialize_rcv_mss(sk);
    sk.copied_seq = sk.rcv_nxt;
    tcp_finish_connect(sk);
    if (!sk.dead) sk.wake();
    if ((sk as any).write_pending || sk.defer_accept || inet_csk_in_pingpong_mode(sk)) {
      inet_csk_schedule_ack(sk);
      tcp_enter_quickack_mode(sk, TCP_MAX_QUICKACKS);
      sk.ack.pending |= 2;
      sk.ack.timeout = jiffies_ns(net) + TCP_DELACK_MAX;
      sk_reset_timer(net, sk.delack_timer, sk.ack.timeout);
      consume_skb(skb, 'tcp_rcv_synsent_state_process');
      return 0;
    }
    tcp_send_ack(sk);
    consume_skb(skb, 'tcp_rcv_synsent_state_process');
    return 0;
  }
  if (seg.flags & TCPHDR_RST) {
    kfree_skb(skb, 'TCP_RESET', 'tcp_rcv_synsent_state_process');
    return 0;
  }
  if (seg.flags & TCPHDR_SYN) {
    // Simultaneous open (crossed SYNs).
    tcp_set_state(sk, 'SYN_RECV');
    if (opt.saw_tstamp) {
      sk.rx_opt.tstamp_ok = true;
      tcp_store_ts_recent(sk);
      sk.tcp_header_len = TCP_HLEN + TCPOLEN_TSTAMP_ALIGNED;
    } else sk.tcp_header_len = TCP_HLEN;
    sk.rx_opt.sack_ok = opt.sack_ok;
    sk.rx_opt.wscale_ok = opt.wscale_ok;
    if (opt.wscale_ok) sk.rx_opt.snd_wscale = opt.snd_wscale;
    sk.rcv_nxt = (seg.seq + 1) >>> 0;
    sk.rcv_wup = sk.rcv_nxt;
    sk.snd_wnd = seg.window;
    sk.snd_wl1 = seg.seq;
    sk.max_window = sk.snd_wnd;
    tcp_sync_mss(sk, sk.pmtu_cookie);
    tcp_initialize_rcv_mss(sk);
    // tcp_send_synack: SYN|ACK on the queued SYN.
    const syn = sk.rtx_queue[0];
    if (syn) {
      TCP_SKB_CB(syn).tcp_flags |= TCPHDR_ACK;
      tcp_transmit_skb(sk, syn, true);
    }
    consume_skb(skb, 'tcp_rcv_synsent_state_process');
    return 0;
  }
  kfree_skb(skb, 'TCP_FLAGS', 'tcp_rcv_synsent_state_process');
  return 0;
}

/** tcp_rcv_state_process: every state but ESTABLISHED and TIME_WAIT.
 * Returns a drop reason when the caller should answer with a RST. Consumes skb. */
export function tcp_rcv_state_process(sk: TcpSock, skb: SkBuff, seg: RcvSeg, conn_request: (sk: TcpSock, skb: SkBuff, seg: RcvSeg) => void): DropReason | null {
  const net = sk.net;
  const th = seg.flags;
  switch (sk.state) {
    case 'CLOSE':
      kfree_skb(skb, 'TCP_CLOSE', 'tcp_rcv_state_process');
      return null;
    case 'LISTEN':
      if (th & TCPHDR_ACK) {
        kfree_skb(skb, 'TCP_FLAGS', 'tcp_rcv_state_process');
        return 'TCP_FLAGS';
      }
      if (th & TCPHDR_RST) {
        kfree_skb(skb, 'TCP_RESET', 'tcp_rcv_state_process');
        return null;
      }
      if (th & TCPHDR_SYN) {
        if (th & TCPHDR_FIN) {
          kfree_skb(skb, 'TCP_FLAGS', 'tcp_rcv_state_process');
          return null;
        }
        conn_request(sk, skb, seg);
        consume_skb(skb, 'tcp_rcv_state_process');
        return null;
      }
      kfree_skb(skb, 'TCP_FLAGS', 'tcp_rcv_state_process');
      return null;
    case 'SYN_SENT': {
      sk.rx_opt.saw_tstamp = false;
      tcp_mstamp_refresh(sk);
      const q = tcp_rcv_synsent_state_process(sk, skb, seg);
      return q > 0 ? 'TCP_INVALID_ACK_SEQUENCE' : null;
    }
  }
  tcp_mstamp_refresh(sk);
  copy_opts(sk, seg);
  if (!(th & (TCPHDR_ACK | TCPHDR_RST | TCPHDR_SYN))) {
    kfree_skb(skb, 'TCP_FLAGS', 'tcp_rcv_state_process');
    return null;
  }
  if (!tcp_validate_incoming(sk, skb, seg, false)) return null;
  const r = tcp_ack(sk, skb, seg, FLAG_SLOWPATH | FLAG_UPDATE_TS_RECENT | FLAG_NO_CHALLENGE_ACK);
  if (typeof r === 'string' || r <= 0) {
    if (sk.state === 'SYN_RECV') {
      kfree_skb(skb, typeof r === 'string' ? r : 'TCP_OLD_ACK', 'tcp_rcv_state_process');
      return typeof r === 'string' ? r : 'TCP_OLD_ACK';
    }
    if (typeof r === 'string') {
      tcp_send_challenge_ack(sk);
      kfree_skb(skb, r, 'tcp_rcv_state_process');
      return null;
    }
  }
  switch (sk.state) {
    case 'SYN_RECV': {
      sk.delivered++;
      if (!sk.srtt_us) tcp_synack_rtt_meas(sk, (sk as any).synack_stamp ?? 0);
      if (sk.rx_opt.tstamp_ok) sk.advmss -= TCPOLEN_TSTAMP_ALIGNED;
      sk.retrans_stamp = 0;
      tcp_init_transfer(sk);
      sk.copied_seq = sk.rcv_nxt;
      tcp_set_state(sk, 'ESTABLISHED');
      sk.wake();
      sk.snd_una = seg.ack_seq;
      sk.snd_wnd = seg.window * 2 ** sk.rx_opt.snd_wscale;
      sk.snd_wl1 = seg.seq;
      if (!sk.ca_ops.cong_control) tcp_update_pacing_rate(sk);
      sk.lsndtime = jiffies_ns(net);
      tcp_initialize_rcv_mss(sk);
      tcp_fast_path_on(sk);
      if (sk.shutdown & SEND_SHUTDOWN) tcp_shutdown(sk, 1);
      break;
    }
    case 'FIN_WAIT1': {
      if (sk.snd_una !== sk.write_seq) break;
      tcp_set_state(sk, 'FIN_WAIT2');
      sk.shutdown |= SEND_SHUTDOWN;
      if (!sk.dead) {
        sk.wake();
        break;
      }
      if (sk.linger2 < 0) {
        tcp_done(sk);
        NET_INC_STATS(net, 'TCPAbortOnData');
        kfree_skb(skb, 'TCP_ABORT_ON_DATA', 'tcp_rcv_state_process');
        return 'TCP_ABORT_ON_DATA';
      }
      if (seg.end_seq !== seg.seq && after((seg.end_seq - (th & TCPHDR_FIN ? 1 : 0)) >>> 0, sk.rcv_nxt)) {
        tcp_done(sk);
        NET_INC_STATS(net, 'TCPAbortOnData');
        kfree_skb(skb, 'TCP_ABORT_ON_DATA', 'tcp_rcv_state_process');
        return 'TCP_ABORT_ON_DATA';
      }
      const tmo = tcp_fin_time(sk);
      if (tmo > 60e9) inet_csk_reset_keepalive_timer(sk, tmo - 60e9);
      else if (th & TCPHDR_FIN) inet_csk_reset_keepalive_timer(sk, tmo);
      else {
        tcp_time_wait(sk, 'FIN_WAIT2', tmo);
        consume_skb(skb, 'tcp_rcv_state_process');
        return null;
      }
      break;
    }
    case 'CLOSING':
      if (sk.snd_una === sk.write_seq) {
        tcp_time_wait(sk, 'TIME_WAIT', 0);
        consume_skb(skb, 'tcp_rcv_state_process');
        return null;
      }
      break;
    case 'LAST_ACK':
      if (sk.snd_una === sk.write_seq) {
        tcp_done(sk);
        consume_skb(skb, 'tcp_rcv_state_process');
        return null;
      }
      break;
  }
  // step 7: the segment text. In CLOSE_WAIT, CLOSING and LAST_ACK only a
  // retransmission of old data is accepted; after our FIN (FIN_WAIT*) new
  // data once the reader is gone resets the connection (RFC 1122).
  let queued = false;
  const st = sk.state;
  const late = st === 'CLOSE_WAIT' || st === 'CLOSING' || st === 'LAST_ACK';
  if (st === 'ESTABLISHED' || st === 'FIN_WAIT1' || st === 'FIN_WAIT2' || (late && before(seg.seq, sk.rcv_nxt))) {
    if (st !== 'ESTABLISHED' && sk.shutdown & RCV_SHUTDOWN && seg.end_seq !== seg.seq && after((seg.end_seq - (th & TCPHDR_FIN ? 1 : 0)) >>> 0, sk.rcv_nxt)) {
      NET_INC_STATS(net, 'TCPAbortOnData');
      tcp_reset(sk);
      kfree_skb(skb, 'TCP_ABORT_ON_DATA', 'tcp_rcv_state_process');
      return 'TCP_ABORT_ON_DATA';
    }
    tcp_data_queue(sk, skb, seg);
    queued = true;
  }
  if ((sk.state as string) !== 'CLOSE') {
    tcp_data_snd_check(sk);
    tcp_ack_snd_check(sk);
  }
  if (!queued) kfree_skb(skb, 'NOT_SPECIFIED', 'tcp_rcv_state_process');
  return null;
}

/** tcp_fin_time: how long an orphan waits in FIN_WAIT2 (tcp_fin_timeout or TCP_LINGER2), at least 3.5 RTO. */
export function tcp_fin_time(sk: TcpSock): number {
  let fin_timeout = sk.linger2 ? sk.linger2 : sk.net.sysctlInt('net.ipv4.tcp_fin_timeout') * 1e9;
  const rto = sk.rto;
  if (fin_timeout < (rto << 2) - (rto >> 1)) fin_timeout = (rto << 2) - (rto >> 1);
  return fin_timeout;
}

export { TCP_TIMEOUT_INIT, tcp_in_slow_start, tcp_min_rtt };
