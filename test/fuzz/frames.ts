// Frame builders for the packet fuzz suite, written from the RFCs and kept
// independent of core/ (so a bug in core's header code cannot hide here).
// The lab: host a (10.0.0.1, 02:00:00:00:01:01) and host b (10.0.0.2,
// 02:00:00:00:02:01) on one segment; every frame goes from a to b.

export const MAC_A = [2, 0, 0, 0, 1, 1];
export const MAC_B = [2, 0, 0, 0, 2, 1];
export const IP_A = [10, 0, 0, 1];
export const IP_B = [10, 0, 0, 2];

export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;

/** RFC 1071 ones'-complement sum of bytes, folded; `init` is a partial sum. */
export function csum(b: Uint8Array, init = 0): number {
  let s = init;
  for (let i = 0; i + 1 < b.length; i += 2) s += (b[i] << 8) | b[i + 1];
  if (b.length & 1) s += b[b.length - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >> 8) & 0xff;
  b[o + 1] = v & 0xff;
}

export function cat(...parts: ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function eth(type: number, payload: Uint8Array, dst = MAC_B, src = MAC_A): Uint8Array {
  return cat(dst, src, [type >> 8, type & 0xff], payload);
}

export interface IpOpts {
  src?: number[];
  dst?: number[];
  proto?: number;
  ttl?: number;
  id?: number;
  /** flags (DF 0x4000, MF 0x2000) | fragment offset in 8-byte units */
  frag?: number;
  tos?: number;
  /** IP options, padded by the caller to a multiple of 4 */
  options?: number[];
  /** overrides */
  version?: number;
  ihl?: number;
  totLen?: number;
  badCsum?: boolean;
}

export function ipv4(payload: Uint8Array, o: IpOpts = {}): Uint8Array {
  const opts = o.options ?? [];
  const hl = 20 + opts.length;
  const h = new Uint8Array(hl);
  h[0] = ((o.version ?? 4) << 4) | (o.ihl ?? hl / 4);
  h[1] = o.tos ?? 0;
  put16(h, 2, o.totLen ?? hl + payload.length);
  put16(h, 4, o.id ?? 0x1234);
  put16(h, 6, o.frag ?? 0);
  h[8] = o.ttl ?? 64;
  h[9] = o.proto ?? 1;
  h.set(o.src ?? IP_A, 12);
  h.set(o.dst ?? IP_B, 16);
  h.set(opts, 20);
  put16(h, 10, csum(h) ^ (o.badCsum ? 0x5a5a : 0));
  return cat(h, payload);
}

/** ICMP message: type, code, 4 bytes of rest-of-header, data. */
export function icmp(type: number, code: number, rest: number[], data: Uint8Array = new Uint8Array(0), badCsum = false): Uint8Array {
  const m = cat([type, code, 0, 0], rest, data);
  put16(m, 2, csum(m) ^ (badCsum ? 0x0101 : 0));
  return m;
}

export const echo = (data = new Uint8Array(16), badCsum = false) => icmp(8, 0, [0, 7, 0, 1], data, badCsum);

function pseudo(src: number[], dst: number[], proto: number, len: number): number {
  return (~csum(cat(src, dst, [0, proto, len >> 8, len & 0xff])) & 0xffff);
}

export interface UdpOpts {
  sport?: number;
  dport?: number;
  len?: number;
  /** 'ok' (default), 'zero' (no checksum), 'bad' */
  check?: 'ok' | 'zero' | 'bad';
  src?: number[];
  dst?: number[];
}

export function udp(data: Uint8Array, o: UdpOpts = {}): Uint8Array {
  const len = o.len ?? 8 + data.length;
  const u = cat([0, 0, 0, 0, 0, 0, 0, 0], data);
  put16(u, 0, o.sport ?? 40000);
  put16(u, 2, o.dport ?? 9);
  put16(u, 4, len);
  if (o.check !== 'zero') {
    // The checksum covers the datagram as the length field says.
    let c = csum(u.subarray(0, Math.min(len, u.length)), pseudo(o.src ?? IP_A, o.dst ?? IP_B, 17, len));
    if (c === 0) c = 0xffff;
    put16(u, 6, o.check === 'bad' ? c ^ 0x0f0f : c);
  }
  return u;
}

export interface TcpOpts {
  sport?: number;
  dport?: number;
  flags?: number;
  doff?: number;
  badCsum?: boolean;
}

export function tcp(data: Uint8Array, o: TcpOpts = {}): Uint8Array {
  const t = cat(new Uint8Array(20), data);
  put16(t, 0, o.sport ?? 40000);
  put16(t, 2, o.dport ?? 9);
  put16(t, 4, 0x0100);
  t[12] = (o.doff ?? 5) << 4;
  t[13] = o.flags ?? 0x02;
  put16(t, 14, 64240);
  put16(t, 16, csum(t, pseudo(IP_A, IP_B, 6, t.length)) ^ (o.badCsum ? 0x3333 : 0));
  return t;
}

export function arp(op: number, o: { hln?: number; pln?: number; hrd?: number; pro?: number; sip?: number[]; tip?: number[]; len?: number } = {}): Uint8Array {
  const a = cat([0, o.hrd ?? 1, 8, 0, o.hln ?? 6, o.pln ?? 4, 0, op], MAC_A, o.sip ?? IP_A, [0, 0, 0, 0, 0, 0], o.tip ?? IP_B);
  return o.len !== undefined ? a.subarray(0, o.len) : a;
}

export const ipFrame = (payload: Uint8Array, o: IpOpts = {}) => eth(ETH_P_IP, ipv4(payload, o));

export function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
