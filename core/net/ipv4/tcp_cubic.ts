// net/ipv4/tcp_cubic.c: CUBIC (RFC 9438) with HyStart. After a loss the
// window follows W(t) = C (t - K)^3 + Wmax, with beta 717/1024, fast
// convergence and the TCP-friendly region; HyStart ends slow start early on
// an ACK train or a rising delay.
import type { TcpSock } from './tcp_sock.js';
import { HZ, JIFFY_NS, tcp_in_slow_start, jiffies_ns } from './tcp_sock.js';
import { type TcpCongestionOps, tcp_is_cwnd_limited, tcp_slow_start, tcp_cong_avoid_ai, CA_EVENT_TX_START } from './tcp_cong.js';
import { after } from './tcp_hdr.js';
import { NET_INC_STATS } from '../snmp_stats.js';

const BICTCP_BETA_SCALE = 1024;
const BICTCP_HZ = 10;
const HYSTART_ACK_TRAIN = 1;
const HYSTART_DELAY = 2;
const HYSTART_MIN_SAMPLES = 8;
const HYSTART_DELAY_MIN = 4000;
const HYSTART_DELAY_MAX = 16000;
const fast_convergence = 1;
const beta = 717;
const bic_scale = 41;
const tcp_friendliness = 1;
const hystart = 1;
const hystart_detect = HYSTART_ACK_TRAIN | HYSTART_DELAY;
const hystart_low_window = 16;
const hystart_ack_delta_us = 2000;
const beta_scale = Math.floor(Math.floor((8 * (BICTCP_BETA_SCALE + beta)) / 3) / (BICTCP_BETA_SCALE - beta));
const cube_rtt_scale = bic_scale * 10;
const cube_factor = 2 ** (10 + 3 * BICTCP_HZ) / (bic_scale * 10);

interface Bictcp {
  cnt: number;
  last_max_cwnd: number;
  last_cwnd: number;
  last_time: number;
  bic_origin_point: number;
  bic_K: number;
  delay_min: number;
  epoch_start: number;
  ack_cnt: number;
  tcp_cwnd: number;
  sample_cnt: number;
  found: number;
  round_start: number;
  end_seq: number;
  last_ack: number;
  curr_rtt: number;
}

/** Jiffies as the algorithm counts them (tcp_jiffies32). */
function jiffies(sk: TcpSock): number {
  return jiffies_ns(sk.net) / JIFFY_NS;
}

function ca(sk: TcpSock): Bictcp {
  return sk.ca_priv as Bictcp;
}

function bictcp_reset(c: Bictcp): void {
  Object.assign(c, { cnt: 0, last_max_cwnd: 0, last_cwnd: 0, last_time: 0, bic_origin_point: 0, bic_K: 0, delay_min: 0, epoch_start: 0, ack_cnt: 0, tcp_cwnd: 0, found: 0 });
}

function bictcp_hystart_reset(sk: TcpSock): void {
  const c = ca(sk);
  c.round_start = c.last_ack = sk.tcp_mstamp;
  c.end_seq = sk.snd_nxt;
  c.curr_rtt = 0xffffffff;
  c.sample_cnt = 0;
}

function bictcp_update(sk: TcpSock, c: Bictcp, cwnd: number, acked: number): void {
  const now = jiffies(sk);
  c.ack_cnt += acked;
  if (c.last_cwnd === cwnd && now - c.last_time <= HZ / 32) return;
  if (!(c.epoch_start && now === c.last_time)) {
    c.last_cwnd = cwnd;
    c.last_time = now;
    if (c.epoch_start === 0) {
      c.epoch_start = now;
      c.ack_cnt = acked;
      c.tcp_cwnd = cwnd;
      if (c.last_max_cwnd <= cwnd) {
        c.bic_K = 0;
        c.bic_origin_point = cwnd;
      } else {
        c.bic_K = Math.floor(Math.cbrt(cube_factor * (c.last_max_cwnd - cwnd)));
        c.bic_origin_point = c.last_max_cwnd;
      }
    }
    let t = now - c.epoch_start;
    t += Math.ceil((c.delay_min * 1000) / JIFFY_NS);
    t = Math.floor((t * 2 ** BICTCP_HZ) / HZ);
    const offs = t < c.bic_K ? c.bic_K - t : t - c.bic_K;
    const delta = Math.floor((cube_rtt_scale * offs * offs * offs) / 2 ** (10 + 3 * BICTCP_HZ));
    const bic_target = t < c.bic_K ? c.bic_origin_point - delta : c.bic_origin_point + delta;
    if (bic_target > cwnd) c.cnt = Math.floor(cwnd / (bic_target - cwnd));
    else c.cnt = 100 * cwnd;
    if (c.last_max_cwnd === 0 && c.cnt > 20) c.cnt = 20;
  }
  if (tcp_friendliness) {
    const d = (cwnd * beta_scale) >> 3;
    while (c.ack_cnt > d) {
      c.ack_cnt -= d;
      c.tcp_cwnd++;
    }
    if (c.tcp_cwnd > cwnd) {
      const max_cnt = Math.floor(cwnd / (c.tcp_cwnd - cwnd));
      if (c.cnt > max_cnt) c.cnt = max_cnt;
    }
  }
  c.cnt = Math.max(c.cnt, 2);
}

