// net/ipv4/tcp_bbr.c: BBR (v1), the oracle namespace's default congestion
// control. It models the path as a bottleneck bandwidth (windowed max of
// delivery-rate samples over 10 rounds) and a min RTT (10 s window), paces
// at pacing_gain x bw and caps inflight at cwnd_gain x BDP, cycling through
// STARTUP, DRAIN, PROBE_BW (gain cycle 1.25, 0.75, 1 x6) and PROBE_RTT.
// It needs pacing: with no fq qdisc, TCP paces internally (tcp_pacing_check).
import type { TcpSock, RateSample } from './tcp_sock.js';
import { TCP_INIT_CWND, TCP_INFINITE_SSTHRESH, JIFFY_NS, HZ, jiffies_ns, tcp_packets_in_flight, tcp_snd_cwnd_set, CA_STATE_NUM } from './tcp_sock.js';
import type { TcpCongestionOps } from './tcp_cong.js';
import { CA_EVENT_TX_START } from './tcp_cong.js';
import { type MinMax, minmax_reset, minmax_running_max, tcp_min_rtt } from './tcp_rate.js';
import { before, after } from './tcp_hdr.js';

const BW_SCALE = 24;
const BW_UNIT = 2 ** BW_SCALE;
const BBR_SCALE = 8;
const BBR_UNIT = 1 << BBR_SCALE;

const enum Mode {
  STARTUP,
  DRAIN,
  PROBE_BW,
  PROBE_RTT,
}
const MODE_NAMES = ['STARTUP', 'DRAIN', 'PROBE_BW', 'PROBE_RTT'];

const CYCLE_LEN = 8;
const bbr_bw_rtts = CYCLE_LEN + 2;
const bbr_min_rtt_win_sec = 10;
const bbr_probe_rtt_mode_ms = 200;
const bbr_min_tso_rate = 1200000;
const bbr_pacing_margin_percent = 1;
const bbr_high_gain = Math.floor((BBR_UNIT * 2885) / 1000) + 1;
const bbr_drain_gain = Math.floor((BBR_UNIT * 1000) / 2885);
const bbr_cwnd_gain = BBR_UNIT * 2;
const bbr_pacing_gain = [(BBR_UNIT * 5) / 4, (BBR_UNIT * 3) / 4, BBR_UNIT, BBR_UNIT, BBR_UNIT, BBR_UNIT, BBR_UNIT, BBR_UNIT];
const bbr_cycle_rand = 7;
const bbr_cwnd_min_target = 4;
const bbr_full_bw_thresh = (BBR_UNIT * 5) / 4;
const bbr_full_bw_cnt = 3;
const bbr_lt_intvl_min_rtts = 4;
const bbr_lt_loss_thresh = 50;
const bbr_lt_bw_ratio = BBR_UNIT / 8;
const bbr_lt_bw_diff = 4000 / 8;
const bbr_lt_bw_max_rtts = 48;
const bbr_extra_acked_gain = BBR_UNIT;
const bbr_extra_acked_win_rtts = 5;
const bbr_ack_epoch_acked_reset_thresh = 1 << 20;
const bbr_extra_acked_max_us = 100 * 1000;

interface Bbr {
  min_rtt_us: number;
  min_rtt_stamp: number;
  probe_rtt_done_stamp: number;
  bw: MinMax;
  rtt_cnt: number;
  next_rtt_delivered: number;
  cycle_mstamp: number;
  mode: Mode;
  prev_ca_state: number;
  packet_conservation: boolean;
  round_start: boolean;
  idle_restart: boolean;
  probe_rtt_round_done: boolean;
  lt_is_sampling: boolean;
  lt_rtt_cnt: number;
  lt_use_bw: boolean;
  lt_bw: number;
  lt_last_delivered: number;
  lt_last_stamp: number;
  lt_last_lost: number;
  pacing_gain: number;
  cwnd_gain: number;
  full_bw_reached: boolean;
  full_bw_cnt: number;
  cycle_idx: number;
  has_seen_rtt: boolean;
  prior_cwnd: number;
  full_bw: number;
  ack_epoch_mstamp: number;
  extra_acked: [number, number];
  ack_epoch_acked: number;
  extra_acked_win_rtts: number;
  extra_acked_win_idx: number;
}

