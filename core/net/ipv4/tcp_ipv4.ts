// net/ipv4/tcp_ipv4.c: TCP over IPv4. tcp_v4_rcv takes every segment from
// ip_local_deliver: checks, socket lookup (established, TIME_WAIT and request
// socks by 4-tuple, then listeners), and the hand-off to the state machine;
// a RST for what matches nothing. Also connect(), the passive open
// (tcp_conn_request with its SYN and accept queues and SYN cookies,
// tcp_v4_syn_recv_sock), RSTs and ACKs sent without a full socket, and ICMP
// errors (tcp_v4_err).
import type { Net } from '../net_namespace.js';
import { type SkBuff, kfree_skb, consume_skb, alloc_skb, MAX_HEADER } from '../core/skbuff.js';
import type { DropReason } from '../core/dropreason.js';
import { iph, IPPROTO_TCP, IP_DF } from '../wire/ip.js';
import { ETH_P_IP } from '../wire/ethernet.js';
import { PACKET_HOST } from '../core/skbuff.js';
import { ip_route_output_key, dst_mtu, RTCF_BROADCAST, RTCF_MULTICAST, type Rtable } from './route.js';
import { RTN_LOCAL } from './fib.js';
import { ip_local_out } from './ip_output.js';
import { icmp_err_convert } from './icmp.js';
import { tcp_v4_rcv_hook } from './protocol.js';
import { icmp_err_hooks } from './protocol_err.js';
import { sock_queue_err, SO_EE_ORIGIN_ICMP } from './sock.js';
import { TcpSock, RequestSock, TimewaitSock, TCP_SKB_CB, tcp_skb_cb_init, tcp_full_space, tcp_time_stamp_ms, tcp_clock_us, TCP_TIMEOUT_INIT, TCP_MSS_DEFAULT, tcp_rmem } from './tcp_sock.js';
import { tcph, tcp_parse_options, tcp_write_header, tcp_options_write, tcp_options_size, tcp_v4_send_check, tcp_checksum_bad, type TcpOutOptions, TCPHDR_ACK, TCPHDR_FIN, TCPHDR_RST, TCPHDR_SYN, TCP_HLEN, TCPOLEN_TSTAMP_ALIGNED, before, between, after } from './tcp_hdr.js';
import { tcp_hashinfo, __inet_lookup_established, inet_lookup_listener, inet_ehash_insert, inet_ehash_replace, inet_bind_hash, inet_get_local_port_range, inet_put_port, ekey, type InetBindBucket } from './inet_hashtables.js';
import { inet_csk_reqsk_queue_hash_add, inet_csk_reqsk_queue_drop, inet_csk_reqsk_queue_add, inet_csk_reqsk_queue_is_full, sk_acceptq_is_full } from './inet_connection_sock.js';
import { tcp_rcv_established, tcp_rcv_state_process, type RcvSeg } from './tcp_input.js';
import { tcp_timewait_state_process, tcp_check_req, tcp_create_openreq_child, inet_twsk_deschedule_put } from './tcp_minisocks.js';
import { tcp_set_state, tcp_done_with_error } from './tcp.js';
import { tcp_connect, tcp_select_initial_window, tcp_sync_mss, tcp_route, tcp_mstamp_refresh, tcp_retransmit_skb } from './tcp_output.js';
import { tcp_initialize_rcv_mss } from './tcp_input.js';
import { tcp_register_congestion_control } from './tcp_cong.js';
import { tcp_cubic } from './tcp_cubic.js';
import { tcp_bbr } from './tcp_bbr.js';
import { TCP_INC_STATS, NET_INC_STATS, IP_INC_STATS, ICMP_INC_STATS } from '../snmp_stats.js';
import { COST } from '../../kernel/costs.js';

/** The parsed segment plus where it came from (what TCP_SKB_CB and the IP header give). */
export interface InSeg extends RcvSeg {
  saddr: number;
  daddr: number;
  sport: number;
  dport: number;
  /** Payload length. */
  plen: number;
  iif: number;
  tos: number;
  rt_local: boolean;
}

// ---- hashing helpers (secure_tcp_seq, cookies) -----------------------------------------

function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A keyed hash of a 4-tuple (siphash in Linux) with the namespace's secret. */
function tuple_hash(net: Net, saddr: number, daddr: number, sport: number, dport: number, salt: number): number {
  const secret = ((net as any).tcp_secret ??= net.prng.u32());
  let h = mix32(secret ^ salt);
  h = mix32(h ^ saddr);
  h = mix32(h ^ daddr);
  h = mix32(h ^ ((sport << 16) | dport));
  return h;
}

/** secure_tcp_seq: hash of the 4-tuple plus a clock ticking every 64 ns. */
function secure_tcp_seq(net: Net, saddr: number, daddr: number, sport: number, dport: number): number {
  return (tuple_hash(net, saddr, daddr, sport, dport, 1) + Math.floor(net.now() / 64)) >>> 0;
}

