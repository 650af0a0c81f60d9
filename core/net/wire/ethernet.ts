// Ethernet II header (include/uapi/linux/if_ether.h).
//  0                   6                  12      14
//  | destination MAC   | source MAC        | type  |
export const ETH_HLEN = 14;
export const ETH_ZLEN = 60;
export const ETH_FRAME_LEN = 1514;
export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const ETH_P_IPV6 = 0x86dd;
export const ETH_P_ALL = 0x0003;

export type Mac = Uint8Array; // 6 bytes

export const BROADCAST_MAC: Mac = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
export const ZERO_MAC: Mac = new Uint8Array(6);

export const eth = {
  dest: (b: Uint8Array, o: number): Mac => b.subarray(o, o + 6),
  source: (b: Uint8Array, o: number): Mac => b.subarray(o + 6, o + 12),
  proto: (b: Uint8Array, o: number): number => (b[o + 12] << 8) | b[o + 13],
  write(b: Uint8Array, o: number, dst: Mac, src: Mac, proto: number): void {
    b.set(dst, o);
    b.set(src, o + 6);
    b[o + 12] = proto >> 8;
    b[o + 13] = proto & 0xff;
  },
};

export function is_broadcast_ether_addr(a: Mac): boolean {
  return (a[0] & a[1] & a[2] & a[3] & a[4] & a[5]) === 0xff;
}
export function is_multicast_ether_addr(a: Mac): boolean {
  return (a[0] & 1) === 1;
}
export function ether_addr_equal(a: Mac, b: Mac): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3] && a[4] === b[4] && a[5] === b[5];
}
export function is_zero_ether_addr(a: Mac): boolean {
  return (a[0] | a[1] | a[2] | a[3] | a[4] | a[5]) === 0;
}

export function parseMac(s: string): Mac | null {
  const m = /^([0-9a-f]{1,2})(?::([0-9a-f]{1,2})){5}$/i.test(s) ? s.split(':') : null;
  if (!m) return null;
  return new Uint8Array(m.map((x) => parseInt(x, 16)));
}

export function formatMac(a: Mac): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += (i ? ':' : '') + a[i].toString(16).padStart(2, '0');
  return s;
}