const bbr = (sk: TcpSock): Bbr => sk.ca_priv as Bbr;
const jiffies = (sk: TcpSock): number => jiffies_ns(sk.net) / JIFFY_NS;

const bbr_max_bw = (sk: TcpSock): number => bbr(sk).bw.s[0].v;
const bbr_bw = (sk: TcpSock): number => (bbr(sk).lt_use_bw ? bbr(sk).lt_bw : bbr_max_bw(sk));
const bbr_extra_acked = (sk: TcpSock): number => Math.max(bbr(sk).extra_acked[0], bbr(sk).extra_acked[1]);

function bbr_rate_bytes_per_sec(sk: TcpSock, rate: number, gain: number): number {
  rate *= sk.mss_cache;
  rate *= gain;
  rate = Math.floor(rate / BBR_UNIT);
  rate *= (1e6 / 100) * (100 - bbr_pacing_margin_percent);
  return Math.floor(rate / BW_UNIT);
}

function bbr_bw_to_pacing_rate(sk: TcpSock, bw: number, gain: number): number {
  return Math.min(bbr_rate_bytes_per_sec(sk, bw, gain), sk.max_pacing_rate);
}

function bbr_init_pacing_rate_from_rtt(sk: TcpSock): void {
  const b = bbr(sk);
  let rtt_us: number;
  if (sk.srtt_us) {
    rtt_us = Math.max(sk.srtt_us >> 3, 1);
    b.has_seen_rtt = true;
  } else rtt_us = 1000;
  const bw = Math.floor((sk.snd_cwnd * BW_UNIT) / rtt_us);
  sk.pacing_rate = bbr_bw_to_pacing_rate(sk, bw, bbr_high_gain);
}

function bbr_set_pacing_rate(sk: TcpSock, bw: number, gain: number): void {
  const b = bbr(sk);
  const rate = bbr_bw_to_pacing_rate(sk, bw, gain);
  if (!b.has_seen_rtt && sk.srtt_us) bbr_init_pacing_rate_from_rtt(sk);
  if (b.full_bw_reached || rate > sk.pacing_rate) sk.pacing_rate = rate;
}

function bbr_min_tso_segs(sk: TcpSock): number {
  return sk.pacing_rate < bbr_min_tso_rate >> 3 ? 1 : 2;
}

function bbr_tso_segs_goal(sk: TcpSock): number {
  const bytes = Math.min(Math.floor(sk.pacing_rate / 2 ** sk.pacing_shift), 65536 - 1 - 320);
  const segs = Math.max(Math.floor(bytes / sk.mss_cache), bbr_min_tso_segs(sk));
  return Math.min(segs, 0x7f);
}

function bbr_save_cwnd(sk: TcpSock): void {
  const b = bbr(sk);
  if (b.prev_ca_state < CA_STATE_NUM.Recovery && b.mode !== Mode.PROBE_RTT) b.prior_cwnd = sk.snd_cwnd;
  else b.prior_cwnd = Math.max(b.prior_cwnd, sk.snd_cwnd);
}

function bbr_bdp(sk: TcpSock, bw: number, gain: number): number {
  const b = bbr(sk);
  if (b.min_rtt_us === 0xffffffff) return TCP_INIT_CWND;
  const w = bw * b.min_rtt_us;
  return Math.floor((Math.floor((w * gain) / BBR_UNIT) + BW_UNIT - 1) / BW_UNIT);
}

function bbr_quantization_budget(sk: TcpSock, cwnd: number): number {
  const b = bbr(sk);
  cwnd += 3 * bbr_tso_segs_goal(sk);
  cwnd = (cwnd + 1) & ~1;
  if (b.mode === Mode.PROBE_BW && b.cycle_idx === 0) cwnd += 2;
  return cwnd;
}

function bbr_inflight(sk: TcpSock, bw: number, gain: number): number {
  return bbr_quantization_budget(sk, bbr_bdp(sk, bw, gain));
}

