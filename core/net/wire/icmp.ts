// ICMP header (RFC 792, include/uapi/linux/icmp.h).
//  | Type | Code | Checksum | (echo: id, sequence) (unreach: unused, mtu) |
export const ICMP_ECHOREPLY = 0;
export const ICMP_DEST_UNREACH = 3;
export const ICMP_SOURCE_QUENCH = 4;
export const ICMP_REDIRECT = 5;
export const ICMP_ECHO = 8;
export const ICMP_TIME_EXCEEDED = 11;
export const ICMP_PARAMETERPROB = 12;
export const ICMP_TIMESTAMP = 13;
export const ICMP_TIMESTAMPREPLY = 14;
export const NR_ICMP_TYPES = 18;

// Codes for ICMP_DEST_UNREACH.
export const ICMP_NET_UNREACH = 0;
export const ICMP_HOST_UNREACH = 1;
export const ICMP_PROT_UNREACH = 2;
export const ICMP_PORT_UNREACH = 3;
export const ICMP_FRAG_NEEDED = 4;
export const ICMP_SR_FAILED = 5;
export const ICMP_PKT_FILTERED = 13;
// Codes for ICMP_TIME_EXCEEDED.
export const ICMP_EXC_TTL = 0;
export const ICMP_EXC_FRAGTIME = 1;

export const ICMP_HLEN = 8;

export const icmph = {
  type: (b: Uint8Array, o: number) => b[o],
  code: (b: Uint8Array, o: number) => b[o + 1],
  checksum: (b: Uint8Array, o: number) => (b[o + 2] << 8) | b[o + 3],
  echo_id: (b: Uint8Array, o: number) => (b[o + 4] << 8) | b[o + 5],
  echo_seq: (b: Uint8Array, o: number) => (b[o + 6] << 8) | b[o + 7],
  frag_mtu: (b: Uint8Array, o: number) => (b[o + 6] << 8) | b[o + 7],
};
