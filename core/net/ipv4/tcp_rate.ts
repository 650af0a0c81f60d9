// net/ipv4/tcp_rate.c: delivery rate estimation. Each skb remembers how
// much had been delivered when it was sent; an ACK for it yields a sample
// (delivered over the longer of the send and the ACK interval) that BBR and
// `ss -i` (delivery_rate) use.
import type { SkBuff } from '../core/skbuff.js';
import { type TcpSock, type RateSample, TCP_SKB_CB, TCPCB_RETRANS, TCPCB_SACKED_ACKED, tcp_packets_in_flight, skb_truesize_for } from './tcp_sock.js';
import { after } from './tcp_hdr.js';

export function new_rate_sample(): RateSample {
  return { prior_mstamp: 0, prior_delivered: 0, delivered: 0, interval_us: 0, snd_interval_us: 0, rcv_interval_us: 0, rtt_us: -1, losses: 0, acked_sacked: 0, prior_in_flight: 0, last_end_seq: 0, is_app_limited: false, is_retrans: false, is_ack_delayed: false };
}

/** tcp_rate_skb_sent: snapshot the delivery state into the skb. */
export function tcp_rate_skb_sent(tp: TcpSock, skb: SkBuff): void {
  const scb = TCP_SKB_CB(skb);
  if (!tp.packets_out) {
    tp.first_tx_mstamp = scb.mstamp;
    tp.delivered_mstamp = scb.mstamp;
  }
  scb.tx_first_tx_mstamp = tp.first_tx_mstamp;
  scb.tx_delivered_mstamp = tp.delivered_mstamp;
  scb.tx_delivered = tp.delivered;
  scb.tx_is_app_limited = tp.app_limited !== 0;
}

/** tcp_skb_sent_after. */
function tcp_skb_sent_after(t1: number, t2: number, seq1: number, seq2: number): boolean {
  return t1 > t2 || (t1 === t2 && after(seq1, seq2));
}

/** tcp_rate_skb_delivered: the most recently sent of the newly delivered skbs sets the sample. */
export function tcp_rate_skb_delivered(tp: TcpSock, skb: SkBuff, rs: RateSample): void {
  const scb = TCP_SKB_CB(skb);
  if (!scb.tx_delivered_mstamp) return;
  const tx = scb.mstamp;
  if (!rs.prior_delivered || tcp_skb_sent_after(tx, tp.first_tx_mstamp, scb.end_seq, rs.last_end_seq)) {
    rs.prior_delivered = scb.tx_delivered;
    rs.prior_mstamp = scb.tx_delivered_mstamp;
    rs.is_app_limited = scb.tx_is_app_limited;
    rs.is_retrans = (scb.sacked & TCPCB_RETRANS) !== 0;
    rs.last_end_seq = scb.end_seq;
    tp.first_tx_mstamp = tx;
    rs.interval_us = tx - scb.tx_first_tx_mstamp;
  }
  if (scb.sacked & TCPCB_SACKED_ACKED) scb.tx_delivered_mstamp = 0;
}

/** tcp_min_rtt. */
export function tcp_min_rtt(tp: TcpSock): number {
  return tp.rtt_min.s[0].v;
}

/** tcp_rate_gen: finish the sample of one ACK. */
export function tcp_rate_gen(tp: TcpSock, delivered: number, lost: number, is_sack_reneg: boolean, rs: RateSample): void {
  if (tp.app_limited && after(tp.delivered, tp.app_limited)) tp.app_limited = 0;
  if (delivered) tp.delivered_mstamp = tp.tcp_mstamp;
  rs.acked_sacked = delivered;
  rs.losses = lost;
  if (!rs.prior_mstamp || is_sack_reneg) {
    rs.delivered = -1;
    rs.interval_us = -1;
    return;
  }
  rs.delivered = tp.delivered - rs.prior_delivered;
  const snd_us = rs.interval_us;
  const ack_us = tp.tcp_mstamp - rs.prior_mstamp;
  rs.interval_us = Math.max(snd_us, ack_us);
  rs.snd_interval_us = snd_us;
  rs.rcv_interval_us = ack_us;
  if (rs.interval_us < tcp_min_rtt(tp)) {
    rs.interval_us = -1;
    return;
  }
  if (!rs.is_app_limited || rs.delivered * tp.rate_interval_us >= tp.rate_delivered * rs.interval_us) {
    tp.rate_delivered = rs.delivered;
    tp.rate_interval_us = rs.interval_us;
    tp.rate_app_limited = rs.is_app_limited;
  }
}

/** tcp_rate_check_app_limited: the application, not the network, limits us. */
export function tcp_rate_check_app_limited(tp: TcpSock): void {
  if (((tp.write_seq - tp.snd_nxt) >>> 0) < tp.mss_cache && tp.wmem_tx < skb_truesize_for(1) && tcp_packets_in_flight(tp) < tp.snd_cwnd && tp.lost_out <= tp.retrans_out)
    tp.app_limited = tp.delivered + tcp_packets_in_flight(tp) || 1;
}

/** lib/win_minmax.c: Kathleen Nichols' windowed max/min over three samples. */
export interface MinMax {
  s: { t: number; v: number }[];
}

export function minmax_reset(m: MinMax, t: number, meas: number): number {
  m.s = [
    { t, v: meas },
    { t, v: meas },
    { t, v: meas },
  ];
  return meas;
}

function minmax_subwin_update(m: MinMax, win: number, val: { t: number; v: number }): number {
  const dt = val.t - m.s[0].t;
  if (dt > win) {
    m.s[0] = m.s[1];
    m.s[1] = m.s[2];
    m.s[2] = val;
    if (val.t - m.s[0].t > win) {
      m.s[0] = m.s[1];
      m.s[1] = m.s[2];
      m.s[2] = val;
    }
  } else if (m.s[1].t === m.s[0].t && dt > win / 4) m.s[2] = m.s[1] = val;
  else if (m.s[2].t === m.s[1].t && dt > win / 2) m.s[2] = val;
  return m.s[0].v;
}

export function minmax_running_max(m: MinMax, win: number, t: number, meas: number): number {
  const val = { t, v: meas };
  if (val.v >= m.s[0].v || val.t - m.s[2].t > win) return minmax_reset(m, t, meas);
  if (val.v >= m.s[1].v) m.s[2] = m.s[1] = val;
  else if (val.v >= m.s[2].v) m.s[2] = val;
  return minmax_subwin_update(m, win, val);
}

export function minmax_running_min(m: MinMax, win: number, t: number, meas: number): number {
  const val = { t, v: meas };
  if (val.v <= m.s[0].v || val.t - m.s[2].t > win) return minmax_reset(m, t, meas);
  if (val.v <= m.s[1].v) m.s[2] = m.s[1] = val;
  else if (val.v <= m.s[2].v) m.s[2] = val;
  return minmax_subwin_update(m, win, val);
}