/** secure_tcp_ts_off: a per address pair timestamp offset. */
function secure_tcp_ts_off(net: Net, saddr: number, daddr: number): number {
  if (net.sysctlInt('net.ipv4.tcp_timestamps') !== 1) return 0;
  return tuple_hash(net, saddr, daddr, 0, 0, 2);
}

// ---- receive ----------------------------------------------------------------------------

/** tcp_v4_fill_cb: TCP_SKB_CB from the header. */
function tcp_v4_fill_cb(skb: SkBuff, seg: InSeg): void {
  const cb = tcp_skb_cb_init(skb, seg.seq, seg.flags);
  cb.end_seq = seg.end_seq;
  cb.ack_seq = seg.ack_seq;
  (skb as any).tcp_seg = seg;
}

/** tcp_v4_rcv. Consumes skb (data at the TCP header). */
export function tcp_v4_rcv(net: Net, skb: SkBuff): void {
  net.spend(COST.udp_rcv);
  net.tracer.fn(skb, 'tcp_v4_rcv');
  if (skb.pkt_type !== PACKET_HOST) return void kfree_skb(skb, 'NOT_SPECIFIED', 'tcp_v4_rcv');
  TCP_INC_STATS(net, 'InSegs');
  const b = skb.buf;
  const o = skb.data;
  if (skb.len < TCP_HLEN) return void kfree_skb(skb, 'NOT_SPECIFIED', 'tcp_v4_rcv');
  const doff = tcph.doff(b, o);
  if (doff < 5) {
    TCP_INC_STATS(net, 'InErrs');
    return void kfree_skb(skb, 'PKT_TOO_SMALL', 'tcp_v4_rcv');
  }
  if (skb.len < doff * 4) return void kfree_skb(skb, 'NOT_SPECIFIED', 'tcp_v4_rcv');
  const nh = skb.network_header;
  const saddr = iph.saddr(b, nh);
  const daddr = iph.daddr(b, nh);
  if (tcp_checksum_bad(b, o, skb.len, saddr, daddr)) {
    TCP_INC_STATS(net, 'InCsumErrors');
    TCP_INC_STATS(net, 'InErrs');
    return void kfree_skb(skb, 'TCP_CSUM', 'tcp_v4_rcv');
  }
  const flags = tcph.flags(b, o);
  const seq = tcph.seq(b, o);
  const plen = skb.len - doff * 4;
  const seg: InSeg = {
    seq,
    end_seq: (seq + plen + (flags & TCPHDR_SYN ? 1 : 0) + (flags & TCPHDR_FIN ? 1 : 0)) >>> 0,
    ack_seq: tcph.ack_seq(b, o),
    flags,
    window: tcph.window(b, o),
    doff,
    opt: tcp_parse_options(b, o, (flags & TCPHDR_SYN) !== 0),
    th: o,
    saddr,
    daddr,
    sport: tcph.source(b, o),
    dport: tcph.dest(b, o),
    plen,
    iif: skb.dev?.ifindex ?? 0,
    tos: iph.tos(b, nh),
    rt_local: (skb.dst as Rtable | null)?.type === RTN_LOCAL,
  };
  tcp_v4_fill_cb(skb, seg);
  let sk = __inet_lookup_established(net, saddr, seg.sport, daddr, seg.dport, seg.iif) ?? inet_lookup_listener(net, daddr, seg.dport, seg.iif);
  for (;;) {
    if (!sk) return no_tcp_socket(net, skb, seg);
    if (sk instanceof TimewaitSock) {
      const isn = { v: 0 };
      const r = tcp_timewait_state_process(net, sk, seg, isn);
      if (r === 'TCP_TW_SYN') {
        const sk2 = inet_lookup_listener(net, daddr, seg.dport, seg.iif);
        if (sk2) {
          inet_twsk_deschedule_put(net, sk);
          (skb as any).tcp_tw_isn = isn.v;
          sk = sk2;
          continue;
        }
        tcp_v4_timewait_ack(net, sk, seg);
      } else if (r === 'TCP_TW_ACK') tcp_v4_timewait_ack(net, sk, seg);
      else if (r === 'TCP_TW_RST') {
        tcp_v4_send_reset(net, null, seg);
        inet_twsk_deschedule_put(net, sk);
      }
      return void (r === 'TCP_TW_SUCCESS' ? consume_skb(skb, 'tcp_v4_rcv') : kfree_skb(skb, 'NOT_SPECIFIED', 'tcp_v4_rcv'));
    }
    if (sk instanceof RequestSock) {
      const req = sk;
      const lsk = req.listener;
      if (lsk.state !== 'LISTEN') {
        inet_csk_reqsk_queue_drop(lsk, req);
        sk = __inet_lookup_established(net, saddr, seg.sport, daddr, seg.dport, seg.iif) ?? inet_lookup_listener(net, daddr, seg.dport, seg.iif);
        continue;
      }
      const { child, rst } = tcp_check_req(lsk, skb, seg, req, { syn_recv_sock: tcp_v4_syn_recv_sock, rtx_synack: (r) => tcp_rtx_synack(lsk, r), send_ack: (r, s) => tcp_v4_reqsk_send_ack(net, r, s as InSeg) });
      if (!child) {
        if (rst) tcp_v4_send_reset(net, null, seg);
        lsk.drops++;
        return void kfree_skb(skb, 'NOT_SPECIFIED', 'tcp_v4_rcv');
      }
      const reason = tcp_child_process(lsk, child, skb, seg);
      if (reason) tcp_v4_send_reset(net, child, seg);
      return;
    }
    break;
  }
  const tsk = sk as TcpSock;
  if (tsk.state === 'LISTEN') {
    tcp_v4_do_rcv(tsk, skb, seg);
    return;
  }
  tcp_segs_in(tsk, seg);
  if (tsk.owned) {
    // tcp_add_backlog: run by release_sock when the syscall lets go.
    tsk.backlog.push({ skb, seg });
    return;
  }
  tcp_v4_do_rcv(tsk, skb, seg);
}

