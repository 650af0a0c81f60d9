// net/ipv4/tcp_timer.c: the retransmission timer (RTO with exponential
// backoff, linear for the first SYNs, giving up after tcp_retries2 or
// tcp_syn_retries), the RACK reordering and tail-loss-probe timers that share
// it, zero-window probes, the delayed-ACK timer, and the keepalive timer that
// also ends orphaned FIN_WAIT2 sockets.
import { type TcpSock, TCP_RTO_MAX, TCP_RTO_MIN, TCP_TIMEOUT_INIT, TCP_TIMEWAIT_LEN, TCP_ATO_MIN, TCP_RESOURCE_PROBE_INTERVAL, ICSK_ACK_TIMER, jiffies_ns, tcp_time_stamp_ms } from './tcp_sock.js';
import { inet_csk_reset_xmit_timer, inet_csk_ack_scheduled, inet_csk_in_pingpong_mode, inet_csk_exit_pingpong_mode, inet_csk_reset_keepalive_timer } from './inet_connection_sock.js';
import { tcp_mstamp_refresh, tcp_send_ack, tcp_retransmit_skb, tcp_send_loss_probe, tcp_send_probe0, tcp_write_wakeup, tcp_write_xmit, tcp_current_mss } from './tcp_output.js';
import { tcp_enter_loss, tcp_fin_time } from './tcp_input.js';
import { tcp_rack_reo_timeout } from './tcp_recovery.js';
import { tcp_done_with_error, tcp_done } from './tcp.js';
import { tcp_time_wait } from './tcp_minisocks.js';
import { tcp_send_active_reset } from './tcp_output.js';
import { NET_INC_STATS } from '../snmp_stats.js';

/** tcp_model_timeout: how long `boundary` backed-off retransmissions take (ms). */
function tcp_model_timeout(boundary: number, rto_base_ms: number): number {
  const thresh = Math.floor(Math.log2(TCP_RTO_MAX / 1e6 / rto_base_ms));
  if (boundary <= thresh) return ((2 << boundary) - 1) * rto_base_ms;
  return ((2 << thresh) - 1) * rto_base_ms + (boundary - thresh) * (TCP_RTO_MAX / 1e6);
}

function retransmits_timed_out(sk: TcpSock, boundary: number, timeout_ms: number): boolean {
  if (!sk.retransmits) return false;
  const start_ms = Math.floor(sk.retrans_stamp / 1000);
  if (timeout_ms === 0) {
    const rto_base = sk.state === 'SYN_SENT' || sk.state === 'SYN_RECV' ? TCP_TIMEOUT_INIT / 1e6 : TCP_RTO_MIN / 1e6;
    timeout_ms = tcp_model_timeout(boundary, rto_base);
  }
  return tcp_time_stamp_ms(sk.net) - start_ms - timeout_ms >= 0;
}

function tcp_orphan_retries(sk: TcpSock, alive: boolean): number {
  let retries = sk.net.sysctlInt('net.ipv4.tcp_orphan_retries');
  if (sk.err_soft && !alive) retries = 0;
  if (retries === 0 && alive) retries = 8;
  return retries;
}

/** tcp_write_err: give up (ETIMEDOUT unless an ICMP error said more). */
function tcp_write_err(sk: TcpSock): void {
  tcp_done_with_error(sk, sk.err_soft ?? 'ETIMEDOUT');
  NET_INC_STATS(sk.net, 'TCPAbortOnTimeout');
}

