// Receive-side scaling as a NIC does it: a Toeplitz hash over the flow tuple
// (Microsoft's RSS specification, which Linux's ethtool calls "toeplitz"),
// then the low bits of the hash index an indirection table whose entries are
// RX queue numbers (ethtool -x / -X). The hash also becomes skb->hash, which
// RPS reuses so the NIC does the work only once.
import { ETH_HLEN, ETH_P_IP } from '../net/wire/ethernet.js';
import { IPPROTO_TCP, IPPROTO_UDP, IP_MF, IP_OFFSET } from '../net/wire/ip.js';

/** The 40-byte key of the RSS specification's verification suite. Linux
 * drivers fill theirs with netdev_rss_key_fill() (random once per boot);
 * stlnic ships this well-known key so hashes are reproducible. */
export const RSS_DEFAULT_KEY = new Uint8Array([
  0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
  0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
  0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
]);

/** Indirection table entries (igb/ixgbe have 128). */
export const RSS_INDIR_SIZE = 128;

/** Toeplitz hash of `input` under `key`: for every set input bit (MSB
 * first), XOR in the 32-bit window of the key that starts at that bit. */
export function toeplitz_hash(key: Uint8Array, input: Uint8Array): number {
  let result = 0;
  // The window is the key's bits [i, i+32); keep it in a 32-bit register and
  // shift in the next key bit after each input bit.
  let window = ((key[0] << 24) | (key[1] << 16) | (key[2] << 8) | key[3]) >>> 0;
  let next = 4;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i];
    const kb = next < key.length ? key[next] : 0;
    next++;
    for (let b = 7; b >= 0; b--) {
      if (byte & (1 << b)) result ^= window;
      window = ((window << 1) | ((kb >> b) & 1)) >>> 0;
    }
  }
  return result >>> 0;
}

/** What a received frame hashes on, as the NIC parses it. */
export interface RssTuple {
  /** Bytes in RSS order: source address, destination address, then ports. */
  input: Uint8Array;
  /** The ports were included (skb->l4_hash). */
  l4: boolean;
}

/** Parse an Ethernet frame the way the NIC's parser does: IPv4 with TCP or
 * UDP ports when it is not a fragment, the addresses alone otherwise;
 * null for anything else (ARP, ...), which RSS leaves on queue 0. */
export function rss_tuple(frame: Uint8Array, l4udp = true): RssTuple | null {
  if (frame.length < ETH_HLEN + 20) return null;
  if (((frame[12] << 8) | frame[13]) !== ETH_P_IP) return null;
  const ip = ETH_HLEN;
  if (frame[ip] >> 4 !== 4) return null;
  const ihl = (frame[ip] & 0xf) * 4;
  const proto = frame[ip + 9];
  const frag = ((frame[ip + 6] << 8) | frame[ip + 7]) & (IP_MF | IP_OFFSET);
  const th = ip + ihl;
  const ports = !frag && (proto === IPPROTO_TCP || (proto === IPPROTO_UDP && l4udp)) && frame.length >= th + 4;
  const input = new Uint8Array(ports ? 12 : 8);
  input.set(frame.subarray(ip + 12, ip + 20), 0);
  if (ports) input.set(frame.subarray(th, th + 4), 8);
  return { input, l4: ports };
}

/** ethtool_rxfh_indir_default: spread the table round-robin over n queues. */
export function ethtool_rxfh_indir_default(index: number, n_rx_rings: number): number {
  return index % n_rx_rings;
}

/** The RSS state of one device: key, hash function and indirection table. */
export class RssConfig {
  private _key: Uint8Array = RSS_DEFAULT_KEY.slice();
  /** Per input byte position and value, its share of the hash (the NIC's
   * parallel XOR tree; here a table so each frame costs 12 lookups). */
  private table = new Uint32Array(0);
  readonly indir = new Uint32Array(RSS_INDIR_SIZE);
  /** IFF_RXFH_CONFIGURED: the user set the table; channel changes keep it. */
  userConfigured = false;

  constructor(nqueues: number) {
    this.setDefault(nqueues);
    this.key = this._key;
  }

  get key(): Uint8Array {
    return this._key;
  }

  set key(k: Uint8Array) {
    this._key = k;
    this.table = new Uint32Array(12 * 256);
    const one = new Uint8Array(12);
    for (let pos = 0; pos < 12; pos++) {
      for (let bit = 0; bit < 8; bit++) {
        one.fill(0);
        one[pos] = 1 << bit;
        const h = toeplitz_hash(k, one);
        for (let v = 0; v < 256; v++) if (v & (1 << bit)) this.table[pos * 256 + v] ^= h;
      }
    }
  }

  setDefault(nqueues: number): void {
    for (let i = 0; i < this.indir.length; i++) this.indir[i] = ethtool_rxfh_indir_default(i, nqueues);
  }

  /** The hash of a frame as rss_tuple parses it, 0 when the NIC cannot hash it. */
  hash(frame: Uint8Array): { hash: number; l4: boolean } {
    const hash = this.hashFrame(frame);
    return { hash, l4: this.l4 };
  }

  /** Whether the last hashFrame included the ports (skb->l4_hash). */
  l4 = false;

  /** hash() without an object per frame: the ports' part goes to `l4`. */
  hashFrame(frame: Uint8Array): number {
    this.l4 = false;
    if (frame.length < ETH_HLEN + 20 || frame[12] !== ETH_P_IP >> 8 || frame[13] !== (ETH_P_IP & 0xff) || frame[ETH_HLEN] >> 4 !== 4) return 0;
    const ip = ETH_HLEN;
    const t = this.table;
    let h = 0;
    for (let i = 0; i < 8; i++) h ^= t[i * 256 + frame[ip + 12 + i]];
    const proto = frame[ip + 9];
    const frag = ((frame[ip + 6] << 8) | frame[ip + 7]) & (IP_MF | IP_OFFSET);
    const th = ip + (frame[ip] & 0xf) * 4;
    const l4 = !frag && (proto === IPPROTO_TCP || proto === IPPROTO_UDP) && frame.length >= th + 4;
    if (l4) for (let i = 0; i < 4; i++) h ^= t[(8 + i) * 256 + frame[th + i]];
    this.l4 = l4;
    return h >>> 0;
  }

  /** RX queue for a hash: the low bits index the indirection table. */
  queueFor(hash: number): number {
    return this.indir[hash & (this.indir.length - 1)];
  }
}
