// net/ipv4/tcp_output.c: building segments (options, the advertised window),
// sending new data under the receive window, cwnd, Nagle, TCP small queues
// and pacing, ACKs (immediate and delayed), FIN, RST, SYN, retransmissions,
// tail loss probes and zero-window probes; and ip_queue_xmit (ip_output.c),
// which puts the IP header on a socket's segment.
//
// The write queue holds one skb per segment of at most one MSS: what Linux
// does with GSO super-packets that the device splits, done here before IP.
import type { Net } from '../net_namespace.js';
import { type SkBuff, type SkbOwner, alloc_skb, kfree_skb, MAX_HEADER } from '../core/skbuff.js';
import type { DropReason } from '../core/dropreason.js';
import { iph, IPPROTO_TCP, IP_DF } from '../wire/ip.js';
import { ETH_P_IP } from '../wire/ethernet.js';
import { ip_route_output_key, dst_mtu, type Rtable } from './route.js';
import { ip_local_out } from './ip_output.js';
import {
  type TcpSock,
  TCP_SKB_CB,
  tcp_skb_cb_init,
  tcp_packets_in_flight,
  tcp_receive_window,
  tcp_space,
  tcp_full_space,
  tcp_clock_us,
  tcp_time_stamp_ms,
  jiffies_ns,
  sk_reset_timer,
  TCPCB_SACKED_ACKED,
  TCPCB_SACKED_RETRANS,
  TCPCB_LOST,
  TCPCB_EVER_RETRANS,
  ICSK_ACK_TIMER,
  ICSK_ACK_SCHED,
  ICSK_ACK_PUSHED,
  TCP_ATO_MIN,
  TCP_DELACK_MIN,
  TCP_DELACK_MAX,
  TCP_RTO_MAX,
  TCP_RTO_MIN,
  TCP_TIMEOUT_INIT,
  TCP_TIMEOUT_MIN,
  TCP_RESOURCE_PROBE_INTERVAL,
  TCP_MAX_WSCALE,
  TCP_MIN_MSS,
  SEND_SHUTDOWN,
  skb_truesize_for,
  tcp_rmem,
  tcp_wmem_charge,
} from './tcp_sock.js';
import {
  TCPHDR_ACK,
  TCPHDR_FIN,
  TCPHDR_PSH,
  TCPHDR_RST,
  TCPHDR_SYN,
  TCP_HLEN,
  MAX_TCP_OPTION_SPACE,
  TCPOLEN_TSTAMP_ALIGNED,
  TCPOLEN_SACK_BASE_ALIGNED,
  TCPOLEN_SACK_PERBLOCK,
  type TcpOutOptions,
  tcp_options_size,
  tcp_options_write,
  tcp_write_header,
  tcp_v4_send_check,
  before,
  after,
} from './tcp_hdr.js';
import { inet_csk_reset_xmit_timer, inet_csk_clear_xmit_timer, inet_csk_in_pingpong_mode, inet_csk_inc_pingpong_cnt, inet_csk_ack_scheduled } from './inet_connection_sock.js';
import { tcp_ca_event, tcp_is_cwnd_limited, CA_EVENT_TX_START } from './tcp_cong.js';
import { tcp_rate_skb_sent } from './tcp_rate.js';
import { TCP_INC_STATS, NET_INC_STATS, IP_INC_STATS } from '../snmp_stats.js';
import { COST } from '../../kernel/costs.js';
import { run_on_cpu } from '../../kernel/softirq.js';

export const TCP_NAGLE_OFF = 1;
export const TCP_NAGLE_CORK = 2;
export const TCP_NAGLE_PUSH = 4;

export function tcp_mstamp_refresh(tp: TcpSock): void {
  tp.tcp_mstamp = tcp_clock_us(tp.net);
}

// ---- sizes ---------------------------------------------------------------------

/** __tcp_mtu_to_mss / tcp_mtu_to_mss: what fits in one IP packet of pmtu. */
export function tcp_mtu_to_mss(tp: TcpSock, pmtu: number): number {
  let mss = pmtu - 20 - TCP_HLEN;
  if (mss > tp.rx_opt.mss_clamp) mss = tp.rx_opt.mss_clamp;
  mss = Math.max(mss, tp.net.sysctlInt('net.ipv4.tcp_min_snd_mss'));
  return mss - (tp.tcp_header_len - TCP_HLEN);
}

/** tcp_bound_to_half_wnd. */
function tcp_bound_to_half_wnd(tp: TcpSock, pktsize: number): number {
  let cutoff = tp.max_window > TCP_MSS_DEFAULT_ ? tp.max_window >> 1 : tp.max_window;
  if (cutoff && pktsize > cutoff) return Math.max(cutoff, 68 - tp.tcp_header_len);
  return pktsize;
}
const TCP_MSS_DEFAULT_ = 536;

/** tcp_sync_mss: recompute mss_cache for a path MTU. */
export function tcp_sync_mss(tp: TcpSock, pmtu: number): number {
  let mss = tcp_mtu_to_mss(tp, pmtu);
  mss = tcp_bound_to_half_wnd(tp, mss);
  tp.pmtu_cookie = pmtu;
  tp.mss_cache = mss;
  return mss;
}

/** tcp_current_mss: the MSS for data now, less the SACK blocks this ACK carries. */
export function tcp_current_mss(tp: TcpSock): number {
  let mss = tp.mss_cache;
  const rt = tp.dst;
  if (rt) {
    const mtu = dst_mtu(tp.net, rt);
    if (mtu !== tp.pmtu_cookie) mss = tcp_sync_mss(tp, mtu);
  }
  const hlen = tcp_established_options_size(tp) + TCP_HLEN;
  if (hlen !== tp.tcp_header_len) mss -= hlen - tp.tcp_header_len;
  return mss;
}

/** tcp_advertise_mss: our MSS option, from the route's device MTU. */
export function tcp_advertise_mss(tp: TcpSock): number {
  const rt = tp.dst;
  if (rt) {
    const metric = dst_mtu(tp.net, rt) - 40;
    if (metric < tp.advmss) tp.advmss = metric;
  }
  return tp.advmss;
}

// ---- options ---------------------------------------------------------------------