/** tcp_write_timeout: true when the connection was given up. */
function tcp_write_timeout(sk: TcpSock): boolean {
  const net = sk.net;
  let expired = false;
  let retry_until: number;
  if (sk.state === 'SYN_SENT' || sk.state === 'SYN_RECV') {
    retry_until = sk.syn_retries || net.sysctlInt('net.ipv4.tcp_syn_retries');
    let max_retransmits = retry_until;
    if (sk.state === 'SYN_SENT') max_retransmits += net.sysctlInt('net.ipv4.tcp_syn_linear_timeouts');
    expired = sk.retransmits >= max_retransmits;
  } else {
    retry_until = net.sysctlInt('net.ipv4.tcp_retries2');
    if (sk.dead) {
      const alive = sk.rto < TCP_RTO_MAX;
      retry_until = tcp_orphan_retries(sk, alive);
    }
  }
  if (!expired) expired = retransmits_timed_out(sk, retry_until, sk.user_timeout);
  if (expired) {
    tcp_write_err(sk);
    return true;
  }
  // sk_rethink_txhash: with net.core.txrehash a timeout picks a new flow hash.
  if (net.sysctlInt('net.core.txrehash')) {
    sk.timeout_rehash++;
    NET_INC_STATS(net, 'TcpTimeoutRehash');
  }
  return false;
}

/** tcp_retransmit_timer: the RTO fired. */
export function tcp_retransmit_timer(sk: TcpSock): void {
  const net = sk.net;
  if (!sk.packets_out) return;
  const skb = sk.rtx_queue[0];
  if (!skb) return;
  if (!sk.snd_wnd && !sk.dead && sk.state !== 'SYN_SENT' && sk.state !== 'SYN_RECV') {
    // The peer shrank its window to zero: retransmissions act as probes.
    tcp_enter_loss(sk);
    tcp_retransmit_skb(sk, skb);
  } else {
    NET_INC_STATS(net, 'TCPTimeouts');
    if (tcp_write_timeout(sk)) return;
    if (sk.retransmits === 0) {
      let mib: string | null = null;
      if (sk.ca_state === 'Recovery') mib = sk.rx_opt.sack_ok ? 'TCPSackRecoveryFail' : 'TCPRenoRecoveryFail';
      else if (sk.ca_state === 'Loss') mib = 'TCPLossFailures';
      else if (sk.ca_state === 'Disorder' || sk.sacked_out) mib = sk.rx_opt.sack_ok ? 'TCPSackFailures' : 'TCPRenoFailures';
      if (mib) NET_INC_STATS(net, mib);
    }
    tcp_enter_loss(sk);
    // tcp_update_rto_stats
    sk.retransmits++;
    (sk as any).total_rto = ((sk as any).total_rto ?? 0) + 1;
    if (tcp_retransmit_skb(sk, sk.rtx_queue[0]) > 0) {
      inet_csk_reset_xmit_timer(sk, 'RETRANS', TCP_RESOURCE_PROBE_INTERVAL, TCP_RTO_MAX);
      return;
    }
  }
  if (sk.state !== 'SYN_SENT' || (sk as any).total_rto > net.sysctlInt('net.ipv4.tcp_syn_linear_timeouts')) {
    sk.backoff++;
    sk.rto = Math.min(sk.rto * 2, TCP_RTO_MAX);
  }
  inet_csk_reset_xmit_timer(sk, 'RETRANS', sk.rto, TCP_RTO_MAX);
  if (retransmits_timed_out(sk, net.sysctlInt('net.ipv4.tcp_retries1') + 1, 0)) sk.dst = null;
}

/** tcp_probe_timer: the zero-window probe timer. */
function tcp_probe_timer(sk: TcpSock): void {
  const skb = sk.write_queue[0];
  if (sk.packets_out || !skb) {
    sk.probes_out = 0;
    sk.probes_tstamp = 0;
    return;
  }
  if (!sk.probes_tstamp) sk.probes_tstamp = jiffies_ns(sk.net);
  let max_probes = sk.net.sysctlInt('net.ipv4.tcp_retries2');
  if (sk.dead) {
    const alive = Math.min(sk.rto * 2 ** sk.backoff, TCP_RTO_MAX) < TCP_RTO_MAX;
    max_probes = tcp_orphan_retries(sk, alive);
    if (!alive && sk.backoff >= max_probes) return tcp_write_err(sk);
  }
  if (sk.probes_out >= max_probes) tcp_write_err(sk);
  else tcp_send_probe0(sk);
}