/** release_sock / __release_sock: run what the backlog collected while a
 * syscall held the socket, then drop ownership. */
export function tcp_release_sock(sk: TcpSock): void {
  while (sk.backlog.length) {
    const { skb, seg } = sk.backlog.shift()!;
    tcp_v4_do_rcv(sk, skb, seg as InSeg);
  }
  sk.owned = false;
}

function no_tcp_socket(net: Net, skb: SkBuff, seg: InSeg): void {
  tcp_v4_send_reset(net, null, seg);
  kfree_skb(skb, 'NO_SOCKET', 'tcp_v4_rcv');
}

function tcp_segs_in(tp: TcpSock, seg: InSeg): void {
  tp.segs_in++;
  if (seg.plen > 0) tp.data_segs_in++;
}

/** tcp_v4_do_rcv: established goes the fast way; a listener may hold a SYN cookie's ACK. */
function tcp_v4_do_rcv(sk: TcpSock, skb: SkBuff, seg: InSeg): void {
  if (sk.state === 'ESTABLISHED') {
    tcp_rcv_established(sk, skb, seg);
    return;
  }
  if (sk.state === 'LISTEN') {
    const nsk = tcp_v4_cookie_check(sk, seg);
    if (nsk === null) {
      kfree_skb(skb, 'NOT_SPECIFIED', 'tcp_v4_do_rcv');
      return;
    }
    if (nsk !== sk) {
      const reason = tcp_child_process(sk, nsk, skb, seg);
      if (reason) tcp_v4_send_reset(sk.net, nsk, seg);
      return;
    }
  }
  const reason = tcp_rcv_state_process(sk, skb, seg, tcp_conn_request);
  if (reason) tcp_v4_send_reset(sk.net, sk, seg);
}

/** tcp_child_process: the final ACK goes to the new child; the listener's acceptor wakes. */
function tcp_child_process(parent: TcpSock, child: TcpSock, skb: SkBuff, seg: InSeg): DropReason | null {
  const state = child.state;
  tcp_segs_in(child, seg);
  const reason = tcp_rcv_state_process(child, skb, seg, tcp_conn_request);
  if (state === 'SYN_RECV' && child.state !== state) parent.wake();
  return reason;
}

// ---- segments sent without a full socket ------------------------------------------------

/** Build and send a bare segment (ip_send_unicast_reply / ip_build_and_send_pkt). */
function tcp_v4_send_ctl(net: Net, from: { saddr: number; daddr: number; sport: number; dport: number; oif: number; tos: number; ttl?: number }, h: { seq: number; ack_seq: number; flags: number; window: number }, opts: TcpOutOptions): boolean {
  const fl = { daddr: from.daddr, saddr: from.saddr, oif: from.oif, tos: from.tos, scope: 0, proto: IPPROTO_TCP, sport: from.sport, dport: from.dport };
  const rt = ip_route_output_key(net, fl);
  if ('err' in rt) {
    if (rt.err === 'ENETUNREACH') IP_INC_STATS(net, 'OutNoRoutes');
    return false;
  }
  const hlen = TCP_HLEN + tcp_options_size(opts);
  const skb = alloc_skb(net, 20 + hlen, MAX_HEADER);
  const o = skb.skb_put(20 + hlen);
  skb.skb_reset_network_header();
  iph.write(skb.buf, o, { tos: from.tos, tot_len: 20 + hlen, id: 0, frag_off: IP_DF, ttl: from.ttl !== undefined && from.ttl >= 0 ? from.ttl : net.sysctlInt('net.ipv4.ip_default_ttl'), protocol: IPPROTO_TCP, saddr: fl.saddr, daddr: from.daddr });
  const th = o + 20;
  skb.transport_header = th;
  skb.protocol = ETH_P_IP;
  tcp_write_header(skb.buf, th, { source: from.sport, dest: from.dport, seq: h.seq, ack_seq: h.ack_seq, hlen, flags: h.flags, window: h.window });
  tcp_options_write(skb.buf, th + TCP_HLEN, opts);
  tcp_v4_send_check(skb.buf, th, hlen, fl.saddr, from.daddr);
  TCP_INC_STATS(net, 'OutSegs');
  net.tracer.fn(skb, 'tcp_v4_send_ctl', `flags ${h.flags.toString(16)}`);
  ip_local_out(net, skb, rt);
  return true;
}

