// Shared helpers for network tools: argument access, address parsing,
// and the small I/O conventions every tool follows.
import type { Proc } from '../process.js';
import type { Net } from '../../net/net_namespace.js';
import { parseIPv4 } from '../../net/wire/ip.js';

export function kernel(p: Proc): Net {
  return p.sys as Net;
}

export function out(p: Proc, s: string): void {
  p.stdout.write(s);
}

export function err(p: Proc, s: string): void {
  p.stderr.write(s);
}

/** Parse a.b.c.d[/len]. Returns null when malformed. */
export function parsePrefix(s: string): { addr: number; plen: number; hasLen: boolean } | null {
  if (s === 'default' || s === 'all' || s === 'any') return { addr: 0, plen: 0, hasLen: true };
  const [a, l] = s.split('/');
  const addr = parseInetLoose(a);
  if (addr === null) return null;
  if (l === undefined) return { addr, plen: 32, hasLen: false };
  if (!/^\d+$/.test(l)) return null;
  const plen = Number(l);
  if (plen > 32) return null;
  return { addr, plen, hasLen: true };
}

/** inet_pton-like, but accepting the short forms iproute2's get_addr_1 accepts (10, 10.1). */
export function parseInetLoose(s: string): number | null {
  const full = parseIPv4(s);
  if (full !== null) return full;
  if (!/^\d{1,3}(\.\d{1,3}){0,2}$/.test(s)) return null;
  const parts = s.split('.').map(Number);
  if (parts.some((x) => x > 255)) return null;
  while (parts.length < 4) parts.push(0);
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

/** Yield point: sleep in virtual time. */
export function sleep(ns: number) {
  return { op: 'sleep' as const, ns };
}

/** UTF-8 without TextEncoder (core has no DOM or Node globals). */
export function textToBytes(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    let c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new Uint8Array(out);
}

export function bytesToText(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    let cp: number;
    let n: number;
    if (c < 0x80) (cp = c), (n = 1);
    else if (c >> 5 === 6) (cp = ((c & 31) << 6) | (b[i + 1] & 63)), (n = 2);
    else if (c >> 4 === 14) (cp = ((c & 15) << 12) | ((b[i + 1] & 63) << 6) | (b[i + 2] & 63)), (n = 3);
    else (cp = ((c & 7) << 18) | ((b[i + 1] & 63) << 12) | ((b[i + 2] & 63) << 6) | (b[i + 3] & 63)), (n = 4);
    s += String.fromCodePoint(cp);
    i += n;
  }
  return s;
}
