// printf-style helpers shared by the /proc formatters (seq_printf widths).

const TWO64 = 18446744073709551616n;

/** %lu / %llu of a counter: negative numbers wrap as the kernel's unsigned would. */
export function u64(v: number): string {
  if (v >= 0) return String(Math.trunc(v));
  return (TWO64 + BigInt(Math.trunc(v))).toString();
}

/** %u of a 32-bit counter (wraps modulo 2^32). */
export function u32(v: number): string {
  return String(Math.trunc(v) >>> 0);
}

/** %08x of a 32-bit value. */
export function hex08(v: number): string {
  return (Math.trunc(v) >>> 0).toString(16).padStart(8, '0');
}

/** %Ns (right-aligned). */
export function padLeft(s: string, width: number): string {
  return s.padStart(width, ' ');
}

/** %-Ns (left-aligned). */
export function padRight(s: string, width: number): string {
  return s.padEnd(width, ' ');
}
