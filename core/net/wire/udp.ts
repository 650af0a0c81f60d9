// UDP header (RFC 768): source port, destination port, length, checksum.
export const UDP_HLEN = 8;
export const udph = {
  source: (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1],
  dest: (b: Uint8Array, o: number) => (b[o + 2] << 8) | b[o + 3],
  len: (b: Uint8Array, o: number) => (b[o + 4] << 8) | b[o + 5],
  check: (b: Uint8Array, o: number) => (b[o + 6] << 8) | b[o + 7],
};
