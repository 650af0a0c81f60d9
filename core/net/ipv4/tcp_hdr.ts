// The TCP header and its options (RFC 9293, RFC 7323, RFC 2018;
// include/uapi/linux/tcp.h, tcp_parse_options and tcp_options_write).
//  0                   1                   2                   3
//  |          Source Port          |       Destination Port        |
//  |                        Sequence Number                        |
//  |                    Acknowledgment Number                      |
//  |  Data |       |C|E|U|A|P|R|S|F|                               |
//  | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
//  |           Checksum            |         Urgent Pointer        |
//  |                    Options                    |    Padding    |
import { put16, put32, get16, get32, IPPROTO_TCP } from '../wire/ip.js';
import { csum_fold, csum_partial, csum_tcpudp } from '../wire/checksum.js';

export const TCPHDR_FIN = 0x01;
export const TCPHDR_SYN = 0x02;
export const TCPHDR_RST = 0x04;
export const TCPHDR_PSH = 0x08;
export const TCPHDR_ACK = 0x10;
export const TCPHDR_URG = 0x20;
export const TCPHDR_ECE = 0x40;
export const TCPHDR_CWR = 0x80;

export const TCPOPT_NOP = 1;
export const TCPOPT_EOL = 0;
export const TCPOPT_MSS = 2;
export const TCPOPT_WINDOW = 3;
export const TCPOPT_SACK_PERM = 4;
export const TCPOPT_SACK = 5;
export const TCPOPT_TIMESTAMP = 8;

export const TCPOLEN_MSS = 4;
export const TCPOLEN_WINDOW = 3;
export const TCPOLEN_SACK_PERM = 2;
export const TCPOLEN_TIMESTAMP = 10;
export const TCPOLEN_TSTAMP_ALIGNED = 12;
export const TCPOLEN_WSCALE_ALIGNED = 4;
export const TCPOLEN_SACKPERM_ALIGNED = 4;
export const TCPOLEN_SACK_BASE_ALIGNED = 4;
export const TCPOLEN_SACK_PERBLOCK = 8;
export const TCPOLEN_MSS_ALIGNED = 4;
export const MAX_TCP_OPTION_SPACE = 40;
export const TCP_NUM_SACKS = 4;
export const TCP_HLEN = 20;

export const tcph = {
  source: (b: Uint8Array, o: number) => get16(b, o),
  dest: (b: Uint8Array, o: number) => get16(b, o + 2),
  seq: (b: Uint8Array, o: number) => get32(b, o + 4),
  ack_seq: (b: Uint8Array, o: number) => get32(b, o + 8),
  doff: (b: Uint8Array, o: number) => b[o + 12] >> 4,
  flags: (b: Uint8Array, o: number) => b[o + 13],
  window: (b: Uint8Array, o: number) => get16(b, o + 14),
  check: (b: Uint8Array, o: number) => get16(b, o + 16),
  urg_ptr: (b: Uint8Array, o: number) => get16(b, o + 18),
};

/** The parsed header: what TCP_SKB_CB and tcp_parse_options fill in. */
export interface TcpHdr {
  source: number;
  dest: number;
  seq: number;
  ack_seq: number;
  doff: number;
  flags: number;
  window: number;
}

export function tcp_hdr(b: Uint8Array, o: number): TcpHdr {
  return { source: tcph.source(b, o), dest: tcph.dest(b, o), seq: tcph.seq(b, o), ack_seq: tcph.ack_seq(b, o), doff: tcph.doff(b, o), flags: tcph.flags(b, o), window: tcph.window(b, o) };
}

/** struct tcp_options_received, the part tcp_parse_options fills per segment. */
export interface TcpOptionsReceived {
  saw_tstamp: boolean;
  rcv_tsval: number;
  rcv_tsecr: number;
  /** Options seen on a SYN. */
  mss_clamp: number;
  wscale_ok: boolean;
  snd_wscale: number;
  sack_ok: boolean;
  /** SACK blocks [start, end) of this segment. */
  sacks: [number, number][];
}

export function emptyOptions(): TcpOptionsReceived {
  return { saw_tstamp: false, rcv_tsval: 0, rcv_tsecr: 0, mss_clamp: 0, wscale_ok: false, snd_wscale: 0, sack_ok: false, sacks: [] };
}

/** tcp_parse_options: walk the option bytes; MSS, window scale and SACK
 * permitted count only on SYNs, as in Linux. */
export function tcp_parse_options(b: Uint8Array, o: number, syn: boolean, opt: TcpOptionsReceived = emptyOptions()): TcpOptionsReceived {
  const end = o + tcph.doff(b, o) * 4;
  let p = o + TCP_HLEN;
  opt.saw_tstamp = false;
  opt.sacks = [];
  while (p < end) {
    const kind = b[p];
    if (kind === TCPOPT_EOL) break;
    if (kind === TCPOPT_NOP) {
      p++;
      continue;
    }
    if (p + 1 >= end) break;
    const size = b[p + 1];
    if (size < 2 || p + size > end) break;
    switch (kind) {
      case TCPOPT_MSS:
        if (size === TCPOLEN_MSS && syn) {
          const m = get16(b, p + 2);
          if (m) opt.mss_clamp = m;
        }
        break;
      case TCPOPT_WINDOW:
        if (size === TCPOLEN_WINDOW && syn) {
          opt.wscale_ok = true;
          opt.snd_wscale = Math.min(b[p + 2], 14);
        }
        break;
      case TCPOPT_TIMESTAMP:
        if (size === TCPOLEN_TIMESTAMP) {
          opt.saw_tstamp = true;
          opt.rcv_tsval = get32(b, p + 2);
          opt.rcv_tsecr = get32(b, p + 6);
        }
        break;
      case TCPOPT_SACK_PERM:
        if (size === TCPOLEN_SACK_PERM && syn) opt.sack_ok = true;
        break;
      case TCPOPT_SACK:
        if (size >= 2 + TCPOLEN_SACK_PERBLOCK && (size - 2) % TCPOLEN_SACK_PERBLOCK === 0 && !syn)
          for (let q = p + 2; q < p + size; q += 8) opt.sacks.push([get32(b, q), get32(b, q + 4)]);
        break;
    }
    p += size;
  }
  return opt;
}