function bbr_packets_in_net_at_edt(sk: TcpSock, inflight_now: number): number {
  const b = bbr(sk);
  const now_ns = sk.net.now();
  const edt_ns = Math.max(sk.wstamp_ns, now_ns);
  const interval_us = Math.floor((edt_ns - now_ns) / 1000);
  const interval_delivered = Math.floor((bbr_bw(sk) * interval_us) / BW_UNIT);
  let inflight_at_edt = inflight_now;
  if (b.pacing_gain > BBR_UNIT) inflight_at_edt += bbr_tso_segs_goal(sk);
  if (interval_delivered >= inflight_at_edt) return 0;
  return inflight_at_edt - interval_delivered;
}

function bbr_ack_aggregation_cwnd(sk: TcpSock): number {
  let aggr_cwnd = 0;
  if (bbr_extra_acked_gain && bbr(sk).full_bw_reached) {
    const max_aggr_cwnd = Math.floor((bbr_bw(sk) * bbr_extra_acked_max_us) / BW_UNIT);
    aggr_cwnd = (bbr_extra_acked_gain * bbr_extra_acked(sk)) >> BBR_SCALE;
    aggr_cwnd = Math.min(aggr_cwnd, max_aggr_cwnd);
  }
  return aggr_cwnd;
}

function bbr_set_cwnd_to_recover_or_restore(sk: TcpSock, rs: RateSample, acked: number, cw: { v: number }): boolean {
  const b = bbr(sk);
  const prev_state = b.prev_ca_state;
  const state = CA_STATE_NUM[sk.ca_state];
  let cwnd = sk.snd_cwnd;
  if (rs.losses > 0) cwnd = Math.max(cwnd - rs.losses, 1);
  if (state === CA_STATE_NUM.Recovery && prev_state !== CA_STATE_NUM.Recovery) {
    b.packet_conservation = true;
    b.next_rtt_delivered = sk.delivered;
    cwnd = tcp_packets_in_flight(sk) + acked;
  } else if (prev_state >= CA_STATE_NUM.Recovery && state < CA_STATE_NUM.Recovery) {
    cwnd = Math.max(cwnd, b.prior_cwnd);
    b.packet_conservation = false;
  }
  b.prev_ca_state = state;
  if (b.packet_conservation) {
    cw.v = Math.max(cwnd, tcp_packets_in_flight(sk) + acked);
    return true;
  }
  cw.v = cwnd;
  return false;
}

function bbr_set_cwnd(sk: TcpSock, rs: RateSample, acked: number, bw: number, gain: number): void {
  const b = bbr(sk);
  const cw = { v: sk.snd_cwnd };
  if (acked && !bbr_set_cwnd_to_recover_or_restore(sk, rs, acked, cw)) {
    let target_cwnd = bbr_bdp(sk, bw, gain);
    target_cwnd += bbr_ack_aggregation_cwnd(sk);
    target_cwnd = bbr_quantization_budget(sk, target_cwnd);
    if (b.full_bw_reached) cw.v = Math.min(cw.v + acked, target_cwnd);
    else if (cw.v < target_cwnd || sk.delivered < TCP_INIT_CWND) cw.v = cw.v + acked;
    cw.v = Math.max(cw.v, bbr_cwnd_min_target);
  }
  tcp_snd_cwnd_set(sk, Math.min(cw.v, sk.snd_cwnd_clamp));
  if (b.mode === Mode.PROBE_RTT) tcp_snd_cwnd_set(sk, Math.min(sk.snd_cwnd, bbr_cwnd_min_target));
}

function bbr_is_next_cycle_phase(sk: TcpSock, rs: RateSample): boolean {
  const b = bbr(sk);
  const is_full_length = sk.delivered_mstamp - b.cycle_mstamp > b.min_rtt_us;
  if (b.pacing_gain === BBR_UNIT) return is_full_length;
  const inflight = bbr_packets_in_net_at_edt(sk, rs.prior_in_flight);
  const bw = bbr_max_bw(sk);
  if (b.pacing_gain > BBR_UNIT) return is_full_length && (rs.losses > 0 || inflight >= bbr_inflight(sk, bw, b.pacing_gain));
  return is_full_length || inflight <= bbr_inflight(sk, bw, BBR_UNIT);
}

