// net/ipv4/tcp_minisocks.c: the small sockets at both ends of a
// connection's life. TIME_WAIT (and FIN_WAIT2 of an orphan) lives in an
// inet_timewait_sock that only answers segments (tcp_timewait_state_process);
// a request sock becomes a full child socket when the handshake's final ACK
// passes tcp_check_req.
import type { Net } from '../net_namespace.js';
import type { SkBuff } from '../core/skbuff.js';
import { TcpSock, TimewaitSock, type RequestSock, TCP_TIMEWAIT_LEN, tcp_receive_window, jiffies_ns, sk_reset_timer, JIFFY_NS, TCP_INIT_CWND } from './tcp_sock.js';
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_RST, TCPHDR_SYN, before, after } from './tcp_hdr.js';
import { inet_ehash_replace, inet_ehash_remove, inet_bind_replace, inet_put_port, tcp_hashinfo } from './inet_hashtables.js';
import { tcp_done, tcp_init_sock } from './tcp.js';
import type { RcvSeg } from './tcp_input.js';
import { timer_setup } from '../../kernel/timer.js';
import { NET_INC_STATS } from '../snmp_stats.js';

export type TwResult = 'TCP_TW_SUCCESS' | 'TCP_TW_RST' | 'TCP_TW_ACK' | 'TCP_TW_SYN';

/** inet_twsk_kill / tw_timer_handler: the TIME_WAIT period is over. */
function tw_timer_handler(net: Net, tw: TimewaitSock): void {
  if (tw.dead) return;
  inet_twsk_deschedule_put(net, tw);
}

/** inet_twsk_deschedule_put: take a timewait sock out of the tables now. */
export function inet_twsk_deschedule_put(net: Net, tw: TimewaitSock): void {
  if (tw.dead) return;
  tw.dead = true;
  tw.timer.del();
  inet_ehash_remove(net, tw);
  inet_put_port(net, tw);
}

/** __inet_twsk_schedule: the first arming counts TW (or TWKilled when
 * shorter than 4 s); later ones (inet_twsk_reschedule) only move the timer. */
function inet_twsk_schedule(net: Net, tw: TimewaitSock, timeo: number, rearm = true): void {
  if (!rearm) NET_INC_STATS(net, timeo <= 4e9 ? 'TWKilled' : 'TW');
  tw.tw_ttd = jiffies_ns(net) + timeo;
  sk_reset_timer(net, tw.timer, tw.tw_ttd);
}

/** tcp_time_wait: replace a closing socket by a timewait sock, then tcp_done. */
export function tcp_time_wait(sk: TcpSock, state: 'TIME_WAIT' | 'FIN_WAIT2', timeo: number): void {
  const net = sk.net;
  const live = [...tcp_hashinfo(net).ehash.values()].filter((s) => s instanceof TimewaitSock && !s.dead).length;
  if (live < net.sysctlInt('net.ipv4.tcp_max_tw_buckets')) {
    const tw = new TimewaitSock();
    tw.substate = state;
    tw.rcv_saddr = sk.rcv_saddr;
    tw.daddr = sk.daddr;
    tw.num = sk.num;
    tw.dport = sk.dport;
    tw.rcv_nxt = sk.rcv_nxt;
    tw.snd_nxt = sk.snd_nxt;
    tw.rcv_wnd = tcp_receive_window(sk);
    tw.rcv_wscale = sk.rx_opt.rcv_wscale;
    tw.ts_recent = sk.rx_opt.ts_recent;
    tw.ts_recent_stamp = sk.rx_opt.ts_recent_stamp;
    tw.ts_offset = sk.tsoffset;
    tw.tstamp_ok = sk.rx_opt.tstamp_ok;
    tw.bound_dev_if = sk.bound_dev_if;
    tw.tos = sk.tos;
    tw.ttl = sk.ttl;
    tw.reuse = sk.reuseaddr;
    tw.reuseport = sk.reuseport;
    tw.timer = timer_setup(net, () => tw_timer_handler(net, tw));
    const rto = (sk.rto << 2) - (sk.rto >> 1);
    if (timeo < rto) timeo = rto;
    if (state === 'TIME_WAIT') timeo = TCP_TIMEWAIT_LEN;
    // inet_twsk_hashdance_schedule: the tw takes the socket's places.
    inet_bind_replace(sk, tw);
    inet_ehash_replace(net, sk, tw);
    inet_twsk_schedule(net, tw, Math.ceil(timeo / JIFFY_NS) * JIFFY_NS, false);
  } else NET_INC_STATS(net, 'TCPTimeWaitOverflow');
  tcp_done(sk);
}