/** tcp_v4_send_reset: never for a RST; only for segments addressed to us. */
export function tcp_v4_send_reset(net: Net, sk: TcpSock | null, seg: InSeg): void {
  if (seg.flags & TCPHDR_RST) return;
  if (!sk && !seg.rt_local) return;
  let seq = 0;
  let ack_seq = 0;
  let flags = TCPHDR_RST;
  if (seg.flags & TCPHDR_ACK) seq = seg.ack_seq;
  else {
    flags |= TCPHDR_ACK;
    ack_seq = (seg.seq + (seg.flags & TCPHDR_SYN ? 1 : 0) + (seg.flags & TCPHDR_FIN ? 1 : 0) + seg.plen) >>> 0;
  }
  TCP_INC_STATS(net, 'OutRsts');
  tcp_v4_send_ctl(net, { saddr: seg.daddr, daddr: seg.saddr, sport: seg.dport, dport: seg.sport, oif: sk?.bound_dev_if ?? 0, tos: seg.tos }, { seq, ack_seq, flags, window: 0 }, {});
}

/** tcp_v4_timewait_ack. */
function tcp_v4_timewait_ack(net: Net, tw: TimewaitSock, seg: InSeg): void {
  const opts: TcpOutOptions = {};
  if (tw.tstamp_ok) opts.ts = { val: (tcp_time_stamp_ms(net) + tw.ts_offset) >>> 0, ecr: tw.ts_recent };
  tcp_v4_send_ctl(net, { saddr: seg.daddr, daddr: seg.saddr, sport: seg.dport, dport: seg.sport, oif: tw.bound_dev_if, tos: tw.tos, ttl: tw.ttl }, { seq: tw.snd_nxt, ack_seq: tw.rcv_nxt, flags: TCPHDR_ACK, window: Math.floor(tw.rcv_wnd / 2 ** tw.rcv_wscale) }, opts);
}

/** tcp_v4_reqsk_send_ack: an out-of-window segment for a request sock. */
function tcp_v4_reqsk_send_ack(net: Net, req: RequestSock, seg: InSeg): void {
  const opts: TcpOutOptions = {};
  if (req.tstamp_ok) opts.ts = { val: (tcp_time_stamp_ms(net) + req.ts_off) >>> 0, ecr: req.ts_recent };
  tcp_v4_send_ctl(net, { saddr: seg.daddr, daddr: seg.saddr, sport: seg.dport, dport: seg.sport, oif: req.bound_dev_if, tos: 0 }, { seq: (req.snt_isn + 1) >>> 0, ack_seq: (req.rcv_isn + 1) >>> 0, flags: TCPHDR_ACK, window: Math.floor(req.rcv_wnd / 2 ** req.rcv_wscale) }, opts);
}

/** tcp_v4_send_synack / tcp_make_synack. */
function tcp_v4_send_synack(sk: TcpSock, req: RequestSock): boolean {
  const net = sk.net;
  const opts: TcpOutOptions = { mss: req.mss_adv ?? 1460 };
  if (req.tstamp_ok) opts.ts = { val: req.cookie_ts ?? ((tcp_time_stamp_ms(net) + req.ts_off) >>> 0), ecr: req.ts_recent };
  if (req.sack_ok) opts.sack_perm = true;
  if (req.wscale_ok) opts.wscale = req.rcv_wscale;
  tcp_mstamp_refresh(sk);
  if (!req.snt_synack) req.snt_synack = tcp_clock_us(net);
  return tcp_v4_send_ctl(net, { saddr: req.loc_addr, daddr: req.rmt_addr, sport: req.loc_port, dport: req.rmt_port, oif: req.bound_dev_if, tos: sk.tos, ttl: sk.ttl }, { seq: req.snt_isn, ack_seq: (req.rcv_isn + 1) >>> 0, flags: TCPHDR_SYN | TCPHDR_ACK, window: Math.min(req.rcv_wnd, 65535) }, opts);
}

/** tcp_rtx_synack: the SYN-ACK timer resends it. */
function tcp_rtx_synack(sk: TcpSock, req: RequestSock): boolean {
  const ok = tcp_v4_send_synack(sk, req);
  if (ok) {
    TCP_INC_STATS(sk.net, 'RetransSegs');
    NET_INC_STATS(sk.net, 'TCPSynRetrans');
    req.num_retrans++;
  }
  return ok;
}

// ---- the passive open ------------------------------------------------------------------------

const msstab = [536, 1300, 1440, 1460];
const COOKIEBITS = 24;
const COOKIEMASK = (1 << COOKIEBITS) - 1;
const TSBITS = 6;