function tcp_established_options_size(tp: TcpSock): number {
  let size = 0;
  if (tp.rx_opt.tstamp_ok) size += TCPOLEN_TSTAMP_ALIGNED;
  const eff = tp.selective_acks.length + (tp.rx_opt.dsack ? 1 : 0);
  if (eff) {
    const remaining = MAX_TCP_OPTION_SPACE - size;
    const n = Math.min(eff, Math.floor((remaining - TCPOLEN_SACK_BASE_ALIGNED) / TCPOLEN_SACK_PERBLOCK));
    if (n > 0) size += TCPOLEN_SACK_BASE_ALIGNED + n * TCPOLEN_SACK_PERBLOCK;
  }
  return size;
}

/** tcp_established_options: timestamps and SACK blocks (a D-SACK first). */
function tcp_established_options(tp: TcpSock, tsval: number): TcpOutOptions {
  const opts: TcpOutOptions = {};
  let size = 0;
  if (tp.rx_opt.tstamp_ok) {
    opts.ts = { val: tsval, ecr: tp.rx_opt.ts_recent };
    size += TCPOLEN_TSTAMP_ALIGNED;
  }
  const blocks: [number, number][] = [];
  if (tp.rx_opt.dsack && tp.duplicate_sack) blocks.push(tp.duplicate_sack);
  blocks.push(...tp.selective_acks);
  if (blocks.length) {
    const remaining = MAX_TCP_OPTION_SPACE - size;
    const n = Math.min(blocks.length, Math.floor((remaining - TCPOLEN_SACK_BASE_ALIGNED) / TCPOLEN_SACK_PERBLOCK));
    if (n > 0) opts.sacks = blocks.slice(0, n);
    tp.rx_opt.dsack = false;
  }
  return opts;
}

/** tcp_syn_options: MSS, SACK permitted, timestamps, window scale as the sysctls allow. */
function tcp_syn_options(tp: TcpSock, tsval: number): TcpOutOptions {
  const net = tp.net;
  const opts: TcpOutOptions = { mss: tcp_advertise_mss(tp) };
  if (net.sysctlInt('net.ipv4.tcp_timestamps')) opts.ts = { val: tsval, ecr: tp.rx_opt.ts_recent };
  if (net.sysctlInt('net.ipv4.tcp_window_scaling')) opts.wscale = tp.rx_opt.rcv_wscale;
  if (net.sysctlInt('net.ipv4.tcp_sack')) opts.sack_perm = true;
  return opts;
}

// ---- the advertised window ---------------------------------------------------------

/** __tcp_select_window: free space, bounded by rcv_ssthresh, never shrunk. */
export function __tcp_select_window(tp: TcpSock): number {
  let mss = tp.ack.rcv_mss;
  let free_space = tcp_space(tp);
  const allowed_space = tcp_full_space(tp);
  const full_space = Math.min(tp.window_clamp, allowed_space);
  if (mss > full_space) {
    mss = full_space;
    if (mss <= 0) return 0;
  }
  const ws = tp.rx_opt.rcv_wscale;
  if (free_space < full_space >> 1) {
    tp.ack.quick = 0;
    free_space = free_space - (free_space % (1 << ws));
    if (free_space < allowed_space >> 4 || free_space < mss) return 0;
  }
  if (free_space > tp.rcv_ssthresh) free_space = tp.rcv_ssthresh;
  let window: number;
  if (ws) {
    window = Math.ceil(free_space / (1 << ws)) * (1 << ws);
  } else {
    window = tp.rcv_wnd;
    if (window <= free_space - mss || window > free_space) window = Math.floor(free_space / mss) * mss;
    else if (mss === full_space && free_space > window + (full_space >> 1)) window = free_space;
  }
  return window;
}

/** tcp_select_window: the value for th->window (scaled). */
export function tcp_select_window(tp: TcpSock): number {
  const net = tp.net;
  const old_win = tp.rcv_wnd;
  const cur_win = tcp_receive_window(tp);
  let new_win = __tcp_select_window(tp);
  const ws = tp.rx_opt.rcv_wscale;
  if (new_win < cur_win) {
    if (new_win === 0) NET_INC_STATS(net, 'TCPWantZeroWindowAdv');
    new_win = Math.ceil(cur_win / (1 << ws)) * (1 << ws);
  }
  tp.rcv_wnd = new_win;
  tp.rcv_wup = tp.rcv_nxt;
  new_win = Math.min(new_win, 65535 * 2 ** ws);
  new_win = Math.floor(new_win / 2 ** ws);
  if (new_win === 0) {
    if (old_win) NET_INC_STATS(net, 'TCPToZeroWindowAdv');
  } else if (old_win === 0) NET_INC_STATS(net, 'TCPFromZeroWindowAdv');
  return new_win;
}

/** tcp_select_initial_window: the SYN's window, the clamp and our window scale. */
export function tcp_select_initial_window(net: Net, space: number, mss: number, window_clamp: number, wscale_ok: boolean): { rcv_wnd: number; window_clamp: number; rcv_wscale: number } {
  if (space < 0) space = 0;
  if (window_clamp === 0) window_clamp = 65535 << TCP_MAX_WSCALE;
  space = Math.min(window_clamp, space);
  if (space > mss) space = Math.floor(space / mss) * mss;
  const rcv_wnd = net.sysctlInt('net.ipv4.tcp_workaround_signed_windows') ? Math.min(space, 32767) : space;
  let rcv_wscale = 0;
  if (wscale_ok) {
    let s = Math.max(space, tcp_rmem(net)[2], net.sysctlInt('net.core.rmem_max'));
    s = Math.min(s, window_clamp);
    rcv_wscale = Math.max(0, Math.min(TCP_MAX_WSCALE, Math.floor(Math.log2(s)) - 15));
  }
  return { rcv_wnd, window_clamp: Math.min(65535 * 2 ** rcv_wscale, window_clamp), rcv_wscale };
}

// ---- transmit one segment ------------------------------------------------------------

/** The socket's packets below TCP stay charged to it until the driver frees
 * them (skb->destructor = tcp_wfree): an owner that forwards the skb
 * accounting to the namespace and calls back on free. */
class TcpTxOwner implements SkbOwner {
  constructor(
    readonly net: Net,
    readonly sk: TcpSock,
  ) {}
  get outstanding(): number {
    return this.net.outstanding;
  }
  set outstanding(v: number) {
    this.net.outstanding = v;
  }
  get nextId(): number {
    return this.net.nextId;
  }
  set nextId(v: number) {
    this.net.nextId = v;
  }
  onFree(skb: SkBuff, reason: DropReason | null, where: string): void {
    if ((skb as any).tsq_charged) tcp_wfree(this.sk, skb);
    this.net.onFree?.(skb, reason, where);
  }
}