/** tcp_write_timer_handler: one timer, four purposes (icsk_pending). */
export function tcp_write_timer(sk: TcpSock): void {
  if (sk.state === 'CLOSE' || sk.state === 'LISTEN' || !sk.pending) return;
  tcp_mstamp_refresh(sk);
  switch (sk.pending) {
    case 'REO_TIMEOUT':
      tcp_rack_reo_timeout(sk);
      break;
    case 'LOSS_PROBE':
      tcp_send_loss_probe(sk);
      break;
    case 'RETRANS':
      sk.pending = 0;
      tcp_retransmit_timer(sk);
      break;
    case 'PROBE0':
      sk.pending = 0;
      tcp_probe_timer(sk);
      break;
  }
}

/** tcp_delack_timer_handler: the delayed ACK is due. */
export function tcp_delack_timer(sk: TcpSock): void {
  if (sk.state === 'CLOSE' || sk.state === 'LISTEN' || !(sk.ack.pending & ICSK_ACK_TIMER)) return;
  sk.ack.pending &= ~ICSK_ACK_TIMER;
  if (inet_csk_ack_scheduled(sk)) {
    if (!inet_csk_in_pingpong_mode(sk)) sk.ack.ato = Math.min(sk.ack.ato * 2, sk.rto);
    else {
      inet_csk_exit_pingpong_mode(sk);
      sk.ack.ato = TCP_ATO_MIN;
    }
    tcp_mstamp_refresh(sk);
    tcp_send_ack(sk);
    NET_INC_STATS(sk.net, 'DelayedACKs');
  }
}

/** tcp_keepalive_timer: keepalive probes, and the end of an orphan's FIN_WAIT2. */
export function tcp_keepalive_timer(sk: TcpSock): void {
  const net = sk.net;
  if (sk.state === 'LISTEN') return;
  tcp_mstamp_refresh(sk);
  if (sk.state === 'FIN_WAIT2' && sk.dead) {
    if (sk.linger2 >= 0) {
      const tmo = tcp_fin_time(sk) - TCP_TIMEWAIT_LEN;
      if (tmo > 0) {
        tcp_time_wait(sk, 'FIN_WAIT2', tmo);
        return;
      }
    }
    tcp_send_active_reset(sk);
    tcp_done(sk);
    return;
  }
  if (!sk.keepalive || sk.state === 'CLOSE' || sk.state === 'SYN_SENT') return;
  const time_when = (sk.keepalive_time || net.sysctlInt('net.ipv4.tcp_keepalive_time')) * 1e9;
  const intvl = (sk.keepalive_intvl || net.sysctlInt('net.ipv4.tcp_keepalive_intvl')) * 1e9;
  const probes = sk.keepalive_probes || net.sysctlInt('net.ipv4.tcp_keepalive_probes');
  let elapsed = time_when;
  if (!sk.packets_out && !sk.write_queue.length) {
    const now = jiffies_ns(net);
    elapsed = Math.min(now - sk.ack.lrcvtime, now - ((sk as any).rcv_tstamp ?? 0));
    if (elapsed >= time_when) {
      if (sk.probes_out >= probes) {
        tcp_send_active_reset(sk);
        tcp_write_err(sk);
        return;
      }
      if (tcp_write_wakeup(sk) <= 0) {
        NET_INC_STATS(net, 'TCPKeepAlive');
        sk.probes_out++;
        elapsed = intvl;
      } else elapsed = TCP_RESOURCE_PROBE_INTERVAL;
    } else elapsed = time_when - elapsed;
  }
  inet_csk_reset_keepalive_timer(sk, elapsed);
}

/** tcp_pace_kick: the pacing timer lets the next segment go. */
export function tcp_pace_kick(sk: TcpSock): void {
  if (sk.state === 'CLOSE') return;
  tcp_write_xmit(sk, tcp_current_mss(sk), sk.nonagle, 0);
}
