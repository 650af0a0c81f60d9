// ARP for Ethernet/IPv4 (RFC 826, include/uapi/linux/if_arp.h).
//  | hrd(2) | pro(2) | hln | pln | op(2) | sha(6) | sip(4) | tha(6) | tip(4) |
export const ARPHRD_ETHER = 1;
export const ARPHRD_LOOPBACK = 772;
export const ARPOP_REQUEST = 1;
export const ARPOP_REPLY = 2;
export const ARP_HLEN = 28;

export const arph = {
  hrd: (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1],
  pro: (b: Uint8Array, o: number) => (b[o + 2] << 8) | b[o + 3],
  hln: (b: Uint8Array, o: number) => b[o + 4],
  pln: (b: Uint8Array, o: number) => b[o + 5],
  op: (b: Uint8Array, o: number) => (b[o + 6] << 8) | b[o + 7],
  sha: (b: Uint8Array, o: number) => b.subarray(o + 8, o + 14),
  sip: (b: Uint8Array, o: number) => ((b[o + 14] << 24) | (b[o + 15] << 16) | (b[o + 16] << 8) | b[o + 17]) >>> 0,
  tha: (b: Uint8Array, o: number) => b.subarray(o + 18, o + 24),
  tip: (b: Uint8Array, o: number) => ((b[o + 24] << 24) | (b[o + 25] << 16) | (b[o + 26] << 8) | b[o + 27]) >>> 0,
};