function txOwner(sk: TcpSock): TcpTxOwner {
  return ((sk as any).txOwner ??= new TcpTxOwner(sk.net, sk));
}

/** tcp_wfree: a packet left the host; TCP small queues may send more. */
function tcp_wfree(sk: TcpSock, skb: SkBuff): void {
  sk.wmem_tx -= skb.truesize;
  if ((sk as any).tsq_throttled && sk.state !== 'CLOSE') {
    (sk as any).tsq_throttled = false;
    // tcp_tsq_handler runs from the TSQ tasklet after the free.
    const net = sk.net;
    net.engine.at(net.now(), () => run_on_cpu(net, net.cpus[0], 'softirq', () => tcp_tsq_write(sk)));
  }
}

/** tcp_tsq_write. */
function tcp_tsq_write(sk: TcpSock): void {
  if (sk.state === 'ESTABLISHED' || sk.state === 'FIN_WAIT1' || sk.state === 'CLOSING' || sk.state === 'CLOSE_WAIT' || sk.state === 'LAST_ACK') {
    if (sk.lost_out > sk.retrans_out && sk.snd_cwnd > tcp_packets_in_flight(sk)) {
      tcp_mstamp_refresh(sk);
      tcp_xmit_retransmit_queue(sk);
    }
    tcp_write_xmit(sk, tcp_current_mss(sk), sk.nonagle, 0);
  }
}

/** __sk_dst_check / inet_sk_rebuild_header: the cached route, or a new one. */
export function tcp_route(sk: TcpSock): Rtable | string {
  const net = sk.net;
  if (sk.dst && sk.dst_genid === net.fib.genid) return sk.dst;
  const fl = { daddr: sk.daddr, saddr: sk.saddr, oif: sk.bound_dev_if, tos: sk.tos, scope: 0, proto: IPPROTO_TCP, sport: sk.num, dport: sk.dport };
  const rt = ip_route_output_key(net, fl);
  if ('err' in rt) {
    sk.dst = null;
    return rt.err;
  }
  sk.dst = rt;
  sk.dst_genid = net.fib.genid;
  return rt;
}

/** ip_queue_xmit (net/ipv4/ip_output.c): route by the socket, push the IP
 * header (DF by default, the connection's IP ID), LOCAL_OUT. Consumes skb. */
export function ip_queue_xmit(sk: TcpSock, skb: SkBuff): number {
  const net = sk.net;
  const rt = tcp_route(sk);
  if (typeof rt === 'string') {
    IP_INC_STATS(net, 'OutNoRoutes');
    sk.err_soft = 'EHOSTUNREACH';
    kfree_skb(skb, 'IP_OUTNOROUTES', 'ip_queue_xmit');
    return -1;
  }
  const o = skb.skb_push(20);
  const df = sk.pmtudisc === 'want' || sk.pmtudisc === 'do' || sk.pmtudisc === 'probe';
  let id = 0;
  if (df) {
    id = sk.inet_id & 0xffff;
    sk.inet_id = (sk.inet_id + 1) & 0xffff;
  } else id = net.ipv4.ip_id_next++ & 0xffff;
  iph.write(skb.buf, o, {
    tos: sk.tos,
    tot_len: skb.len,
    id,
    frag_off: df ? IP_DF : 0,
    ttl: sk.ttl >= 0 ? sk.ttl : net.sysctlInt('net.ipv4.ip_default_ttl'),
    protocol: IPPROTO_TCP,
    saddr: sk.saddr,
    daddr: sk.daddr,
  });
  skb.skb_reset_network_header();
  skb.protocol = ETH_P_IP;
  skb.cb.ignore_df = df ? 0 : 1;
  return ip_local_out(net, skb, rt);
}

function tcp_skb_timestamp_ts(tp: TcpSock, skb_mstamp_us: number): number {
  return (Math.floor(skb_mstamp_us / 1000) + tp.tsoffset) >>> 0;
}

/** __tcp_transmit_skb: header, options, window and checksum on a copy of the
 * queued skb (clone_it), counters, then ip_queue_xmit. Returns 0 or < 0. */
export function tcp_transmit_skb(sk: TcpSock, skb: SkBuff, clone_it: boolean, rcv_nxt = sk.rcv_nxt): number {
  const net = sk.net;
  const tcb = TCP_SKB_CB(skb);
  net.spend(COST.ip_output);
  const prior_wstamp = sk.wstamp_ns;
  sk.wstamp_ns = Math.max(sk.wstamp_ns, net.now());
  tcb.mstamp = Math.floor(sk.wstamp_ns / 1000);
  const rt = tcp_route(sk);
  const viaLo = typeof rt !== 'string' && rt.dev.isLoopback;
  let out: SkBuff;
  if (clone_it) {
    out = skb.copy(viaLo ? net : txOwner(sk));
    out.truesize = skb.truesize;
    if (!viaLo) (skb as any).tx_copy = out;
  } else out = skb;
  const syn = (tcb.tcp_flags & TCPHDR_SYN) !== 0;
  const tsval = tcp_skb_timestamp_ts(sk, tcb.mstamp);
  const opts = syn ? tcp_syn_options(sk, tsval) : tcp_established_options(sk, tsval);
  const hlen = TCP_HLEN + tcp_options_size(opts);
  const th = out.skb_push(hlen);
  out.skb_reset_transport_header();
  const isPureAck = tcb.seq === tcb.end_seq && !(tcb.tcp_flags & (TCPHDR_SYN | TCPHDR_FIN | TCPHDR_RST));
  if (!viaLo && !isPureAck) {
    (out as any).tsq_charged = true;
    sk.wmem_tx += out.truesize;
  }
  const window = syn ? Math.min(sk.rcv_wnd, 65535) : tcp_select_window(sk);
  tcp_write_header(out.buf, th, { source: sk.num, dest: sk.dport, seq: tcb.seq, ack_seq: rcv_nxt, hlen, flags: tcb.tcp_flags, window });
  tcp_options_write(out.buf, th + TCP_HLEN, opts);
  tcp_v4_send_check(out.buf, th, out.len, sk.saddr, sk.daddr);
  if (tcb.tcp_flags & TCPHDR_ACK) tcp_event_ack_sent(sk, rcv_nxt);
  const dlen = out.len - hlen;
  if (dlen) {
    tcp_event_data_sent(sk);
    sk.data_segs_out++;
    sk.bytes_sent += dlen;
  }
  if (after(tcb.end_seq, sk.snd_nxt) || tcb.seq === tcb.end_seq) TCP_INC_STATS(net, 'OutSegs');
  sk.segs_out++;
  out.sk = sk;
  net.tracer.fn(out, 'tcp_transmit_skb', `${sk.num} > ${sk.dport} seq ${tcb.seq} len ${dlen} flags ${tcb.tcp_flags.toString(16)}`);
  const err = ip_queue_xmit(sk, out);
  if (!err && clone_it) {
    tcp_update_skb_after_send(sk, skb, prior_wstamp);
    tcp_rate_skb_sent(sk, skb);
  }
  return err;
}