function tcp_cookie_time(net: Net): number {
  return Math.floor(net.now() / 60e9) >>> 0;
}

/** secure_tcp_syn_cookie: the ISN carries an MSS index and a minute counter. */
function secure_tcp_syn_cookie(net: Net, saddr: number, daddr: number, sport: number, dport: number, sseq: number, data: number): number {
  const count = tcp_cookie_time(net);
  return (tuple_hash(net, saddr, daddr, sport, dport, 10) + sseq + count * (1 << COOKIEBITS) + ((tuple_hash(net, saddr, daddr, sport, dport, 11 + count) + data) & COOKIEMASK)) >>> 0;
}

function check_tcp_syn_cookie(net: Net, cookie: number, saddr: number, daddr: number, sport: number, dport: number, sseq: number): number {
  const count = tcp_cookie_time(net);
  cookie = (cookie - tuple_hash(net, saddr, daddr, sport, dport, 10) - sseq) >>> 0;
  const diff = (count - (cookie >>> COOKIEBITS)) & (0xffffffff >>> COOKIEBITS);
  if (diff >= 2) return -1;
  return (cookie - tuple_hash(net, saddr, daddr, sport, dport, 11 + count - diff)) & COOKIEMASK;
}

/** tcp_openreq_init_rwin: the window the SYN-ACK offers. */
function tcp_openreq_init_rwin(sk: TcpSock, req: RequestSock, rt: Rtable): void {
  const net = sk.net;
  let mss = Math.min(dst_mtu(net, rt) - 40, sk.user_mss || 65535);
  req.mss_adv = mss;
  if (req.tstamp_ok) mss -= TCPOLEN_TSTAMP_ALIGNED;
  const w = tcp_select_initial_window(net, tcp_full_space(sk), mss, sk.window_clamp, req.wscale_ok);
  req.rcv_wnd = w.rcv_wnd;
  req.window_clamp = w.window_clamp;
  req.rcv_wscale = w.rcv_wscale;
}

/** tcp_conn_request: a SYN for a listener. SYN queue full: cookies (or drop);
 * accept queue full: drop (ListenOverflows, ListenDrops); else a request
 * sock and a SYN-ACK. */
export function tcp_conn_request(sk: TcpSock, skb: SkBuff, rseg: RcvSeg): void {
  const net = sk.net;
  const seg = rseg as InSeg;
  let isn = (skb as any).tcp_tw_isn ?? 0;
  const syncookies = net.sysctlInt('net.ipv4.tcp_syncookies');
  let want_cookie = false;
  if ((syncookies === 2 || inet_csk_reqsk_queue_is_full(sk)) && !isn) {
    // tcp_syn_flood_action
    if (syncookies) {
      want_cookie = true;
      NET_INC_STATS(net, 'TCPReqQFullDoCookies');
    } else {
      NET_INC_STATS(net, 'TCPReqQFullDrop');
      return tcp_listendrop(sk);
    }
  }
  if (sk_acceptq_is_full(sk)) {
    NET_INC_STATS(net, 'ListenOverflows');
    return tcp_listendrop(sk);
  }
  const req = new RequestSock(sk);
  req.loc_addr = seg.daddr;
  req.rmt_addr = seg.saddr;
  req.loc_port = seg.dport;
  req.rmt_port = seg.sport;
  req.bound_dev_if = sk.bound_dev_if;
  req.rcv_isn = seg.seq;
  const opt = seg.opt;
  let mss_clamp = opt.mss_clamp || TCP_MSS_DEFAULT;
  if (sk.user_mss && sk.user_mss < mss_clamp) mss_clamp = sk.user_mss;
  req.mss = mss_clamp;
  req.tstamp_ok = opt.saw_tstamp && net.sysctlInt('net.ipv4.tcp_timestamps') !== 0;
  req.sack_ok = opt.sack_ok && net.sysctlInt('net.ipv4.tcp_sack') !== 0;
  req.wscale_ok = opt.wscale_ok && net.sysctlInt('net.ipv4.tcp_window_scaling') !== 0;
  req.snd_wscale = opt.snd_wscale;
  if (want_cookie && !opt.saw_tstamp) {
    req.tstamp_ok = req.sack_ok = req.wscale_ok = false;
    req.snd_wscale = 0;
  }
  req.ts_recent = opt.saw_tstamp ? opt.rcv_tsval : 0;
  const fl = { daddr: req.rmt_addr, saddr: req.loc_addr, oif: sk.bound_dev_if, tos: 0, scope: 0, proto: IPPROTO_TCP, sport: req.loc_port, dport: req.rmt_port };
  const rt = ip_route_output_key(net, fl);
  if ('err' in rt) return tcp_listendrop(sk);
  if (req.tstamp_ok) req.ts_off = secure_tcp_ts_off(net, req.loc_addr, req.rmt_addr);
  if (!want_cookie && !isn) {
    const max_syn_backlog = net.sysctlInt('net.ipv4.tcp_max_syn_backlog');
    if (!syncookies && max_syn_backlog - sk.syn_qlen < max_syn_backlog >> 2) return tcp_listendrop(sk);
    isn = secure_tcp_seq(net, req.loc_addr, req.rmt_addr, req.loc_port, req.rmt_port);
  }
  tcp_openreq_init_rwin(sk, req, rt);
  if (want_cookie) {
    let mssind = msstab.length - 1;
    for (; mssind; mssind--) if (req.mss >= msstab[mssind]) break;
    req.mss = msstab[mssind];
    isn = secure_tcp_syn_cookie(net, seg.saddr, seg.daddr, seg.sport, seg.dport, seg.seq, mssind);
    if (req.tstamp_ok) {
      // cookie_init_timestamp: wscale and SACK ride in the low bits of TSval.
      let options = req.wscale_ok ? req.snd_wscale : 0xf;
      if (req.sack_ok) options |= 0x10;
      const ts_now = tcp_time_stamp_ms(net);
      let ts = ((ts_now >>> TSBITS) << TSBITS) | options;
      if (ts > ts_now) ts -= 1 << TSBITS;
      req.cookie_ts = (ts + req.ts_off) >>> 0;
    }
    NET_INC_STATS(net, 'SyncookiesSent');
  }
  req.snt_isn = isn >>> 0;
  if (!want_cookie) inet_csk_reqsk_queue_hash_add(sk, req, TCP_TIMEOUT_INIT, (r) => tcp_rtx_synack(sk, r));
  tcp_v4_send_synack(sk, req);
}