function bbr_advance_cycle_phase(sk: TcpSock): void {
  const b = bbr(sk);
  b.cycle_idx = (b.cycle_idx + 1) & (CYCLE_LEN - 1);
  b.cycle_mstamp = sk.delivered_mstamp;
}

function bbr_reset_probe_bw_mode(sk: TcpSock): void {
  const b = bbr(sk);
  b.mode = Mode.PROBE_BW;
  b.cycle_idx = CYCLE_LEN - 1 - sk.net.prng.below(bbr_cycle_rand);
  bbr_advance_cycle_phase(sk);
}

function bbr_reset_mode(sk: TcpSock): void {
  if (!bbr(sk).full_bw_reached) bbr(sk).mode = Mode.STARTUP;
  else bbr_reset_probe_bw_mode(sk);
}

function bbr_reset_lt_bw_sampling_interval(sk: TcpSock): void {
  const b = bbr(sk);
  b.lt_last_stamp = Math.floor(sk.delivered_mstamp / 1000);
  b.lt_last_delivered = sk.delivered;
  b.lt_last_lost = sk.lost;
  b.lt_rtt_cnt = 0;
}

function bbr_reset_lt_bw_sampling(sk: TcpSock): void {
  const b = bbr(sk);
  b.lt_bw = 0;
  b.lt_use_bw = false;
  b.lt_is_sampling = false;
  bbr_reset_lt_bw_sampling_interval(sk);
}

function bbr_lt_bw_interval_done(sk: TcpSock, bw: number): void {
  const b = bbr(sk);
  if (b.lt_bw) {
    const diff = Math.abs(bw - b.lt_bw);
    if (diff * BBR_UNIT <= bbr_lt_bw_ratio * b.lt_bw || bbr_rate_bytes_per_sec(sk, diff, BBR_UNIT) <= bbr_lt_bw_diff) {
      b.lt_bw = (bw + b.lt_bw) >> 1;
      b.lt_use_bw = true;
      b.pacing_gain = BBR_UNIT;
      b.lt_rtt_cnt = 0;
      return;
    }
  }
  b.lt_bw = bw;
  bbr_reset_lt_bw_sampling_interval(sk);
}

/** bbr_lt_bw_sampling: detect a token-bucket policer from loss bursts. */
function bbr_lt_bw_sampling(sk: TcpSock, rs: { losses: number; is_app_limited: boolean }): void {
  const b = bbr(sk);
  if (b.lt_use_bw) {
    if (b.mode === Mode.PROBE_BW && b.round_start && ++b.lt_rtt_cnt >= bbr_lt_bw_max_rtts) {
      bbr_reset_lt_bw_sampling(sk);
      bbr_reset_probe_bw_mode(sk);
    }
    return;
  }
  if (!b.lt_is_sampling) {
    if (!rs.losses) return;
    bbr_reset_lt_bw_sampling_interval(sk);
    b.lt_is_sampling = true;
  }
  if (rs.is_app_limited) return bbr_reset_lt_bw_sampling(sk);
  if (b.round_start) b.lt_rtt_cnt++;
  if (b.lt_rtt_cnt < bbr_lt_intvl_min_rtts) return;
  if (b.lt_rtt_cnt > 4 * bbr_lt_intvl_min_rtts) return bbr_reset_lt_bw_sampling(sk);
  if (!rs.losses) return;
  const lost = sk.lost - b.lt_last_lost;
  const delivered = sk.delivered - b.lt_last_delivered;
  if (!delivered || lost * BBR_UNIT < bbr_lt_loss_thresh * delivered) return;
  let t = Math.floor(sk.delivered_mstamp / 1000) - b.lt_last_stamp;
  if (t < 1) return;
  t *= 1000;
  bbr_lt_bw_interval_done(sk, Math.floor((delivered * BW_UNIT) / t));
}