/** tcp_update_skb_after_send: with internal pacing, the next departure time. */
function tcp_update_skb_after_send(sk: TcpSock, skb: SkBuff, prior_wstamp: number): void {
  if (sk.pacing_status !== 'none') {
    const rate = sk.pacing_rate;
    if (rate && sk.data_segs_out >= 10) {
      let len_ns = Math.floor((skb.len * 1e9) / rate);
      const credit = sk.wstamp_ns - prior_wstamp;
      len_ns -= Math.min(Math.floor(len_ns / 2), credit);
      sk.wstamp_ns += len_ns;
    }
  }
}

/** tcp_event_ack_sent: an ACK went out, the delayed one is not needed. */
function tcp_event_ack_sent(sk: TcpSock, rcv_nxt: number): void {
  if (rcv_nxt !== sk.rcv_nxt) return;
  tcp_dec_quickack_mode(sk);
  inet_csk_clear_xmit_timer(sk, 'DACK');
}

function tcp_dec_quickack_mode(sk: TcpSock): void {
  if (sk.ack.quick) {
    const pkts = inet_csk_ack_scheduled(sk) ? 1 : 0;
    if (pkts >= sk.ack.quick) {
      sk.ack.quick = 0;
      sk.ack.ato = TCP_ATO_MIN;
    } else sk.ack.quick -= pkts;
  }
}

/** tcp_event_data_sent: a reply within ato of the last receive counts toward ping-pong. */
function tcp_event_data_sent(sk: TcpSock): void {
  const now = jiffies_ns(sk.net);
  if (tcp_packets_in_flight(sk) === 0) tcp_ca_event(sk, CA_EVENT_TX_START);
  sk.lsndtime = now;
  if (now - sk.ack.lrcvtime < sk.ack.ato) inet_csk_inc_pingpong_cnt(sk);
}

// ---- queueing and sending new data ------------------------------------------------------

/** tcp_stream_alloc_skb: an skb for up to `size` bytes with room for headers. */
export function tcp_stream_alloc_skb(sk: TcpSock, size: number): SkBuff {
  const skb = alloc_skb(sk.net, size, MAX_HEADER);
  skb.truesize = skb_truesize_for(Math.max(size, 1) + MAX_HEADER);
  return skb;
}

/** tcp_event_new_data_sent: the head of the write queue moves to the rtx queue. */
function tcp_event_new_data_sent(sk: TcpSock, skb: SkBuff): void {
  const prior_packets = sk.packets_out;
  sk.snd_nxt = TCP_SKB_CB(skb).end_seq;
  sk.write_queue.shift();
  sk.rtx_queue.push(skb);
  sk.packets_out += 1;
  if (!prior_packets || sk.pending === 'LOSS_PROBE') tcp_rearm_rto(sk);
  NET_INC_STATS(sk.net, 'TCPOrigDataSent');
}

/** tcp_minshall_update: remember the end of the last small segment sent. */
function tcp_minshall_update(tp: TcpSock, mss_now: number, skb: SkBuff): void {
  if (skb.len < mss_now) tp.snd_sml = TCP_SKB_CB(skb).end_seq;
}

function tcp_minshall_check(tp: TcpSock): boolean {
  return after(tp.snd_sml, tp.snd_una) && !after(tp.snd_sml, tp.snd_nxt);
}

/** tcp_nagle_check: true means "hold this partial segment". */
function tcp_nagle_check(partial: boolean, tp: TcpSock, nonagle: number): boolean {
  return partial && ((nonagle & TCP_NAGLE_CORK) !== 0 || (!nonagle && tp.packets_out > 0 && tcp_minshall_check(tp)));
}

/** tcp_nagle_test: may this segment go now? */
function tcp_nagle_test(tp: TcpSock, skb: SkBuff, cur_mss: number, nonagle: number): boolean {
  if (nonagle & TCP_NAGLE_PUSH) return true;
  if (TCP_SKB_CB(skb).tcp_flags & TCPHDR_FIN) return true;
  return !tcp_nagle_check(skb.len < cur_mss, tp, nonagle);
}

/** tcp_snd_wnd_test: does the segment fit the peer's window? */
function tcp_snd_wnd_test(tp: TcpSock, skb: SkBuff, cur_mss: number): boolean {
  let end_seq = TCP_SKB_CB(skb).end_seq;
  if (skb.len > cur_mss) end_seq = (TCP_SKB_CB(skb).seq + cur_mss) >>> 0;
  return !after(end_seq, tcp_wnd_end(tp));
}

export function tcp_wnd_end(tp: TcpSock): number {
  return (tp.snd_una + tp.snd_wnd) >>> 0;
}

/** tcp_cwnd_test: room in the congestion window. */
function tcp_cwnd_test(tp: TcpSock): number {
  const in_flight = tcp_packets_in_flight(tp);
  const cwnd = tp.snd_cwnd;
  if (in_flight >= cwnd) return 0;
  return cwnd - in_flight;
}

function tcp_rtx_queue_empty_or_single_skb(tp: TcpSock): boolean {
  return tp.rtx_queue.length <= 1;
}

/** tcp_small_queue_check: at most ~1 ms of data (or two packets) below TCP. */
function tcp_small_queue_check(sk: TcpSock, skb: SkBuff): boolean {
  let limit = Math.max(2 * skb.truesize, Math.floor(sk.pacing_rate / 2 ** sk.pacing_shift));
  if (sk.pacing_status === 'none') limit = Math.min(limit, sk.net.sysctlInt('net.ipv4.tcp_limit_output_bytes'));
  if (sk.wmem_tx > limit) {
    if (tcp_rtx_queue_empty_or_single_skb(sk)) return false;
    (sk as any).tsq_throttled = true;
    if (sk.wmem_tx > limit) return true;
  }
  return false;
}

