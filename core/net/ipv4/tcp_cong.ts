// net/ipv4/tcp_cong.c: pluggable congestion control (struct
// tcp_congestion_ops), the registry the sysctls name, slow start and
// additive increase, and Reno, the fallback every other algorithm builds on.
import type { TcpSock, RateSample, CaState } from './tcp_sock.js';
import { tcp_in_slow_start, tcp_snd_cwnd_set } from './tcp_sock.js';

export const CA_EVENT_TX_START = 0;
export const CA_EVENT_CWND_RESTART = 1;
export const CA_EVENT_COMPLETE_CWR = 2;
export const CA_EVENT_LOSS = 3;
export const CA_EVENT_ECN_NO_CE = 4;
export const CA_EVENT_ECN_IS_CE = 5;

/** struct ack_sample. */
export interface AckSample {
  pkts_acked: number;
  rtt_us: number;
  in_flight: number;
}

export interface TcpCongestionOps {
  name: string;
  init?(sk: TcpSock): void;
  release?(sk: TcpSock): void;
  ssthresh(sk: TcpSock): number;
  cong_avoid?(sk: TcpSock, ack: number, acked: number): void;
  /** Replaces cong_avoid and the cwnd reductions when set (BBR). */
  cong_control?(sk: TcpSock, ack: number, flag: number, rs: RateSample): void;
  set_state?(sk: TcpSock, state: CaState): void;
  cwnd_event?(sk: TcpSock, ev: number): void;
  pkts_acked?(sk: TcpSock, sample: AckSample): void;
  undo_cwnd(sk: TcpSock): number;
  sndbuf_expand?(sk: TcpSock): number;
  min_tso_segs?(sk: TcpSock): number;
  /** The algorithm's part of `ss -i` (get_info through inet_diag). */
  get_info?(sk: TcpSock): string;
  /** Its private state as zeroed memory (inet_csk_ca before init runs). */
  priv?(): any;
  /** TCP_CONG_NEEDS_ECN etc. not modelled. */
}

const registry = new Map<string, TcpCongestionOps>();

export function tcp_register_congestion_control(ca: TcpCongestionOps): void {
  registry.set(ca.name, ca);
}

export function tcp_ca_find(name: string): TcpCongestionOps | undefined {
  return registry.get(name);
}

/** tcp_slow_start: grow by what was acked, up to ssthresh; return the rest. */
export function tcp_slow_start(tp: TcpSock, acked: number): number {
  const cwnd = Math.min(tp.snd_cwnd + acked, tp.snd_ssthresh);
  acked -= cwnd - tp.snd_cwnd;
  tcp_snd_cwnd_set(tp, Math.min(cwnd, tp.snd_cwnd_clamp));
  return acked;
}

/** tcp_cong_avoid_ai: one segment per w acked. */
export function tcp_cong_avoid_ai(tp: TcpSock, w: number, acked: number): void {
  if (tp.snd_cwnd_cnt >= w) {
    tp.snd_cwnd_cnt = 0;
    tcp_snd_cwnd_set(tp, tp.snd_cwnd + 1);
  }
  tp.snd_cwnd_cnt += acked;
  if (tp.snd_cwnd_cnt >= w) {
    const delta = Math.floor(tp.snd_cwnd_cnt / w);
    tp.snd_cwnd_cnt -= delta * w;
    tcp_snd_cwnd_set(tp, tp.snd_cwnd + delta);
  }
  tcp_snd_cwnd_set(tp, Math.min(tp.snd_cwnd, tp.snd_cwnd_clamp));
}

/** tcp_is_cwnd_limited. */
export function tcp_is_cwnd_limited(tp: TcpSock): boolean {
  if (tp.is_cwnd_limited) return true;
  if (tcp_in_slow_start(tp)) return tp.snd_cwnd < 2 * tp.max_packets_out;
  return false;
}

export const tcp_reno: TcpCongestionOps = {
  name: 'reno',
  ssthresh: (sk) => Math.max(sk.snd_cwnd >> 1, 2),
  cong_avoid(sk, _ack, acked) {
    if (!tcp_is_cwnd_limited(sk)) return;
    if (tcp_in_slow_start(sk)) {
      acked = tcp_slow_start(sk, acked);
      if (!acked) return;
    }
    tcp_cong_avoid_ai(sk, sk.snd_cwnd, acked);
  },
  undo_cwnd: (sk) => Math.max(sk.snd_cwnd, sk.prior_cwnd),
};
tcp_register_congestion_control(tcp_reno);

/** tcp_assign_congestion_control: the namespace default (net.ipv4.tcp_congestion_control). */
export function tcp_assign_congestion_control(sk: TcpSock): void {
  const name = sk.net.sysctl.get('net.ipv4.tcp_congestion_control') ?? 'reno';
  sk.ca_ops = tcp_ca_find(name) ?? tcp_reno;
  sk.ca_priv = sk.ca_ops.priv?.() ?? {};
}

/** tcp_init_congestion_control: when the connection is established. */
export function tcp_init_congestion_control(sk: TcpSock): void {
  sk.ca_priv = sk.ca_ops.priv?.() ?? {};
  sk.prior_ssthresh = 0;
  sk.ca_ops.init?.(sk);
  sk.ca_initialized = true;
}

/** tcp_set_congestion_control (TCP_CONGESTION): ENOENT for an unknown name. */
export function tcp_set_congestion_control(sk: TcpSock, name: string): string | null {
  const ca = tcp_ca_find(name);
  if (!ca) return 'ENOENT';
  if (sk.ca_initialized) sk.ca_ops.release?.(sk);
  sk.ca_ops = ca;
  sk.ca_priv = ca.priv?.() ?? {};
  if (sk.state !== 'CLOSE' && sk.state !== 'SYN_SENT' && sk.state !== 'LISTEN') tcp_init_congestion_control(sk);
  return null;
}

export function tcp_ca_event(sk: TcpSock, ev: number): void {
  sk.ca_ops.cwnd_event?.(sk, ev);
}