function hystart_ack_delay(sk: TcpSock): number {
  const rate = sk.pacing_rate;
  if (!rate) return 0;
  return Math.min(1000, Math.floor((65536 * 4 * 1e6) / rate));
}

function hystart_update(sk: TcpSock, delay: number): void {
  const c = ca(sk);
  const net = sk.net;
  if (after(sk.snd_una, c.end_seq)) bictcp_hystart_reset(sk);
  if (sk.snd_cwnd < hystart_low_window) return;
  if (hystart_detect & HYSTART_ACK_TRAIN) {
    const now = sk.tcp_mstamp;
    if (now - c.last_ack <= hystart_ack_delta_us) {
      c.last_ack = now;
      let threshold = c.delay_min + hystart_ack_delay(sk);
      if (sk.pacing_status === 'none') threshold >>= 1;
      if (now - c.round_start > threshold) {
        c.found = 1;
        NET_INC_STATS(net, 'TCPHystartTrainDetect');
        NET_INC_STATS(net, 'TCPHystartTrainCwnd', sk.snd_cwnd);
        sk.snd_ssthresh = sk.snd_cwnd;
      }
    }
  }
  if (hystart_detect & HYSTART_DELAY) {
    if (c.curr_rtt > delay) c.curr_rtt = delay;
    if (c.sample_cnt < HYSTART_MIN_SAMPLES) c.sample_cnt++;
    else if (c.curr_rtt > c.delay_min + Math.min(Math.max(c.delay_min >> 3, HYSTART_DELAY_MIN), HYSTART_DELAY_MAX)) {
      c.found = 1;
      NET_INC_STATS(net, 'TCPHystartDelayDetect');
      NET_INC_STATS(net, 'TCPHystartDelayCwnd', sk.snd_cwnd);
      sk.snd_ssthresh = sk.snd_cwnd;
    }
  }
}

function zero(): Bictcp {
  return { cnt: 0, last_max_cwnd: 0, last_cwnd: 0, last_time: 0, bic_origin_point: 0, bic_K: 0, delay_min: 0, epoch_start: 0, ack_cnt: 0, tcp_cwnd: 0, sample_cnt: 0, found: 0, round_start: 0, end_seq: 0, last_ack: 0, curr_rtt: 0 };
}

export const tcp_cubic: TcpCongestionOps = {
  name: 'cubic',
  priv: zero,
  init(sk) {
    bictcp_reset(ca(sk));
    if (hystart) bictcp_hystart_reset(sk);
  },
  ssthresh(sk) {
    const c = ca(sk);
    c.epoch_start = 0;
    if (sk.snd_cwnd < c.last_max_cwnd && fast_convergence) c.last_max_cwnd = Math.floor((sk.snd_cwnd * (BICTCP_BETA_SCALE + beta)) / (2 * BICTCP_BETA_SCALE));
    else c.last_max_cwnd = sk.snd_cwnd;
    return Math.max(Math.floor((sk.snd_cwnd * beta) / BICTCP_BETA_SCALE), 2);
  },
  cong_avoid(sk, _ack, acked) {
    if (!tcp_is_cwnd_limited(sk)) return;
    if (tcp_in_slow_start(sk)) {
      acked = tcp_slow_start(sk, acked);
      if (!acked) return;
    }
    const c = ca(sk);
    bictcp_update(sk, c, sk.snd_cwnd, acked);
    tcp_cong_avoid_ai(sk, c.cnt, acked);
  },
  set_state(sk, state) {
    if (state === 'Loss') {
      bictcp_reset(ca(sk));
      bictcp_hystart_reset(sk);
    }
  },
  undo_cwnd: (sk) => Math.max(sk.snd_cwnd, sk.prior_cwnd),
  cwnd_event(sk, ev) {
    if (ev === CA_EVENT_TX_START) {
      const c = ca(sk);
      const now = jiffies(sk);
      const delta = now - sk.lsndtime / JIFFY_NS;
      if (c.epoch_start && delta > 0) {
        c.epoch_start += delta;
        if (c.epoch_start > now) c.epoch_start = now;
      }
    }
  },
  pkts_acked(sk, sample) {
    const c = ca(sk);
    if (sample.rtt_us < 0) return;
    if (c.epoch_start && jiffies(sk) - c.epoch_start < HZ) return;
    const delay = sample.rtt_us || 1;
    if (c.delay_min === 0 || c.delay_min > delay) c.delay_min = delay;
    if (!c.found && tcp_in_slow_start(sk) && hystart) hystart_update(sk, delay);
  },
  get_info(sk) {
    void sk;
    return '';
  },
};