/** tcp_pacing_check: with internal pacing, wait for the next departure time. */
function tcp_pacing_check(sk: TcpSock): boolean {
  if (sk.pacing_status !== 'needed') return false;
  const now = sk.net.now();
  if (sk.wstamp_ns <= now) return false;
  if (!sk.pacing_timer.pending) sk.pacing_timer.mod(sk.wstamp_ns);
  return true;
}

/** tcp_write_xmit: send what the windows, Nagle, TSQ and pacing allow.
 * push_one 2 forces one segment out as a loss probe. Returns true when
 * nothing is in flight but data waits (the caller probes the window). */
export function tcp_write_xmit(sk: TcpSock, mss_now: number, nonagle: number, push_one: number): boolean {
  let sent_pkts = 0;
  let is_cwnd_limited = false;
  tcp_mstamp_refresh(sk);
  let skb: SkBuff | undefined;
  while ((skb = sk.write_queue[0])) {
    if (tcp_pacing_check(sk)) break;
    let cwnd_quota = tcp_cwnd_test(sk);
    if (!cwnd_quota) {
      if (push_one === 2) cwnd_quota = 1;
      else break;
    }
    if (!tcp_snd_wnd_test(sk, skb, mss_now)) {
      tcp_chrono_start(sk, 2);
      break;
    }
    const last = sk.write_queue.length === 1;
    if (!tcp_nagle_test(sk, skb, mss_now, last ? nonagle : TCP_NAGLE_PUSH)) break;
    if (skb.len > mss_now) tso_fragment(sk, skb, mss_now);
    if (tcp_small_queue_check(sk, skb)) break;
    const tcb = TCP_SKB_CB(skb);
    if (tcb.end_seq === tcb.seq) break;
    if (tcp_transmit_skb(sk, skb, true)) break;
    tcp_event_new_data_sent(sk, skb);
    tcp_minshall_update(sk, mss_now, skb);
    sent_pkts++;
    if (push_one) break;
  }
  is_cwnd_limited ||= tcp_packets_in_flight(sk) >= sk.snd_cwnd;
  if (sent_pkts || is_cwnd_limited) tcp_cwnd_validate(sk, is_cwnd_limited);
  if (sent_pkts) {
    if (tcp_in_cwnd_reduction(sk)) sk.prr_out += sent_pkts;
    if (push_one !== 2) tcp_schedule_loss_probe(sk, false);
    return false;
  }
  return !sk.packets_out && sk.write_queue.length > 0;
}

/** tso_fragment / tcp_fragment: split off what is beyond `len` into a new skb after it. */
export function tso_fragment(sk: TcpSock, skb: SkBuff, len: number): void {
  const tcb = TCP_SKB_CB(skb);
  const rest = skb.len - len;
  const nskb = tcp_stream_alloc_skb(sk, rest);
  nskb.buf.set(skb.buf.subarray(skb.data + len, skb.tail), nskb.skb_put(rest));
  const ncb = tcp_skb_cb_init(nskb, (tcb.seq + len) >>> 0, tcb.tcp_flags);
  ncb.end_seq = tcb.end_seq;
  tcb.tcp_flags &= ~(TCPHDR_FIN | TCPHDR_PSH);
  tcb.end_seq = (tcb.seq + len) >>> 0;
  skb.tail = skb.data + len;
  ncb.sacked = tcb.sacked;
  ncb.mstamp = tcb.mstamp;
  tcp_wmem_charge(sk, nskb);
  const q = sk.write_queue.includes(skb) ? sk.write_queue : sk.rtx_queue;
  q.splice(q.indexOf(skb) + 1, 0, nskb);
  if (q === sk.rtx_queue) sk.packets_out++;
}

export function tcp_in_cwnd_reduction(sk: TcpSock): boolean {
  return sk.ca_state === 'CWR' || sk.ca_state === 'Recovery';
}

/** tcp_cwnd_validate: remember whether cwnd, not the application, limited us. */
function tcp_cwnd_validate(sk: TcpSock, is_cwnd_limited: boolean): void {
  if (!before(sk.snd_una, sk.cwnd_usage_seq) || is_cwnd_limited || (!sk.is_cwnd_limited && sk.packets_out > sk.max_packets_out)) {
    sk.is_cwnd_limited = is_cwnd_limited;
    sk.max_packets_out = sk.packets_out;
    sk.cwnd_usage_seq = sk.snd_nxt;
  }
  if (tcp_is_cwnd_limited(sk)) {
    sk.snd_cwnd_used = 0;
    sk.snd_cwnd_stamp = jiffies_ns(sk.net);
  } else {
    if (sk.packets_out > sk.snd_cwnd_used) sk.snd_cwnd_used = sk.packets_out;
    if (sk.net.sysctlInt('net.ipv4.tcp_slow_start_after_idle') && jiffies_ns(sk.net) - sk.snd_cwnd_stamp >= sk.rto && !sk.ca_ops.cong_control) tcp_cwnd_application_limited(sk);
  }
}

/** tcp_cwnd_application_limited: RFC 2861, decay an unused cwnd. */
function tcp_cwnd_application_limited(sk: TcpSock): void {
  if (sk.ca_state === 'Open') {
    const init_win = Math.min(10, sk.snd_cwnd); // tcp_init_cwnd
    const win_used = Math.max(sk.snd_cwnd_used, init_win);
    if (win_used < sk.snd_cwnd) {
      sk.snd_ssthresh = Math.max(sk.snd_ssthresh, ((sk.snd_cwnd >> 1) + (sk.snd_cwnd >> 2)));
      sk.snd_cwnd = (sk.snd_cwnd + win_used) >> 1;
    }
    sk.snd_cwnd_used = 0;
  }
  sk.snd_cwnd_stamp = jiffies_ns(sk.net);
}

/** tcp_chrono_start: what limits the sender (busy, rwnd, sndbuf), for ss -i. */
export function tcp_chrono_start(sk: TcpSock, type: 1 | 2 | 3): void {
  const now = sk.net.now();
  if (type > sk.chrono.type) {
    tcp_chrono_set(sk, type, now);
  }
}