/** tcp_listendrop. */
function tcp_listendrop(sk: TcpSock): void {
  sk.drops++;
  NET_INC_STATS(sk.net, 'ListenDrops');
}

/** cookie_v4_check: an ACK for a listener with no request sock may finish a SYN-cookie handshake. */
function tcp_v4_cookie_check(sk: TcpSock, seg: InSeg): TcpSock | null {
  const net = sk.net;
  if (!(seg.flags & TCPHDR_ACK) || seg.flags & (TCPHDR_SYN | TCPHDR_RST)) return sk;
  if (!net.sysctlInt('net.ipv4.tcp_syncookies')) return sk;
  const cookie = (seg.ack_seq - 1) >>> 0;
  const mssind = check_tcp_syn_cookie(net, cookie, seg.saddr, seg.daddr, seg.sport, seg.dport, (seg.seq - 1) >>> 0);
  if (mssind < 0 || mssind >= msstab.length) {
    NET_INC_STATS(net, 'SyncookiesFailed');
    return sk;
  }
  NET_INC_STATS(net, 'SyncookiesRecv');
  const req = new RequestSock(sk);
  req.loc_addr = seg.daddr;
  req.rmt_addr = seg.saddr;
  req.loc_port = seg.dport;
  req.rmt_port = seg.sport;
  req.rcv_isn = (seg.seq - 1) >>> 0;
  req.snt_isn = cookie;
  req.mss = msstab[mssind];
  req.bound_dev_if = sk.bound_dev_if;
  if (seg.opt.saw_tstamp && seg.opt.rcv_tsecr) {
    req.tstamp_ok = true;
    req.ts_recent = seg.opt.rcv_tsval;
    req.ts_off = secure_tcp_ts_off(net, req.loc_addr, req.rmt_addr);
    const options = ((seg.opt.rcv_tsecr - req.ts_off) >>> 0) & 0x3f;
    if ((options & 0xf) !== 0xf) {
      req.wscale_ok = true;
      req.snd_wscale = options & 0xf;
    }
    req.sack_ok = (options & 0x10) !== 0;
  }
  const fl = { daddr: req.rmt_addr, saddr: req.loc_addr, oif: sk.bound_dev_if, tos: 0, scope: 0, proto: IPPROTO_TCP };
  const rt = ip_route_output_key(net, fl);
  if ('err' in rt) return null;
  tcp_openreq_init_rwin(sk, req, rt);
  req.num_retrans = 0;
  req.dead = true;
  const child = tcp_v4_syn_recv_sock(sk, seg, req);
  return child;
}

/** tcp_v4_syn_recv_sock + inet_csk_complete_hashdance: the child joins ehash and the accept queue. */
function tcp_v4_syn_recv_sock(sk: TcpSock, rseg: RcvSeg, req: RequestSock): TcpSock | null {
  const net = sk.net;
  if (sk_acceptq_is_full(sk)) {
    NET_INC_STATS(net, 'ListenOverflows');
    tcp_listendrop(sk);
    return null;
  }
  const child = tcp_create_openreq_child(sk, req, rseg);
  TCP_INC_STATS(net, 'PassiveOpens');
  child.inet_id = net.prng.below(65536);
  const rt = tcp_route(child);
  if (typeof rt === 'string') {
    child.dead = true;
    tcp_set_state(child, 'CLOSE');
    const i = net.socks.tcp.indexOf(child);
    if (i >= 0) net.socks.tcp.splice(i, 1);
    tcp_listendrop(sk);
    return null;
  }
  const mtu = dst_mtu(net, rt);
  tcp_sync_mss(child, mtu);
  child.advmss = Math.min(mtu - 40, sk.user_mss || 65535);
  tcp_initialize_rcv_mss(child);
  // __inet_inherit_port
  const tb = sk.bind_bucket as InetBindBucket | null;
  if (tb) {
    tb.owners.push(child);
    child.bind_bucket = tb;
  }
  if (req.dead) inet_ehash_insert(net, child);
  else inet_ehash_replace(net, req, child);
  inet_csk_reqsk_queue_drop(sk, req);
  inet_csk_reqsk_queue_add(sk, child);
  return child;
}