function bbr_update_bw(sk: TcpSock, rs: RateSample): void {
  const b = bbr(sk);
  b.round_start = false;
  if (rs.delivered < 0 || rs.interval_us <= 0) return;
  if (!before(rs.prior_delivered, b.next_rtt_delivered)) {
    b.next_rtt_delivered = sk.delivered;
    b.rtt_cnt++;
    b.round_start = true;
    b.packet_conservation = false;
  }
  bbr_lt_bw_sampling(sk, rs);
  const bw = Math.floor((rs.delivered * BW_UNIT) / rs.interval_us);
  if (!rs.is_app_limited || bw >= bbr_max_bw(sk)) minmax_running_max(b.bw, bbr_bw_rtts, b.rtt_cnt, bw);
}

function bbr_update_ack_aggregation(sk: TcpSock, rs: RateSample): void {
  const b = bbr(sk);
  if (!bbr_extra_acked_gain || rs.acked_sacked <= 0 || rs.delivered < 0 || rs.interval_us <= 0) return;
  if (b.round_start) {
    b.extra_acked_win_rtts = Math.min(0x1f, b.extra_acked_win_rtts + 1);
    if (b.extra_acked_win_rtts >= bbr_extra_acked_win_rtts) {
      b.extra_acked_win_rtts = 0;
      b.extra_acked_win_idx = b.extra_acked_win_idx ? 0 : 1;
      b.extra_acked[b.extra_acked_win_idx] = 0;
    }
  }
  const epoch_us = sk.delivered_mstamp - b.ack_epoch_mstamp;
  let expected_acked = Math.floor((bbr_bw(sk) * epoch_us) / BW_UNIT);
  if (b.ack_epoch_acked <= expected_acked || b.ack_epoch_acked + rs.acked_sacked >= bbr_ack_epoch_acked_reset_thresh) {
    b.ack_epoch_acked = 0;
    b.ack_epoch_mstamp = sk.delivered_mstamp;
    expected_acked = 0;
  }
  b.ack_epoch_acked = Math.min(0xfffff, b.ack_epoch_acked + rs.acked_sacked);
  let extra_acked = b.ack_epoch_acked - expected_acked;
  extra_acked = Math.min(extra_acked, sk.snd_cwnd);
  if (extra_acked > b.extra_acked[b.extra_acked_win_idx]) b.extra_acked[b.extra_acked_win_idx] = extra_acked;
}

function bbr_check_full_bw_reached(sk: TcpSock, rs: RateSample): void {
  const b = bbr(sk);
  if (b.full_bw_reached || !b.round_start || rs.is_app_limited) return;
  const bw_thresh = Math.floor((b.full_bw * bbr_full_bw_thresh) / BBR_UNIT);
  if (bbr_max_bw(sk) >= bw_thresh) {
    b.full_bw = bbr_max_bw(sk);
    b.full_bw_cnt = 0;
    return;
  }
  ++b.full_bw_cnt;
  b.full_bw_reached = b.full_bw_cnt >= bbr_full_bw_cnt;
}

function bbr_check_drain(sk: TcpSock): void {
  const b = bbr(sk);
  if (b.mode === Mode.STARTUP && b.full_bw_reached) {
    b.mode = Mode.DRAIN;
    sk.snd_ssthresh = bbr_inflight(sk, bbr_max_bw(sk), BBR_UNIT);
  }
  if (b.mode === Mode.DRAIN && bbr_packets_in_net_at_edt(sk, tcp_packets_in_flight(sk)) <= bbr_inflight(sk, bbr_max_bw(sk), BBR_UNIT)) bbr_reset_probe_bw_mode(sk);
}

function bbr_check_probe_rtt_done(sk: TcpSock): void {
  const b = bbr(sk);
  if (!(b.probe_rtt_done_stamp && after(jiffies(sk), b.probe_rtt_done_stamp))) return;
  b.min_rtt_stamp = jiffies(sk);
  tcp_snd_cwnd_set(sk, Math.max(sk.snd_cwnd, b.prior_cwnd));
  bbr_reset_mode(sk);
}