export function tcp_chrono_stop(sk: TcpSock, type: 1 | 2 | 3): void {
  if (sk.chrono.type === type) tcp_chrono_set(sk, sk.write_queue.length || sk.rtx_queue.length ? 1 : 0, sk.net.now());
}

function tcp_chrono_set(sk: TcpSock, type: 0 | 1 | 2 | 3, now: number): void {
  const c = sk.chrono;
  const d = (now - c.start) / 1000;
  if (c.type === 1) c.busy += d;
  else if (c.type === 2) c.rwnd_limited += d;
  else if (c.type === 3) c.sndbuf_limited += d;
  c.start = now;
  c.type = type;
}

/** __tcp_push_pending_frames. */
export function __tcp_push_pending_frames(sk: TcpSock, cur_mss: number, nonagle: number): void {
  if (sk.state === 'CLOSE') return;
  if (tcp_write_xmit(sk, cur_mss, nonagle, 0)) tcp_check_probe_timer(sk);
}

export function tcp_push_pending_frames(sk: TcpSock): void {
  if (sk.write_queue.length) __tcp_push_pending_frames(sk, tcp_current_mss(sk), sk.nonagle);
}

/** tcp_check_probe_timer: nothing in flight but data waiting: probe the zero window. */
function tcp_check_probe_timer(sk: TcpSock): void {
  if (!sk.packets_out && !sk.pending) tcp_reset_xmit_timer(sk, 'PROBE0', tcp_probe0_base(sk), TCP_RTO_MAX);
}

export function tcp_probe0_base(sk: TcpSock): number {
  return Math.max(sk.rto, TCP_RTO_MIN);
}

export function tcp_probe0_when(sk: TcpSock, max_when: number): number {
  const backoff = Math.min(31, sk.backoff);
  return Math.min(tcp_probe0_base(sk) * 2 ** backoff, max_when);
}

/** tcp_reset_xmit_timer (with the pacing delay ignored). */
export function tcp_reset_xmit_timer(sk: TcpSock, what: 'RETRANS' | 'PROBE0' | 'REO_TIMEOUT' | 'LOSS_PROBE', when: number, max_when: number): void {
  inet_csk_reset_xmit_timer(sk, what, when, max_when);
}

/** tcp_rto_delta_us: time left until the head of the rtx queue is due. */
export function tcp_rto_delta_us(sk: TcpSock): number {
  const skb = sk.rtx_queue[0];
  if (skb) return TCP_SKB_CB(skb).mstamp + sk.rto / 1000 - sk.tcp_mstamp;
  return sk.rto / 1000;
}

/** tcp_rearm_rto (tcp_input.c): restart the RTO from the oldest outstanding segment. */
export function tcp_rearm_rto(sk: TcpSock): void {
  if (!sk.packets_out) {
    inet_csk_clear_xmit_timer(sk, 'RETRANS');
    return;
  }
  let rto = sk.rto;
  if (sk.pending === 'REO_TIMEOUT' || sk.pending === 'LOSS_PROBE') {
    const delta_us = tcp_rto_delta_us(sk);
    rto = Math.max(delta_us, 1) * 1000;
  }
  tcp_reset_xmit_timer(sk, 'RETRANS', rto, TCP_RTO_MAX);
}

// ---- tail loss probe -------------------------------------------------------------------

/** tcp_schedule_loss_probe: a probe 2 RTTs after the last send (RFC 8985). */
export function tcp_schedule_loss_probe(sk: TcpSock, advancing_rto: boolean): boolean {
  const early = sk.net.sysctlInt('net.ipv4.tcp_early_retrans');
  if ((early !== 3 && early !== 4) || !sk.packets_out || !sk.rx_opt.sack_ok || (sk.ca_state !== 'Open' && sk.ca_state !== 'CWR')) return false;
  let timeout: number;
  if (sk.srtt_us) {
    timeout = Math.ceil((sk.srtt_us >> 2) * 1000 / 4e6) * 4e6;
    timeout += sk.packets_out === 1 ? TCP_RTO_MIN : TCP_TIMEOUT_MIN;
  } else timeout = TCP_TIMEOUT_INIT;
  const rto_delta_us = advancing_rto ? sk.rto / 1000 : tcp_rto_delta_us(sk);
  if (rto_delta_us > 0) timeout = Math.min(timeout, Math.ceil(rto_delta_us * 1000 / 4e6) * 4e6);
  tcp_reset_xmit_timer(sk, 'LOSS_PROBE', timeout, TCP_RTO_MAX);
  return true;
}

/** tcp_send_loss_probe: new data if the window allows, else the last segment again. */
export function tcp_send_loss_probe(sk: TcpSock): void {
  const mss = tcp_current_mss(sk);
  let sent = false;
  if (!sk.tlp_high_seq) {
    sk.tlp_retrans = false;
    const head = sk.write_queue[0];
    if (head && tcp_snd_wnd_test(sk, head, mss)) {
      const pcount = sk.packets_out;
      tcp_write_xmit(sk, mss, TCP_NAGLE_OFF, 2);
      sent = sk.packets_out > pcount;
    } else if (!head || !tcp_snd_wnd_test(sk, head, mss)) {
      const skb = sk.rtx_queue[sk.rtx_queue.length - 1];
      if (!skb) {
        sk.pending = 0;
        return;
      }
      if (!skb_still_in_host_queue(skb) && !__tcp_retransmit_skb(sk, skb)) {
        sk.tlp_retrans = true;
        sent = true;
      }
    }
    if (sent) {
      sk.tlp_high_seq = sk.snd_nxt;
      NET_INC_STATS(sk.net, 'TCPLossProbes');
      sk.pending = 0;
    }
  }
  tcp_rearm_rto(sk);
}

/** skb_still_in_host_queue: the previous transmission has not left yet. */
function skb_still_in_host_queue(skb: SkBuff): boolean {
  const c = (skb as any).tx_copy as SkBuff | undefined;
  return !!c && !c.freed;
}

// ---- retransmission ----------------------------------------------------------------------

