// net/ipv4/inet_hashtables.c: struct inet_hashinfo of one namespace's TCP.
// ehash holds every socket with a full 4-tuple (established and closing
// sockets, request socks in NEW_SYN_RECV, TIME_WAIT socks); lhash holds the
// listeners by port; bhash the bind buckets, by port, that decide who may
// bind or connect from which local port.
import type { Net } from '../net_namespace.js';
import { sock_compute_score } from './sock.js';
import type { AnyTcpSock, TcpSock, TimewaitSock } from './tcp_sock.js';

/** struct inet_bind_bucket: one local port and the sockets bound to it. */
export interface InetBindBucket {
  port: number;
  /** fastreuse >= 0: made by bind(); -1: made by connect() (may be shared by 4-tuple). */
  fastreuse: number;
  fastreuseport: number;
  owners: (TcpSock | TimewaitSock)[];
}

export interface InetHashinfo {
  ehash: Map<string, AnyTcpSock>;
  lhash: Map<number, TcpSock[]>;
  bhash: Map<number, InetBindBucket>;
  /** Per-namespace perturbation of __inet_hash_connect (table_perturb). */
  perturb: number;
}

const tables = new WeakMap<Net, InetHashinfo>();

/** net->ipv4.tcp_death_row.hashinfo. */
export function tcp_hashinfo(net: Net): InetHashinfo {
  let h = tables.get(net);
  if (!h) {
    h = { ehash: new Map(), lhash: new Map(), bhash: new Map(), perturb: 0 };
    tables.set(net, h);
  }
  return h;
}

/** The ehash key: local address and port, remote address and port. */
export function ekey(laddr: number, lport: number, raddr: number, rport: number): string {
  return `${laddr >>> 0}:${lport}:${raddr >>> 0}:${rport}`;
}

export function sk_ekey(sk: AnyTcpSock): string {
  if ('listener' in sk) return ekey(sk.loc_addr, sk.loc_port, sk.rmt_addr, sk.rmt_port);
  return ekey(sk.rcv_saddr, sk.num, sk.daddr, sk.dport);
}

/** __inet_lookup_established: the exact 4-tuple. */
export function __inet_lookup_established(net: Net, saddr: number, sport: number, daddr: number, dport: number, dif: number): AnyTcpSock | null {
  const sk = tcp_hashinfo(net).ehash.get(ekey(daddr, dport, saddr, sport));
  if (!sk) return null;
  if (sk.bound_dev_if && sk.bound_dev_if !== dif) return null;
  return sk;
}

/** inet_lhash2_lookup / compute_score: a listener bound to the address
 * beats a wildcard one, a device-bound one must match the device. */
export function inet_lookup_listener(net: Net, daddr: number, dport: number, dif: number): TcpSock | null {
  const l = tcp_hashinfo(net).lhash.get(dport);
  if (!l) return null;
  let best: TcpSock | null = null;
  let bestScore = -1;
  for (const sk of l) {
    // Listeners have no peer: only the local address and device can bind them.
    const score = sock_compute_score(sk, daddr, sk.daddr, sk.dport, dif, 1);
    if (score < 0) continue;
    if (score > bestScore) {
      best = sk;
      bestScore = score;
    }
  }
  return best;
}

/** __inet_lookup_skb: established (and TIME_WAIT, NEW_SYN_RECV) first, then listeners. */
export function __inet_lookup(net: Net, saddr: number, sport: number, daddr: number, dport: number, dif: number): AnyTcpSock | null {
  return __inet_lookup_established(net, saddr, sport, daddr, dport, dif) ?? inet_lookup_listener(net, daddr, dport, dif);
}

/** inet_ehash_insert: false if the 4-tuple is taken. */
export function inet_ehash_insert(net: Net, sk: AnyTcpSock): boolean {
  const h = tcp_hashinfo(net);
  const k = sk_ekey(sk);
  if (h.ehash.has(k)) return false;
  h.ehash.set(k, sk);
  return true;
}

/** inet_ehash_nolisten/ inet_unhash for ehash members. */
export function inet_ehash_remove(net: Net, sk: AnyTcpSock): void {
  const h = tcp_hashinfo(net);
  const k = sk_ekey(sk);
  if (h.ehash.get(k) === sk) h.ehash.delete(k);
}

/** Replace one ehash member by another with the same 4-tuple (request -> child, child -> timewait). */
export function inet_ehash_replace(net: Net, old: AnyTcpSock, sk: AnyTcpSock): void {
  const h = tcp_hashinfo(net);
  const k = sk_ekey(sk);
  if (h.ehash.get(k) === old || !h.ehash.has(k)) h.ehash.set(k, sk);
}

export function inet_hash_listener(net: Net, sk: TcpSock): void {
  const h = tcp_hashinfo(net);
  let l = h.lhash.get(sk.num);
  if (!l) h.lhash.set(sk.num, (l = []));
  if (!l.includes(sk)) l.push(sk);
}

export function inet_unhash_listener(net: Net, sk: TcpSock): void {
  const l = tcp_hashinfo(net).lhash.get(sk.num);
  if (!l) return;
  const i = l.indexOf(sk);
  if (i >= 0) l.splice(i, 1);
  if (!l.length) tcp_hashinfo(net).lhash.delete(sk.num);
}

/** inet_bind_bucket_create + inet_bind_hash. */
export function inet_bind_hash(net: Net, sk: TcpSock | TimewaitSock, port: number, fastreuse: number): InetBindBucket {
  const h = tcp_hashinfo(net);
  let tb = h.bhash.get(port);
  if (!tb) {
    tb = { port, fastreuse, fastreuseport: fastreuse, owners: [] };
    h.bhash.set(port, tb);
  }
  tb.owners.push(sk);
  sk.bind_bucket = tb;
  sk.num = port;
  return tb;
}

/** __inet_put_port: leave the bind bucket; an empty bucket goes away. */
export function inet_put_port(net: Net, sk: TcpSock | TimewaitSock): void {
  const tb = sk.bind_bucket as InetBindBucket | null;
  if (!tb) return;
  const i = tb.owners.indexOf(sk);
  if (i >= 0) tb.owners.splice(i, 1);
  sk.bind_bucket = null;
  if (!tb.owners.length) {
    const h = tcp_hashinfo(net);
    if (h.bhash.get(tb.port) === tb) h.bhash.delete(tb.port);
  }
}

/** inet_twsk_bind_unhash's counterpart: a timewait sock takes the socket's place in its bucket. */
export function inet_bind_replace(sk: TcpSock, tw: TimewaitSock): void {
  const tb = sk.bind_bucket as InetBindBucket | null;
  if (!tb) return;
  const i = tb.owners.indexOf(sk);
  if (i >= 0) tb.owners[i] = tw;
  else tb.owners.push(tw);
  tw.bind_bucket = tb;
  sk.bind_bucket = null;
}

/** inet_get_local_port_range. */
export function inet_get_local_port_range(net: Net): [number, number] {
  const [lo, hi] = (net.sysctl.get('net.ipv4.ip_local_port_range') ?? '32768 60999').split(/\s+/).map(Number);
  return [lo, hi];
}

/** Every socket of the namespace's TCP, for ss (inet_diag dump order:
 * listeners first, then the established hash). */
export function inet_diag_all(net: Net): AnyTcpSock[] {
  const h = tcp_hashinfo(net);
  const out: AnyTcpSock[] = [];
  for (const l of h.lhash.values()) out.push(...l);
  out.push(...h.ehash.values());
  return out;
}