// ---- the active open -------------------------------------------------------------------------

/** tcp_twsk_unique: may a new connection take the 4-tuple of a TIME_WAIT sock? */
function tcp_twsk_unique(net: Net, tw: TimewaitSock, loopback: boolean): boolean {
  const reuse = net.sysctlInt('net.ipv4.tcp_tw_reuse');
  if (!(reuse === 1 || (reuse === 2 && loopback))) return false;
  if (!tw.ts_recent_stamp) return false;
  const delay_ms = net.sysctlInt('net.ipv4.tcp_tw_reuse_delay');
  return tcp_time_stamp_ms(net) - tw.ts_recent_stamp * 1000 > delay_ms;
}

/** __inet_check_established: is the 4-tuple free (TIME_WAIT reuse allowed)? */
function __inet_check_established(net: Net, sk: TcpSock, lport: number, loopback: boolean): boolean {
  const h = tcp_hashinfo(net);
  const k = ekey(sk.rcv_saddr, lport, sk.daddr, sk.dport);
  const old = h.ehash.get(k);
  if (!old) return true;
  if (old instanceof TimewaitSock && tcp_twsk_unique(net, old, loopback)) {
    NET_INC_STATS(net, 'TWRecycled');
    sk.write_seq = (old.snd_nxt + 65535 + 2) >>> 0;
    inet_twsk_deschedule_put(net, old);
    return true;
  }
  return false;
}

/** __inet_hash_connect: an ephemeral port from ip_local_port_range, even ones first,
 * from a hashed, perturbed offset; shared with other connections when the 4-tuple differs. */
function inet_hash_connect(net: Net, sk: TcpSock, loopback: boolean): string | null {
  const h = tcp_hashinfo(net);
  if (sk.num) {
    if (!__inet_check_established(net, sk, sk.num, loopback)) return 'EADDRNOTAVAIL';
    inet_ehash_insert(net, sk);
    return null;
  }
  const [low, high0] = inet_get_local_port_range(net);
  const high = high0 + 1;
  let remaining = high - low;
  if (remaining > 1) remaining &= ~1;
  const port_offset = tuple_hash(net, sk.rcv_saddr, sk.daddr, 0, sk.dport, 3);
  const perturb = ((net as any).tcp_table_perturb ??= new Map<number, number>()) as Map<number, number>;
  const index = port_offset & 255;
  if (!perturb.has(index)) perturb.set(index, net.prng.u32());
  let offset = ((perturb.get(index)! + port_offset) >>> 0) % remaining;
  offset &= ~1;
  const step = 2;
  for (let pass = 0; pass < 2; pass++) {
    let port = low + offset;
    for (let i = 0; i < remaining; i += step, port += step) {
      if (port >= high) port -= remaining;
      const tb = h.bhash.get(port);
      let ok = false;
      if (tb) {
        if (tb.fastreuse >= 0 || tb.fastreuseport >= 0) continue;
        if (!__inet_check_established(net, sk, port, loopback)) continue;
        tb.owners.push(sk);
        sk.bind_bucket = tb;
        sk.num = port;
        ok = true;
      } else {
        if (!__inet_check_established(net, sk, port, loopback)) continue;
        inet_bind_hash(net, sk, port, -1);
        ok = true;
      }
      if (ok) {
        const bump = Math.max(i, net.prng.below(8) * step);
        perturb.set(index, (perturb.get(index)! + bump + step) >>> 0);
        inet_ehash_insert(net, sk);
        return null;
      }
    }
    offset++;
    if (!(offset & 1) || remaining <= 1) break;
  }
  return 'EADDRNOTAVAIL';
}