/** __tcp_retransmit_skb: send a queued segment again. Returns 0 on success. */
export function __tcp_retransmit_skb(sk: TcpSock, skb: SkBuff): number {
  const tcb = TCP_SKB_CB(skb);
  if (skb_still_in_host_queue(skb)) {
    NET_INC_STATS(sk.net, 'TCPSpuriousRtxHostQueues');
    return -16; // -EBUSY
  }
  if (before(tcb.seq, sk.snd_una)) {
    // Partly acknowledged (tcp_trim_head).
    const n = (sk.snd_una - tcb.seq) >>> 0;
    if (n >= skb.len && !(tcb.tcp_flags & (TCPHDR_SYN | TCPHDR_FIN))) return -1;
    if (n && n <= skb.len) {
      skb.skb_pull(Math.min(n, skb.len));
      tcb.seq = sk.snd_una;
    }
  }
  const cur_mss = tcp_current_mss(sk);
  if (!before(tcb.seq, tcp_wnd_end(sk)) && tcb.seq !== sk.snd_una) return -1;
  if (skb.len > cur_mss) tso_fragment(sk, skb, cur_mss);
  const err = tcp_transmit_skb(sk, skb, true);
  if (!err) {
    TCP_INC_STATS(sk.net, 'RetransSegs');
    if (tcb.tcp_flags & TCPHDR_SYN) NET_INC_STATS(sk.net, 'TCPSynRetrans');
    sk.total_retrans++;
    sk.bytes_retrans += skb.len;
  }
  if (err) return err;
  tcb.sacked |= TCPCB_EVER_RETRANS;
  if (!(tcb.sacked & TCPCB_SACKED_RETRANS)) {
    tcb.sacked |= TCPCB_SACKED_RETRANS;
    sk.retrans_out++;
  }
  if (!sk.retrans_stamp) sk.retrans_stamp = tcb.mstamp;
  if (sk.undo_retrans < 0) sk.undo_retrans = 0;
  sk.undo_retrans++;
  return 0;
}

/** tcp_retransmit_skb (the RTO path counts a failure once). */
export function tcp_retransmit_skb(sk: TcpSock, skb: SkBuff): number {
  const err = __tcp_retransmit_skb(sk, skb);
  if (err) NET_INC_STATS(sk.net, 'TCPRetransFail');
  return err;
}

/** tcp_xmit_retransmit_queue: resend what is marked lost, within cwnd. */
export function tcp_xmit_retransmit_queue(sk: TcpSock): void {
  if (!sk.packets_out) return;
  let rearm = false;
  for (const skb of [...sk.rtx_queue]) {
    if (sk.retrans_out >= sk.lost_out) break;
    const tcb = TCP_SKB_CB(skb);
    const sacked = tcb.sacked;
    if (sk.prr_out !== undefined && tcp_in_cwnd_reduction(sk)) {
      // tcp_cwnd_reduction bounds sending through snd_cwnd.
    }
    if (tcp_packets_in_flight(sk) >= sk.snd_cwnd) break;
    if (sacked & (TCPCB_SACKED_ACKED | TCPCB_SACKED_RETRANS)) continue;
    if (!(sacked & TCPCB_LOST)) continue;
    if (skb_still_in_host_queue(skb)) break;
    if (tcp_retransmit_skb(sk, skb)) break;
    if (tcp_in_cwnd_reduction(sk)) sk.prr_out++;
    NET_INC_STATS(sk.net, sk.ca_state === 'Loss' ? 'TCPSlowStartRetrans' : 'TCPFastRetrans');
    if (skb === sk.rtx_queue[0] && sk.pending !== 'REO_TIMEOUT') rearm = true;
  }
  if (rearm) tcp_reset_xmit_timer(sk, 'RETRANS', sk.rto, TCP_RTO_MAX);
}

// ---- control segments ----------------------------------------------------------------------

/** tcp_init_nondata_skb. */
function tcp_nondata_skb(sk: TcpSock, seq: number, flags: number): SkBuff {
  const skb = alloc_skb(sk.net, 0, MAX_HEADER);
  const cb = tcp_skb_cb_init(skb, seq >>> 0, flags);
  if (flags & (TCPHDR_SYN | TCPHDR_FIN)) cb.end_seq = (seq + 1) >>> 0;
  return skb;
}

/** tcp_acceptable_seq: snd_nxt, unless the peer shrank its window. */
function tcp_acceptable_seq(sk: TcpSock): number {
  if (!before(tcp_wnd_end(sk), sk.snd_nxt)) return sk.snd_nxt;
  return tcp_wnd_end(sk);
}

/** __tcp_send_ack: a pure ACK now. */
export function __tcp_send_ack(sk: TcpSock, rcv_nxt = sk.rcv_nxt): void {
  if (sk.state === 'CLOSE') return;
  const skb = tcp_nondata_skb(sk, tcp_acceptable_seq(sk), TCPHDR_ACK);
  tcp_mstamp_refresh(sk);
  tcp_transmit_skb(sk, skb, false, rcv_nxt);
}

export function tcp_send_ack(sk: TcpSock): void {
  __tcp_send_ack(sk);
}

/** tcp_send_delayed_ack: arm the delayed-ACK timer within ato (bounded by the RTT). */
export function tcp_send_delayed_ack(sk: TcpSock): void {
  const net = sk.net;
  let ato = sk.ack.ato;
  if (ato > TCP_DELACK_MIN) {
    let max_ato = 500e6; // HZ/2
    if (inet_csk_in_pingpong_mode(sk) || sk.ack.pending & ICSK_ACK_PUSHED) max_ato = TCP_DELACK_MAX;
    if (sk.srtt_us) {
      const rtt = Math.max(Math.ceil(((sk.srtt_us >> 3) * 1000) / 4e6) * 4e6, TCP_DELACK_MIN);
      if (rtt < max_ato) max_ato = rtt;
    }
    ato = Math.min(ato, max_ato);
  }
  ato = Math.min(ato, TCP_DELACK_MAX);
  const now = jiffies_ns(net);
  let timeout = now + ato;
  if (sk.ack.pending & ICSK_ACK_TIMER) {
    if (sk.ack.timeout <= now + (ato >> 2)) {
      tcp_send_ack(sk);
      return;
    }
    if (timeout >= sk.ack.timeout) timeout = sk.ack.timeout;
  }
  sk.ack.pending |= ICSK_ACK_SCHED | ICSK_ACK_TIMER;
  sk.ack.timeout = timeout;
  sk_reset_timer(net, sk.delack_timer, timeout);
}