/** tcp_timewait_state_process: what a segment does to a TIME_WAIT (or orphan FIN_WAIT2) socket. */
export function tcp_timewait_state_process(net: Net, tw: TimewaitSock, seg: RcvSeg, tw_isn: { v: number }): TwResult {
  const th = seg.flags;
  const opt = seg.opt;
  let paws_reject = false;
  if (opt.saw_tstamp && tw.ts_recent_stamp) {
    paws_reject = ((tw.ts_recent - opt.rcv_tsval) | 0) > 1 && !(th & TCPHDR_RST) && Math.floor(net.now() / 1e9) < tw.ts_recent_stamp + 60;
  }
  const rcv_nxt = tw.rcv_nxt;
  if (tw.substate === 'FIN_WAIT2') {
    const in_window = !after(seg.seq, (rcv_nxt + tw.rcv_wnd) >>> 0) && !before(seg.end_seq, rcv_nxt);
    if (paws_reject || !in_window) return 'TCP_TW_ACK';
    if (th & TCPHDR_RST) {
      inet_twsk_deschedule_put(net, tw);
      return 'TCP_TW_SUCCESS';
    }
    if (th & TCPHDR_SYN && !before(seg.seq, rcv_nxt)) return 'TCP_TW_RST';
    if (!(th & TCPHDR_ACK) || !after(seg.end_seq, rcv_nxt) || seg.end_seq === seg.seq) return 'TCP_TW_SUCCESS';
    if (!(th & TCPHDR_FIN) || seg.end_seq !== ((rcv_nxt + 1) >>> 0)) return 'TCP_TW_RST';
    tw.substate = 'TIME_WAIT';
    tw.rcv_nxt = seg.end_seq;
    if (opt.saw_tstamp) {
      tw.ts_recent_stamp = Math.floor(net.now() / 1e9);
      tw.ts_recent = opt.rcv_tsval;
    }
    inet_twsk_schedule(net, tw, TCP_TIMEWAIT_LEN);
    return 'TCP_TW_ACK';
  }
  if (!paws_reject && seg.seq === rcv_nxt && (seg.seq === seg.end_seq || th & TCPHDR_RST)) {
    if (th & TCPHDR_RST) {
      if (!net.sysctlInt('net.ipv4.tcp_rfc1337')) {
        inet_twsk_deschedule_put(net, tw);
        return 'TCP_TW_SUCCESS';
      }
    } else inet_twsk_schedule(net, tw, TCP_TIMEWAIT_LEN);
    if (opt.saw_tstamp) {
      tw.ts_recent = opt.rcv_tsval;
      tw.ts_recent_stamp = Math.floor(net.now() / 1e9);
    }
    return 'TCP_TW_SUCCESS';
  }
  if (th & TCPHDR_SYN && !(th & TCPHDR_RST) && !(th & TCPHDR_ACK) && !paws_reject && (after(seg.seq, rcv_nxt) || (opt.saw_tstamp && ((tw.ts_recent - opt.rcv_tsval) | 0) < 0))) {
    let isn = (tw.snd_nxt + 65535 + 2) >>> 0;
    if (isn === 0) isn++;
    tw_isn.v = isn;
    return 'TCP_TW_SYN';
  }
  if (paws_reject) NET_INC_STATS(net, 'PAWSTimewait');
  if (!(th & TCPHDR_RST)) {
    if (paws_reject || th & TCPHDR_ACK) inet_twsk_schedule(net, tw, TCP_TIMEWAIT_LEN);
    return 'TCP_TW_ACK';
  }
  return 'TCP_TW_SUCCESS';
}

