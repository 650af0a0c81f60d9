// net/ipv4/tcp_recovery.c: RACK (RFC 8985), Linux's loss detection since
// 4.18: a segment is lost once a segment sent after it was delivered and
// more than an RTT plus a reordering window has passed since it was sent.
// Until reordering has been seen the window is zero once three segments
// were SACKed, which makes it behave like the classic three-dupack rule.
import type { SkBuff } from '../core/skbuff.js';
import { type TcpSock, TCP_SKB_CB, TCPCB_LOST, TCPCB_SACKED_RETRANS, TCPCB_SACKED_ACKED, TCPCB_RETRANS, tcp_packets_in_flight } from './tcp_sock.js';
import { after } from './tcp_hdr.js';
import { tcp_min_rtt } from './tcp_rate.js';
import { inet_csk_reset_xmit_timer } from './inet_connection_sock.js';
import { tcp_xmit_retransmit_queue, tcp_rearm_rto } from './tcp_output.js';
import { tcp_enter_recovery, tcp_cwnd_reduction, tcp_mark_skb_lost } from './tcp_input.js';

const TCP_RACK_RECOVERY_THRESH = 16;
const TCP_TIMEOUT_MIN_US = 2000;

function tcp_rack_reo_wnd(tp: TcpSock): number {
  if (!tp.reord_seen) {
    if (tp.ca_state === 'Recovery' || tp.ca_state === 'Loss') return 0;
    if (tp.sacked_out >= tp.reordering && !(tp.net.sysctlInt('net.ipv4.tcp_recovery') & 4)) return 0;
  }
  return Math.min((tcp_min_rtt(tp) >> 2) * tp.rack.reo_wnd_steps, tp.srtt_us >> 3);
}

export function tcp_rack_skb_timeout(tp: TcpSock, skb: SkBuff, reo_wnd: number): number {
  return tp.rack.rtt_us + reo_wnd - (tp.tcp_mstamp - TCP_SKB_CB(skb).mstamp);
}

function sent_after(t1: number, t2: number, seq1: number, seq2: number): boolean {
  return t1 > t2 || (t1 === t2 && after(seq1, seq2));
}

/** tcp_rack_detect_loss: walk the sent queue in transmission order. Returns the longest wait left (µs). */
function tcp_rack_detect_loss(sk: TcpSock): number {
  let reo_timeout = 0;
  const reo_wnd = tcp_rack_reo_wnd(sk);
  const sent = sk.rtx_queue.filter((s) => !(TCP_SKB_CB(s).sacked & TCPCB_SACKED_ACKED)).sort((a, b) => TCP_SKB_CB(a).mstamp - TCP_SKB_CB(b).mstamp || (after(TCP_SKB_CB(a).end_seq, TCP_SKB_CB(b).end_seq) ? 1 : -1));
  for (const skb of sent) {
    const scb = TCP_SKB_CB(skb);
    if (scb.sacked & TCPCB_LOST && !(scb.sacked & TCPCB_SACKED_RETRANS)) continue;
    if (!sent_after(sk.rack.mstamp, scb.mstamp, sk.rack.end_seq, scb.end_seq)) break;
    const remaining = tcp_rack_skb_timeout(sk, skb, reo_wnd);
    if (remaining <= 0) tcp_mark_skb_lost(sk, skb);
    else reo_timeout = Math.max(reo_timeout, remaining);
  }
  return reo_timeout;
}

/** tcp_rack_mark_lost: returns true when it armed the reordering timer. */
export function tcp_rack_mark_lost(sk: TcpSock): boolean {
  if (!sk.rack.advanced) return false;
  sk.rack.advanced = false;
  const timeout = tcp_rack_detect_loss(sk);
  if (timeout) {
    const t = Math.ceil(((timeout + TCP_TIMEOUT_MIN_US) * 1000) / 4e6) * 4e6;
    inet_csk_reset_xmit_timer(sk, 'REO_TIMEOUT', t, sk.rto);
  }
  return !!timeout;
}

/** tcp_rack_advance: a (S)ACK for a segment sent at xmit_time. */
export function tcp_rack_advance(tp: TcpSock, sacked: number, end_seq: number, xmit_time: number): void {
  const rtt_us = tp.tcp_mstamp - xmit_time;
  if (rtt_us < tcp_min_rtt(tp) && sacked & TCPCB_RETRANS) return;
  tp.rack.advanced = true;
  tp.rack.rtt_us = rtt_us;
  if (sent_after(xmit_time, tp.rack.mstamp, end_seq, tp.rack.end_seq)) {
    tp.rack.mstamp = xmit_time;
    tp.rack.end_seq = end_seq;
  }
}

/** tcp_rack_reo_timeout: the reordering window expired. */
export function tcp_rack_reo_timeout(sk: TcpSock): void {
  const lost = sk.lost;
  const prior_inflight = tcp_packets_in_flight(sk);
  tcp_rack_detect_loss(sk);
  if (prior_inflight !== tcp_packets_in_flight(sk)) {
    if (sk.ca_state !== 'Recovery') {
      tcp_enter_recovery(sk, false);
      if (!sk.ca_ops.cong_control) tcp_cwnd_reduction(sk, 1, sk.lost - lost, 0);
    }
    tcp_xmit_retransmit_queue(sk);
  }
  if (sk.pending !== 'RETRANS') tcp_rearm_rto(sk);
}

/** tcp_rack_update_reo_wnd: D-SACKs widen the reordering window. */
export function tcp_rack_update_reo_wnd(tp: TcpSock, prior_delivered: number): void {
  if (tp.net.sysctlInt('net.ipv4.tcp_recovery') & 2 || !prior_delivered) return;
  if (((prior_delivered - tp.rack.last_delivered) | 0) < 0) tp.rack.dsack_seen = false;
  if (tp.rack.dsack_seen) {
    tp.rack.reo_wnd_steps = Math.min(0xff, tp.rack.reo_wnd_steps + 1);
    tp.rack.dsack_seen = false;
    tp.rack.last_delivered = tp.delivered;
    tp.rack.reo_wnd_persist = TCP_RACK_RECOVERY_THRESH;
  } else if (!tp.rack.reo_wnd_persist) tp.rack.reo_wnd_steps = 1;
}

export { TCP_RACK_RECOVERY_THRESH };
