// struct sock, reduced to what the modelled protocols use: addresses and
// ports, receive and error queues with memory accounting against sk_rcvbuf,
// a pending error (sk_err), and a wait queue that sk_data_ready wakes.
import type { Net } from '../net_namespace.js';
import { type SkBuff, kfree_skb } from '../core/skbuff.js';
import { WaitQueue } from '../../kernel/wait.js';
import type { Rtable } from './route.js';

export const SO_EE_ORIGIN_LOCAL = 1;
export const SO_EE_ORIGIN_ICMP = 2;

/** struct sock_extended_err plus the offender and the quoted payload. */
export interface SockExtendedErr {
  ee_errno: string;
  ee_origin: number;
  ee_type: number;
  ee_code: number;
  ee_info: number;
  offender: number;
  /** Bytes of the original packet from its transport header (ICMP echo for ping). */
  payload: Uint8Array;
  /** Destination address of the original packet. */
  daddr: number;
  port: number;
  tstamp: number;
}

export type SockType = 'udp' | 'raw' | 'tcp';

export class Sock {
  state = 'CLOSE';
  rcv_saddr = 0;
  saddr = 0;
  num = 0; // local port
  daddr = 0;
  dport = 0;
  bound_dev_if = 0;
  rcvbuf: number;
  sndbuf: number;
  rmem_alloc = 0;
  wmem_alloc = 0;
  drops = 0;
  /** sk_forward_alloc: memory reserved in whole pages, not used yet (skmem f). */
  forward_alloc = 0;
  /** UDP: skbs at the head of receive_queue that recvmsg moved to its reader_queue. */
  reader_len = 0;
  /** UDP: memory of read datagrams not yet given back (forward_deficit);
   * it is returned in batches of forward_threshold (sk_rcvbuf / 4). */
  forward_deficit = 0;
  forward_threshold: number;
  /** SOCK_RCVBUF_LOCK / SOCK_SNDBUF_LOCK: the user set the size (sk_userlocks). */
  rcvbuf_locked = false;
  sndbuf_locked = false;
  readonly receive_queue: SkBuff[] = [];
  readonly error_queue: SockExtendedErr[] = [];
  /** Pending error reported by the next call (sk_err), errno name. */
  err: string | null = null;
  readonly wq = new WaitQueue();
  // socket options
  recverr = false;
  ttl = -1;
  tos = 0;
  /** IP_MTU_DISCOVER: 'want' (kernel default), 'do', 'dont', 'probe'. */
  pmtudisc: 'want' | 'do' | 'dont' | 'probe' = 'want';
  broadcast = false;
  reuseaddr = false;
  reuseport = false;
  /** ICMP_FILTER for raw ICMP sockets: bit set = type blocked. */
  icmp_filter = 0;
  dst: Rtable | null = null;
  dst_genid = -1;
  /** Process that owns it, for ss -p. */
  owner = '';
  ino: number;
  closed = false;

  constructor(
    readonly net: Net,
    readonly type: SockType,
    readonly protocol: number,
  ) {
    this.rcvbuf = net.sysctlInt('net.core.rmem_default');
    this.sndbuf = net.sysctlInt('net.core.wmem_default');
    this.forward_threshold = this.rcvbuf >> 2;
    this.ino = net.socks.nextIno++;
  }

  /** sk_data_ready / sk_error_report. */
  wake(): void {
    this.wq.wake_up();
  }
}

/** TCP_SKB_MIN_TRUESIZE (2048 + SKB_DATA_ALIGN(sizeof(struct sk_buff))). */
export const TCP_SKB_MIN_TRUESIZE = 2048 + 256;
export const SOCK_MIN_RCVBUF = TCP_SKB_MIN_TRUESIZE;
export const SOCK_MIN_SNDBUF = TCP_SKB_MIN_TRUESIZE * 2;
const INT_MAX = 0x7fffffff;

/** __sock_set_rcvbuf: doubled "to account for struct sk_buff overhead",
 * never below SOCK_MIN_RCVBUF; the size is now the user's (SOCK_RCVBUF_LOCK).
 * UDP also resizes the batch it returns read memory in. */