/** tcp_send_fin: FIN on the last unsent segment, or a segment of its own. */
export function tcp_send_fin(sk: TcpSock): void {
  const tail = sk.write_queue[sk.write_queue.length - 1];
  if (tail) {
    const tcb = TCP_SKB_CB(tail);
    tcb.tcp_flags |= TCPHDR_FIN;
    tcb.end_seq = (tcb.end_seq + 1) >>> 0;
    sk.write_seq = (sk.write_seq + 1) >>> 0;
  } else {
    const skb = tcp_nondata_skb(sk, sk.write_seq, TCPHDR_ACK | TCPHDR_FIN);
    skb.truesize = skb_truesize_for(MAX_HEADER);
    sk.write_queue.push(skb);
    tcp_wmem_charge(sk, skb);
    sk.write_seq = (sk.write_seq + 1) >>> 0;
  }
  __tcp_push_pending_frames(sk, tcp_current_mss(sk), TCP_NAGLE_OFF);
}

/** tcp_send_active_reset: RST|ACK from a socket (close with unread data, abort). */
export function tcp_send_active_reset(sk: TcpSock): void {
  const skb = tcp_nondata_skb(sk, tcp_acceptable_seq(sk), TCPHDR_ACK | TCPHDR_RST);
  tcp_mstamp_refresh(sk);
  TCP_INC_STATS(sk.net, 'OutRsts');
  tcp_transmit_skb(sk, skb, false);
}

/** tcp_connect_init: MSS, window and scale, initial sequence numbers. */
export function tcp_connect_init(sk: TcpSock): void {
  const net = sk.net;
  sk.tcp_header_len = TCP_HLEN + (net.sysctlInt('net.ipv4.tcp_timestamps') ? TCPOLEN_TSTAMP_ALIGNED : 0);
  if (sk.user_mss) sk.rx_opt.mss_clamp = sk.user_mss;
  sk.max_window = 0;
  const rt = sk.dst!;
  const mtu = dst_mtu(net, rt);
  sk.advmss = Math.min(mtu - 40, sk.user_mss || 65535);
  tcp_sync_mss(sk, mtu);
  tcp_advertise_mss(sk);
  if (!sk.window_clamp) sk.window_clamp = 0;
  sk.ack.rcv_mss = Math.max(TCP_MIN_MSS, Math.min(sk.advmss, sk.mss_cache, 536));
  const w = tcp_select_initial_window(net, tcp_full_space(sk), sk.advmss - (sk.rx_opt.ts_recent_stamp ? sk.tcp_header_len - TCP_HLEN : 0), sk.window_clamp, net.sysctlInt('net.ipv4.tcp_window_scaling') !== 0);
  sk.rcv_wnd = w.rcv_wnd;
  sk.window_clamp = w.window_clamp;
  sk.rx_opt.rcv_wscale = w.rcv_wscale;
  sk.rcv_ssthresh = sk.rcv_wnd;
  sk.done = false;
  sk.err = null;
  sk.snd_wnd = 0;
  sk.snd_wl1 = 0;
  sk.snd_una = sk.write_seq;
  sk.snd_sml = sk.write_seq;
  sk.snd_up = sk.write_seq;
  sk.snd_nxt = sk.write_seq;
  sk.rcv_nxt = 0;
  sk.rcv_wup = 0;
  sk.copied_seq = 0;
  sk.rto = TCP_TIMEOUT_INIT;
  sk.retransmits = 0;
}

/** tcp_connect: queue and send the SYN, arm the retransmit timer. */
export function tcp_connect(sk: TcpSock): void {
  tcp_connect_init(sk);
  const skb = tcp_nondata_skb(sk, sk.write_seq, TCPHDR_SYN);
  sk.write_seq = (sk.write_seq + 1) >>> 0;
  tcp_mstamp_refresh(sk);
  sk.retrans_stamp = sk.tcp_mstamp;
  tcp_wmem_charge(sk, skb);
  sk.packets_out++;
  sk.rtx_queue.push(skb);
  tcp_transmit_skb(sk, skb, true);
  sk.snd_nxt = sk.write_seq;
  sk.pushed_seq = sk.write_seq;
  TCP_INC_STATS(sk.net, 'ActiveOpens');
  inet_csk_reset_xmit_timer(sk, 'RETRANS', sk.rto, TCP_RTO_MAX);
}

// ---- window probes ---------------------------------------------------------------------------

/** tcp_xmit_probe_skb: an old sequence number the peer must ACK. */
function tcp_xmit_probe_skb(sk: TcpSock, urgent: number): number {
  const skb = tcp_nondata_skb(sk, (sk.snd_una - (urgent ? 0 : 1)) >>> 0, TCPHDR_ACK);
  NET_INC_STATS(sk.net, 'TCPWinProbe');
  return tcp_transmit_skb(sk, skb, false);
}

/** tcp_write_wakeup: send what fits the window, else a probe. */
export function tcp_write_wakeup(sk: TcpSock): number {
  if (sk.state === 'CLOSE') return -1;
  const skb = sk.write_queue[0];
  if (skb && before(TCP_SKB_CB(skb).seq, tcp_wnd_end(sk))) {
    const mss = tcp_current_mss(sk);
    const seg_size = Math.min(((tcp_wnd_end(sk) - TCP_SKB_CB(skb).seq) >>> 0), mss);
    if (seg_size < skb.len) tso_fragment(sk, skb, seg_size);
    TCP_SKB_CB(skb).tcp_flags |= TCPHDR_PSH;
    const err = tcp_transmit_skb(sk, skb, true);
    if (!err) tcp_event_new_data_sent(sk, skb);
    return err;
  }
  return tcp_xmit_probe_skb(sk, 0);
}

/** tcp_send_probe0: the zero-window probe timer fired. */
export function tcp_send_probe0(sk: TcpSock): void {
  const net = sk.net;
  const err = tcp_write_wakeup(sk);
  if (sk.packets_out || !sk.write_queue.length) {
    sk.probes_out = 0;
    sk.backoff = 0;
    sk.probes_tstamp = 0;
    return;
  }
  sk.probes_out++;
  let timeout: number;
  if (err <= 0) {
    if (sk.backoff < net.sysctlInt('net.ipv4.tcp_retries2')) sk.backoff++;
    timeout = tcp_probe0_when(sk, TCP_RTO_MAX);
  } else timeout = TCP_RESOURCE_PROBE_INTERVAL;
  tcp_reset_xmit_timer(sk, 'PROBE0', timeout, TCP_RTO_MAX);
}

export { SEND_SHUTDOWN, TCPHDR_PSH, TCPHDR_FIN, TCPHDR_RST };
