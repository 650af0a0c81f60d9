// IPv4 header (RFC 791, include/uapi/linux/ip.h) and address helpers.
//  0                   1                   2                   3
//  |Version|  IHL  |   DSCP/ECN    |          Total Length         |
//  |         Identification        |Flags|      Fragment Offset    |
//  |  Time to Live |    Protocol   |         Header Checksum       |
//  |                       Source Address                          |
//  |                    Destination Address                        |
import { csum_fold, csum_partial } from './checksum.js';

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IP_DF = 0x4000;
export const IP_MF = 0x2000;
export const IP_OFFSET = 0x1fff;
export const IPTOS_PREC_INTERNETCONTROL = 0xc0;

export const iph = {
  version: (b: Uint8Array, o: number) => b[o] >> 4,
  ihl: (b: Uint8Array, o: number) => b[o] & 0xf,
  tos: (b: Uint8Array, o: number) => b[o + 1],
  tot_len: (b: Uint8Array, o: number) => (b[o + 2] << 8) | b[o + 3],
  id: (b: Uint8Array, o: number) => (b[o + 4] << 8) | b[o + 5],
  frag_off: (b: Uint8Array, o: number) => (b[o + 6] << 8) | b[o + 7],
  ttl: (b: Uint8Array, o: number) => b[o + 8],
  protocol: (b: Uint8Array, o: number) => b[o + 9],
  check: (b: Uint8Array, o: number) => (b[o + 10] << 8) | b[o + 11],
  saddr: (b: Uint8Array, o: number) => ((b[o + 12] << 24) | (b[o + 13] << 16) | (b[o + 14] << 8) | b[o + 15]) >>> 0,
  daddr: (b: Uint8Array, o: number) => ((b[o + 16] << 24) | (b[o + 17] << 16) | (b[o + 18] << 8) | b[o + 19]) >>> 0,
  set_ttl(b: Uint8Array, o: number, ttl: number) {
    b[o + 8] = ttl;
  },
  /** Write a 20-byte header (no options) with a valid checksum. */
  write(
    b: Uint8Array,
    o: number,
    f: { tos: number; tot_len: number; id: number; frag_off: number; ttl: number; protocol: number; saddr: number; daddr: number },
  ) {
    b[o] = 0x45;
    b[o + 1] = f.tos;
    put16(b, o + 2, f.tot_len);
    put16(b, o + 4, f.id);
    put16(b, o + 6, f.frag_off);
    b[o + 8] = f.ttl;
    b[o + 9] = f.protocol;
    put16(b, o + 10, 0);
    put32(b, o + 12, f.saddr);
    put32(b, o + 16, f.daddr);
    ip_send_check(b, o);
  },
};

/** ip_send_check: recompute the header checksum in place. */
export function ip_send_check(b: Uint8Array, o: number): void {
  put16(b, o + 10, 0);
  put16(b, o + 10, csum_fold(csum_partial(b, o, (b[o] & 0xf) * 4)));
}

/** ip_decrease_ttl: TTL-1 with the incremental checksum update of RFC 1624. */
export function ip_decrease_ttl(b: Uint8Array, o: number): number {
  let check = (b[o + 10] << 8) | b[o + 11];
  check += 0x0100;
  check = (check + (check >= 0xffff ? 1 : 0)) & 0xffff;
  b[o + 10] = check >> 8;
  b[o + 11] = check & 0xff;
  return --b[o + 8];
}

export function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
}
export function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}
export function get16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}
export function get32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/** Addresses are unsigned 32-bit numbers in host order. */
export function parseIPv4(s: string): number | null {
  const p = s.split('.');
  if (p.length !== 4) return null;
  let v = 0;
  for (const x of p) {
    if (!/^\d{1,3}$/.test(x)) return null;
    const n = Number(x);
    if (n > 255) return null;
    v = v * 256 + n;
  }
  return v >>> 0;
}

export function formatIPv4(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

export function inet_make_mask(plen: number): number {
  return plen === 0 ? 0 : (0xffffffff << (32 - plen)) >>> 0;
}

export function ipv4_is_multicast(a: number): boolean {
  return a >>> 28 === 0xe;
}
export function ipv4_is_lbcast(a: number): boolean {
  return a === 0xffffffff;
}
export function ipv4_is_zeronet(a: number): boolean {
  return a >>> 24 === 0;
}
export function ipv4_is_loopback(a: number): boolean {
  return a >>> 24 === 127;
}
