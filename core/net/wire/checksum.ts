// The Internet checksum (RFC 1071), as csum_partial/csum_fold compute it.

/** One's-complement sum of bytes [off, off+len) folded to 16 bits, plus `initial`. */
export function csum_partial(buf: Uint8Array, off: number, len: number, initial = 0): number {
  let sum = initial;
  let i = off;
  const end = off + len - 1;
  for (; i < end; i += 2) sum += (buf[i] << 8) | buf[i + 1];
  if (i === end) sum += buf[i] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** ~sum as a 16-bit checksum field value. */
export function csum_fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Pseudo-header sum for UDP/TCP over IPv4 (csum_tcpudp_nofold). */
export function csum_tcpudp(saddr: number, daddr: number, len: number, proto: number): number {
  let sum = (saddr >>> 16) + (saddr & 0xffff) + (daddr >>> 16) + (daddr & 0xffff) + proto + len;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** ip_fast_csum: checksum of an IPv4 header of ihl words; 0 means valid. */
export function ip_fast_csum(buf: Uint8Array, off: number, ihl: number): number {
  return csum_fold(csum_partial(buf, off, ihl * 4));
}