export function __sock_set_rcvbuf(sk: Sock, val: number): void {
  val = Math.min(val, Math.floor(INT_MAX / 2));
  sk.rcvbuf_locked = true;
  sk.rcvbuf = Math.max(val * 2, SOCK_MIN_RCVBUF);
  if (sk.type === 'udp') sk.forward_threshold = sk.rcvbuf >> 2;
}

/** SO_SNDBUF's setter (set_sndbuf in sk_setsockopt). */
export function __sock_set_sndbuf(sk: Sock, val: number): void {
  val = Math.min(val, Math.floor(INT_MAX / 2));
  sk.sndbuf_locked = true;
  sk.sndbuf = Math.max(val * 2, SOCK_MIN_SNDBUF);
}

/** skb_set_owner_w: the skb's memory counts against the sender's send
 * buffer (sk_wmem_alloc) until it is freed, normally at TX completion; then
 * sock_wfree gives it back, and sock_def_write_space wakes writers once at
 * most half the send buffer is in use. */
export function skb_set_owner_w(skb: SkBuff, sk: Sock): void {
  const size = skb.truesize;
  sk.wmem_alloc += size;
  skb.destructor_sk = sk;
  skb.destructor_size = size;
  skb.destructor = sock_wfree;
}

function sock_wfree(skb: SkBuff): void {
  const sk = skb.destructor_sk as Sock;
  skb.destructor_sk = null;
  sk.wmem_alloc -= skb.destructor_size;
  if (sk.wmem_alloc * 2 <= sk.sndbuf) sk.wake();
}

/** sock_queue_rcv_skb: charge the receive buffer, queue, wake the reader.
 * Returns false (and frees the skb) when the buffer is full. */
export function sock_queue_rcv_skb(sk: Sock, skb: SkBuff): boolean {
  if (sk.rmem_alloc >= sk.rcvbuf) {
    sk.drops++;
    kfree_skb(skb, 'SOCKET_RCVBUFF', 'sock_queue_rcv_skb');
    return false;
  }
  sk.rmem_alloc += skb.truesize;
  skb.sk = sk;
  sk.receive_queue.push(skb);
  sk.net.tracer.fn(skb, 'sock_queue_rcv_skb', `rmem ${sk.rmem_alloc}/${sk.rcvbuf}`);
  sk.wake();
  return true;
}

/** Take the next packet off the receive queue, uncharging it. */
export function skb_recv_datagram(sk: Sock): SkBuff | null {
  const skb = sk.receive_queue.shift();
  if (!skb) return null;
  sk.rmem_alloc -= skb.truesize;
  return skb;
}

/** ip_icmp_error / ip_local_error: queue an extended error for recvmsg(MSG_ERRQUEUE). */
export function sock_queue_err(sk: Sock, e: SockExtendedErr): void {
  if (sk.error_queue.length >= 64) return;
  sk.error_queue.push(e);
  sk.wake();
}

export interface SockTables {
  udp: Sock[];
  raw: Sock[];
  tcp: Sock[];
  nextIno: number;
}

export function newSockTables(): SockTables {
  return { udp: [], raw: [], tcp: [], nextIno: 10000 };
}

/** compute_score (udp.c, inet_hashtables.c): -1 when a bound field does not
 * match the packet; otherwise 4 per field the socket is bound to, so the
 * most specific socket wins. `base` separates listeners from nothing. */
export function sock_compute_score(sk: Sock, daddr: number, saddr: number, sport: number, dif: number, base = 0): number {
  let score = base;
  if (sk.rcv_saddr) {
    if (sk.rcv_saddr !== daddr) return -1;
    score += 4;
  }
  if (sk.daddr) {
    if (sk.daddr !== saddr) return -1;
    score += 4;
  }
  if (sk.dport) {
    if (sk.dport !== sport) return -1;
    score += 4;
  }
  if (sk.bound_dev_if) {
    if (sk.bound_dev_if !== dif) return -1;
    score += 4;
  }
  return score;
}