/** tcp_v4_connect: route, source address and port, ISN, then the SYN. */
export function tcp_v4_connect(sk: TcpSock, daddr: number, dport: number): string | null {
  const net = sk.net;
  const fl = { daddr, saddr: sk.saddr, oif: sk.bound_dev_if, tos: sk.tos, scope: 0, proto: IPPROTO_TCP, sport: sk.num, dport };
  const rt = ip_route_output_key(net, fl);
  if ('err' in rt) {
    if (rt.err === 'ENETUNREACH') IP_INC_STATS(net, 'OutNoRoutes');
    return rt.err;
  }
  if (rt.flags & (RTCF_MULTICAST | RTCF_BROADCAST)) return 'ENETUNREACH';
  if (!sk.saddr) sk.saddr = fl.saddr;
  sk.rcv_saddr = sk.saddr;
  sk.dport = dport;
  sk.daddr = daddr;
  sk.rx_opt.mss_clamp = TCP_MSS_DEFAULT;
  tcp_set_state(sk, 'SYN_SENT');
  const err = inet_hash_connect(net, sk, rt.dev.isLoopback);
  if (err) {
    tcp_set_state(sk, 'CLOSE');
    sk.dport = 0;
    return err;
  }
  sk.dst = rt;
  sk.dst_genid = net.fib.genid;
  if (!sk.write_seq) sk.write_seq = secure_tcp_seq(net, sk.saddr, sk.daddr, sk.num, dport);
  sk.tsoffset = secure_tcp_ts_off(net, sk.saddr, sk.daddr);
  sk.inet_id = net.prng.below(65536);
  tcp_connect(sk);
  return null;
}

// ---- ICMP errors --------------------------------------------------------------------------------

/** tcp_v4_err: an ICMP error quoting one of our segments. */
export function tcp_v4_err(net: Net, skb: SkBuff, inner: number, type: number, code: number, info: number): void {
  const b = skb.buf;
  const ihl = iph.ihl(b, inner) * 4;
  const th = inner + ihl;
  if (skb.tail - th < 8) return;
  const saddr = iph.saddr(b, inner);
  const daddr = iph.daddr(b, inner);
  const sport = tcph.source(b, th);
  const dport = tcph.dest(b, th);
  const seq = tcph.seq(b, th);
  const sk = __inet_lookup_established(net, daddr, dport, saddr, sport, 0);
  if (!sk) {
    ICMP_INC_STATS(net, 'InErrors'); // an ICMP about no connection of ours
    return;
  }
  if (sk instanceof TimewaitSock) return;
  if (sk instanceof RequestSock) {
    // tcp_req_err: ICMPs are not backlogged; a fatal one drops the request.
    const abort = type === 12 || type === 11 || (type === 3 && (code === 0 || code === 1));
    if (seq !== sk.snt_isn) NET_INC_STATS(net, 'OutOfWindowIcmps');
    else if (abort) {
      inet_csk_reqsk_queue_drop(sk.listener, sk);
      tcp_listendrop(sk.listener);
    }
    return;
  }
  const tp = sk as TcpSock;
  // Locally generated ICMPs can arrive while the socket is held.
  if (tp.owned && !(type === 3 && code === 4)) NET_INC_STATS(net, 'LockDroppedIcmps');
  if (tp.state === 'CLOSE') return;
  if (tp.state !== 'LISTEN' && !between(seq, tp.snd_una, tp.snd_nxt)) {
    NET_INC_STATS(net, 'OutOfWindowIcmps');
    return;
  }
  let err: string;
  switch (type) {
    case 4: // source quench
      return;
    case 12:
      err = 'EPROTO';
      break;
    case 3:
      if (code > 15) return;
      if (code === 4) {
        // PMTU discovery: tcp_v4_mtu_reduced.
        if (tp.state === 'LISTEN') return;
        const rt = tcp_route(tp);
        if (typeof rt === 'string') return;
        const mtu = dst_mtu(net, rt);
        if (tp.pmtu_cookie > mtu) {
          tcp_sync_mss(tp, mtu);
          const head = tp.rtx_queue[0];
          if (head) tcp_retransmit_skb(tp, head);
        }
        return;
      }
      err = icmp_err_convert(type, code).err;
      break;
    case 11:
      err = 'EHOSTUNREACH';
      break;
    default:
      return;
  }
  if (tp.state === 'SYN_SENT' || tp.state === 'SYN_RECV') {
    // ip_icmp_error queues it whether or not IP_RECVERR is set, so poll()
    // reports POLLERR even when the socket was held and only sk_err_soft is set.
    sock_queue_err(tp, { ee_errno: err, ee_origin: SO_EE_ORIGIN_ICMP, ee_type: type, ee_code: code, ee_info: info, offender: iph.saddr(b, skb.network_header), payload: new Uint8Array(0), daddr, port: dport, tstamp: net.now() });
    if (!tp.owned) tcp_done_with_error(tp, err);
    else tp.err_soft = err;
    return;
  }
  if (!tp.owned && tp.recverr) {
    tp.err = err;
    tp.wake();
  } else tp.err_soft = err;
}

// ---- registration ----------------------------------------------------------------------------------

let registered = false;

/** tcp_v4_init / inet_init: hook TCP into IP input and ICMP errors, register the congestion controls. */
export function tcp_v4_init(): void {
  if (registered) return;
  registered = true;
  tcp_v4_rcv_hook.fn = tcp_v4_rcv;
  icmp_err_hooks[IPPROTO_TCP] = tcp_v4_err;
  tcp_register_congestion_control(tcp_cubic);
  tcp_register_congestion_control(tcp_bbr);
}

export { TCP_SKB_CB, before, after, tcp_rmem, inet_put_port };