/** struct tcp_out_options: what tcp_syn_options / tcp_established_options chose. */
export interface TcpOutOptions {
  mss?: number;
  sack_perm?: boolean;
  ts?: { val: number; ecr: number };
  wscale?: number;
  sacks?: [number, number][];
}

/** Size of the options as tcp_options_write lays them out. */
export function tcp_options_size(opts: TcpOutOptions): number {
  let n = 0;
  if (opts.mss !== undefined) n += TCPOLEN_MSS_ALIGNED;
  if (opts.ts) n += TCPOLEN_TSTAMP_ALIGNED;
  else if (opts.sack_perm) n += TCPOLEN_SACKPERM_ALIGNED;
  if (opts.wscale !== undefined) n += TCPOLEN_WSCALE_ALIGNED;
  if (opts.sacks?.length) n += TCPOLEN_SACK_BASE_ALIGNED + opts.sacks.length * TCPOLEN_SACK_PERBLOCK;
  return n;
}

/** tcp_options_write: MSS; SACK-permitted folded into the timestamp word
 * (kind 4 len 2 kind 8 len 10) or padded with NOPs; NOP + window scale;
 * NOP NOP + SACK blocks. The order Linux uses on the wire. */
export function tcp_options_write(b: Uint8Array, p: number, opts: TcpOutOptions): void {
  if (opts.mss !== undefined) {
    b[p] = TCPOPT_MSS;
    b[p + 1] = TCPOLEN_MSS;
    put16(b, p + 2, opts.mss);
    p += 4;
  }
  if (opts.ts) {
    if (opts.sack_perm) {
      b[p] = TCPOPT_SACK_PERM;
      b[p + 1] = TCPOLEN_SACK_PERM;
    } else {
      b[p] = TCPOPT_NOP;
      b[p + 1] = TCPOPT_NOP;
    }
    b[p + 2] = TCPOPT_TIMESTAMP;
    b[p + 3] = TCPOLEN_TIMESTAMP;
    put32(b, p + 4, opts.ts.val);
    put32(b, p + 8, opts.ts.ecr);
    p += 12;
  } else if (opts.sack_perm) {
    b[p] = TCPOPT_NOP;
    b[p + 1] = TCPOPT_NOP;
    b[p + 2] = TCPOPT_SACK_PERM;
    b[p + 3] = TCPOLEN_SACK_PERM;
    p += 4;
  }
  if (opts.wscale !== undefined) {
    b[p] = TCPOPT_NOP;
    b[p + 1] = TCPOPT_WINDOW;
    b[p + 2] = TCPOLEN_WINDOW;
    b[p + 3] = opts.wscale;
    p += 4;
  }
  if (opts.sacks?.length) {
    b[p] = TCPOPT_NOP;
    b[p + 1] = TCPOPT_NOP;
    b[p + 2] = TCPOPT_SACK;
    b[p + 3] = 2 + opts.sacks.length * TCPOLEN_SACK_PERBLOCK;
    p += 4;
    for (const [s, e] of opts.sacks) {
      put32(b, p, s);
      put32(b, p + 4, e);
      p += 8;
    }
  }
}

/** Write the fixed header at o (doff from hlen) and the checksum over the
 * segment of `len` bytes (header, options and payload already in place). */
export function tcp_write_header(
  b: Uint8Array,
  o: number,
  h: { source: number; dest: number; seq: number; ack_seq: number; hlen: number; flags: number; window: number },
): void {
  put16(b, o, h.source);
  put16(b, o + 2, h.dest);
  put32(b, o + 4, h.seq >>> 0);
  put32(b, o + 8, h.ack_seq >>> 0);
  b[o + 12] = (h.hlen >> 2) << 4;
  b[o + 13] = h.flags;
  put16(b, o + 14, h.window);
  put16(b, o + 16, 0);
  put16(b, o + 18, 0);
}

/** tcp_v4_send_check: the checksum over pseudo header and segment. */
export function tcp_v4_send_check(b: Uint8Array, o: number, len: number, saddr: number, daddr: number): void {
  put16(b, o + 16, 0);
  put16(b, o + 16, csum_fold(csum_partial(b, o, len, csum_tcpudp(saddr, daddr, len, IPPROTO_TCP))));
}

/** tcp_checksum_complete: true when the segment's checksum is wrong. */
export function tcp_checksum_bad(b: Uint8Array, o: number, len: number, saddr: number, daddr: number): boolean {
  return csum_fold(csum_partial(b, o, len, csum_tcpudp(saddr, daddr, len, IPPROTO_TCP))) !== 0;
}

// Sequence space arithmetic (include/net/tcp.h before/after).
export const before = (a: number, b: number): boolean => ((a - b) | 0) < 0;
export const after = (a: number, b: number): boolean => ((b - a) | 0) < 0;
export const seq_add = (a: number, n: number): number => (a + n) >>> 0;
export const seq_sub = (a: number, b: number): number => (a - b) >>> 0;
/** between(seq, low, high): low <= seq <= high in sequence space. */
export const between = (seq: number, low: number, high: number): boolean => ((high - low) >>> 0) >= ((seq - low) >>> 0);