/** tcp_create_openreq_child: a full socket in SYN_RECV from a request sock. */
export function tcp_create_openreq_child(sk: TcpSock, req: RequestSock, seg: RcvSeg): TcpSock {
  const net = sk.net;
  const newsk = tcp_init_sock(net);
  newsk.state = 'SYN_RECV';
  newsk.rcv_saddr = newsk.saddr = req.loc_addr;
  newsk.num = req.loc_port;
  newsk.daddr = req.rmt_addr;
  newsk.dport = req.rmt_port;
  newsk.bound_dev_if = req.bound_dev_if;
  newsk.tos = sk.tos;
  newsk.ttl = sk.ttl;
  newsk.nonagle = sk.nonagle;
  newsk.rcvbuf = sk.rcvbuf;
  newsk.sndbuf = sk.sndbuf;
  newsk.userlocks = sk.userlocks & 3;
  newsk.keepalive = sk.keepalive;
  newsk.linger2 = sk.linger2;
  newsk.user_mss = sk.user_mss;
  newsk.ca_ops = sk.ca_ops; // tcp_ca_openreq_child: inherit the listener's
  newsk.owner = sk.owner;
  const seq = (req.rcv_isn + 1) >>> 0;
  newsk.rcv_wup = newsk.copied_seq = newsk.rcv_nxt = seq;
  newsk.snd_sml = newsk.snd_una = newsk.snd_nxt = newsk.snd_up = (req.snt_isn + 1) >>> 0;
  newsk.write_seq = newsk.pushed_seq = newsk.snd_nxt;
  newsk.snd_wl1 = req.rcv_isn;
  newsk.total_retrans = req.num_retrans;
  newsk.snd_cwnd = TCP_INIT_CWND;
  newsk.snd_cwnd_cnt = 0;
  newsk.rx_opt.tstamp_ok = req.tstamp_ok;
  newsk.rx_opt.sack_ok = req.sack_ok;
  newsk.rx_opt.wscale_ok = req.wscale_ok;
  newsk.rx_opt.snd_wscale = req.wscale_ok ? req.snd_wscale : 0;
  newsk.rx_opt.rcv_wscale = req.wscale_ok ? req.rcv_wscale : 0;
  newsk.window_clamp = req.window_clamp;
  newsk.rcv_ssthresh = req.rcv_wnd;
  newsk.rcv_wnd = req.rcv_wnd;
  newsk.snd_wnd = seg.window * 2 ** newsk.rx_opt.snd_wscale;
  newsk.max_window = newsk.snd_wnd;
  if (req.tstamp_ok) {
    newsk.rx_opt.ts_recent = req.ts_recent;
    newsk.rx_opt.ts_recent_stamp = Math.floor(net.now() / 1e9);
    newsk.tcp_header_len = 20 + 12;
  } else {
    newsk.rx_opt.ts_recent_stamp = 0;
    newsk.tcp_header_len = 20;
  }
  newsk.tsoffset = req.ts_off;
  newsk.rx_opt.mss_clamp = req.mss;
  newsk.lsndtime = jiffies_ns(net);
  newsk.ack.lrcvtime = jiffies_ns(net);
  (newsk as any).synack_stamp = req.num_retrans ? 0 : req.snt_synack;
  newsk.segs_in = 1;
  return newsk;
}

/** tcp_check_req: a segment for a request sock. Returns the new child, the
 * listener itself (nothing more to do), or null (drop; rst says whether to reset). */
export function tcp_check_req(
  sk: TcpSock,
  skb: SkBuff,
  seg: RcvSeg,
  req: RequestSock,
  ops: { syn_recv_sock: (sk: TcpSock, seg: RcvSeg, req: RequestSock) => TcpSock | null; rtx_synack: (req: RequestSock) => boolean; send_ack: (req: RequestSock, seg: RcvSeg) => void },
): { child: TcpSock | null; rst: boolean } {
  const net = sk.net;
  const th = seg.flags;
  const opt = seg.opt;
  let paws_reject = false;
  if (opt.saw_tstamp) {
    if (req.tstamp_ok) paws_reject = ((req.ts_recent - opt.rcv_tsval) | 0) > 1 && !(th & TCPHDR_RST);
  }
  // A retransmitted SYN: resend the SYN-ACK.
  if (seg.seq === req.rcv_isn && th === TCPHDR_SYN && !paws_reject) {
    ops.rtx_synack(req);
    return { child: null, rst: false };
  }
  if (th & TCPHDR_ACK && (seg.ack_seq !== ((req.snt_isn + 1) >>> 0))) return { child: null, rst: true };
  const rcv_nxt = (req.rcv_isn + 1) >>> 0;
  if (paws_reject || !(!after(seg.seq, (rcv_nxt + req.rcv_wnd) >>> 0) && !before(seg.end_seq, rcv_nxt))) {
    if (!(th & TCPHDR_RST)) {
      ops.send_ack(req, seg);
    }
    if (paws_reject) NET_INC_STATS(net, 'PAWSEstab');
    return { child: null, rst: false };
  }
  if (opt.saw_tstamp && !after(seg.seq, rcv_nxt)) req.ts_recent = opt.rcv_tsval;
  if (seg.seq === req.rcv_isn) {
    // A SYN inside the window: drop it (it had the ISN, so it is not new).
  }
  if (th & (TCPHDR_RST | TCPHDR_SYN)) {
    NET_INC_STATS(net, 'EmbryonicRsts');
    return { child: null, rst: !(th & TCPHDR_RST) };
  }
  if (!(th & TCPHDR_ACK)) return { child: null, rst: false };
  const child = ops.syn_recv_sock(sk, seg, req);
  if (!child) {
    // listen_overflow
    if (!net.sysctlInt('net.ipv4.tcp_abort_on_overflow')) {
      req.acked = true;
      return { child: null, rst: false };
    }
    return { child: null, rst: true };
  }
  void skb;
  return { child, rst: false };
}

export { inet_ehash_replace };