function bbr_update_min_rtt(sk: TcpSock, rs: RateSample): void {
  const b = bbr(sk);
  const now = jiffies(sk);
  const filter_expired = after(now, b.min_rtt_stamp + bbr_min_rtt_win_sec * HZ);
  if (rs.rtt_us >= 0 && (rs.rtt_us < b.min_rtt_us || (filter_expired && !rs.is_ack_delayed))) {
    b.min_rtt_us = rs.rtt_us;
    b.min_rtt_stamp = now;
  }
  if (bbr_probe_rtt_mode_ms > 0 && filter_expired && !b.idle_restart && b.mode !== Mode.PROBE_RTT) {
    b.mode = Mode.PROBE_RTT;
    bbr_save_cwnd(sk);
    b.probe_rtt_done_stamp = 0;
  }
  if (b.mode === Mode.PROBE_RTT) {
    sk.app_limited = sk.delivered + tcp_packets_in_flight(sk) || 1;
    if (!b.probe_rtt_done_stamp && tcp_packets_in_flight(sk) <= bbr_cwnd_min_target) {
      b.probe_rtt_done_stamp = now + Math.ceil((bbr_probe_rtt_mode_ms * 1e6) / JIFFY_NS);
      b.probe_rtt_round_done = false;
      b.next_rtt_delivered = sk.delivered;
    } else if (b.probe_rtt_done_stamp) {
      if (b.round_start) b.probe_rtt_round_done = true;
      if (b.probe_rtt_round_done) bbr_check_probe_rtt_done(sk);
    }
  }
  if (rs.delivered > 0) b.idle_restart = false;
}

function bbr_update_gains(sk: TcpSock): void {
  const b = bbr(sk);
  switch (b.mode) {
    case Mode.STARTUP:
      b.pacing_gain = bbr_high_gain;
      b.cwnd_gain = bbr_high_gain;
      break;
    case Mode.DRAIN:
      b.pacing_gain = bbr_drain_gain;
      b.cwnd_gain = bbr_high_gain;
      break;
    case Mode.PROBE_BW:
      b.pacing_gain = b.lt_use_bw ? BBR_UNIT : bbr_pacing_gain[b.cycle_idx];
      b.cwnd_gain = bbr_cwnd_gain;
      break;
    case Mode.PROBE_RTT:
      b.pacing_gain = BBR_UNIT;
      b.cwnd_gain = BBR_UNIT;
      break;
  }
}

/** Format a bit rate the way ss does (sprint_bw: 1000-based, %.1f). */
function sprint_bw(bps: number): string {
  if (bps > 1e9) return `${(bps / 1e9).toFixed(1)}G`;
  if (bps > 1e6) return `${(bps / 1e6).toFixed(1)}M`;
  if (bps > 1e3) return `${(bps / 1e3).toFixed(1)}K`;
  return `${bps}`;
}

function zero(): Bbr {
  const z = { t: 0, v: 0 };
  return {
    min_rtt_us: 0, min_rtt_stamp: 0, probe_rtt_done_stamp: 0, bw: { s: [z, z, z] }, rtt_cnt: 0, next_rtt_delivered: 0, cycle_mstamp: 0,
    mode: Mode.STARTUP, prev_ca_state: 0, packet_conservation: false, round_start: false, idle_restart: false, probe_rtt_round_done: false,
    lt_is_sampling: false, lt_rtt_cnt: 0, lt_use_bw: false, lt_bw: 0, lt_last_delivered: 0, lt_last_stamp: 0, lt_last_lost: 0, pacing_gain: 0,
    cwnd_gain: 0, full_bw_reached: false, full_bw_cnt: 0, cycle_idx: 0, has_seen_rtt: false, prior_cwnd: 0, full_bw: 0, ack_epoch_mstamp: 0,
    extra_acked: [0, 0], ack_epoch_acked: 0, extra_acked_win_rtts: 0, extra_acked_win_idx: 0,
  };
}

export const tcp_bbr: TcpCongestionOps = {
  name: 'bbr',
  priv: zero,
  init(sk) {
    const b = bbr(sk);
    b.prior_cwnd = 0;
    sk.snd_ssthresh = TCP_INFINITE_SSTHRESH;
    b.rtt_cnt = 0;
    b.next_rtt_delivered = sk.delivered;
    b.prev_ca_state = CA_STATE_NUM.Open;
    b.packet_conservation = false;
    b.probe_rtt_done_stamp = 0;
    b.probe_rtt_round_done = false;
    b.min_rtt_us = tcp_min_rtt(sk);
    b.min_rtt_stamp = jiffies(sk);
    b.bw = { s: [] };
    minmax_reset(b.bw, b.rtt_cnt, 0);
    b.has_seen_rtt = false;
    b.mode = Mode.STARTUP;
    b.pacing_gain = bbr_high_gain;
    b.cwnd_gain = bbr_high_gain;
    bbr_init_pacing_rate_from_rtt(sk);
    b.round_start = false;
    b.idle_restart = false;
    b.full_bw_reached = false;
    b.full_bw = 0;
    b.full_bw_cnt = 0;
    b.cycle_mstamp = 0;
    b.cycle_idx = 0;
    bbr_reset_lt_bw_sampling(sk);
    b.ack_epoch_mstamp = sk.tcp_mstamp;
    b.ack_epoch_acked = 0;
    b.extra_acked_win_rtts = 0;
    b.extra_acked_win_idx = 0;
    b.extra_acked = [0, 0];
    if (sk.pacing_status === 'none') sk.pacing_status = 'needed';
  },
  cong_control(sk, _ack, _flag, rs) {
    bbr_update_bw(sk, rs);
    bbr_update_ack_aggregation(sk, rs);
    if (bbr(sk).mode === Mode.PROBE_BW && bbr_is_next_cycle_phase(sk, rs)) bbr_advance_cycle_phase(sk);
    bbr_check_full_bw_reached(sk, rs);
    bbr_check_drain(sk);
    bbr_update_min_rtt(sk, rs);
    bbr_update_gains(sk);
    const bw = bbr_bw(sk);
    bbr_set_pacing_rate(sk, bw, bbr(sk).pacing_gain);
    bbr_set_cwnd(sk, rs, rs.acked_sacked, bw, bbr(sk).cwnd_gain);
  },
  ssthresh(sk) {
    bbr_save_cwnd(sk);
    return sk.snd_ssthresh;
  },
  undo_cwnd(sk) {
    const b = bbr(sk);
    b.full_bw = 0;
    b.full_bw_cnt = 0;
    bbr_reset_lt_bw_sampling(sk);
    return sk.snd_cwnd;
  },
  cwnd_event(sk, ev) {
    const b = bbr(sk);
    if (ev === CA_EVENT_TX_START && sk.app_limited) {
      b.idle_restart = true;
      b.ack_epoch_mstamp = sk.tcp_mstamp;
      b.ack_epoch_acked = 0;
      if (b.mode === Mode.PROBE_BW) bbr_set_pacing_rate(sk, bbr_bw(sk), BBR_UNIT);
      else if (b.mode === Mode.PROBE_RTT) bbr_check_probe_rtt_done(sk);
    }
  },
  set_state(sk, state) {
    const b = bbr(sk);
    if (state === 'Loss') {
      b.prev_ca_state = CA_STATE_NUM.Loss;
      b.full_bw = 0;
      b.round_start = true;
      bbr_lt_bw_sampling(sk, { losses: 1, is_app_limited: false });
    }
  },
  sndbuf_expand: () => 3,
  min_tso_segs: bbr_min_tso_segs,
  get_info(sk) {
    const b = bbr(sk);
    const bw = Math.floor((bbr_bw(sk) * sk.mss_cache * 1e6) / BW_UNIT);
    const g = (x: number) => String(Number((x / BBR_UNIT).toPrecision(6)));
    return `bbr:(bw:${sprint_bw(bw * 8)}bps,mrtt:${b.min_rtt_us === 0xffffffff ? 0 : b.min_rtt_us / 1000},pacing_gain:${g(b.pacing_gain)},cwnd_gain:${g(b.cwnd_gain)})`;
  },
};

export { MODE_NAMES };
