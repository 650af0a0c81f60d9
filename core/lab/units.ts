// Units of link parameters, as tc(8) reads them, so the same string means
// the same on the simulator and under netem on the real kernel. Each parser
// throws a plain Error; parseLab adds the file position.

const NUMBER = /^(\d+(?:\.\d*)?|\.\d+)([a-z]*)$/i;

// tc: s/sec/secs, ms/msec/msecs, us/usec/usecs, ns/nsec/nsecs (case-insensitive).
const TIME_UNITS: Record<string, number> = {
  s: 1e9, sec: 1e9, secs: 1e9,
  ms: 1e6, msec: 1e6, msecs: 1e6,
  us: 1e3, usec: 1e3, usecs: 1e3,
  ns: 1, nsec: 1, nsecs: 1,
};

// tc: SI and IEC multiples of bit/s, and of bytes/s with a "Bps" suffix
// (tc compares case-insensitively, so "mbps" is megabytes per second).
const RATE_UNITS: Record<string, number> = { bit: 1, bps: 8 };
for (const [p, m] of [['k', 1e3], ['m', 1e6], ['g', 1e9], ['t', 1e12], ['ki', 2 ** 10], ['mi', 2 ** 20], ['gi', 2 ** 30], ['ti', 2 ** 40]] as const) {
  RATE_UNITS[p + 'bit'] = m;
  RATE_UNITS[p + 'bps'] = 8 * m;
}

function split(str: string, what: string): [number, string] {
  const m = NUMBER.exec(str.trim());
  if (!m) throw new Error(`bad ${what} '${str}'`);
  return [Number(m[1]), m[2].toLowerCase()];
}

/** "2ms" -> 2000000 (ns). A bare number is refused (tc would read µs), except 0. */
export function parseDuration(str: string | number): number {
  const [n, unit] = typeof str === 'number' ? [str, ''] : split(str, 'delay');
  if (!(n >= 0)) throw new Error(`bad delay '${str}'`);
  if (unit === '' && n === 0) return 0;
  const mult = TIME_UNITS[unit];
  if (mult === undefined) {
    throw new Error(unit === '' ? `delay '${str}' needs a unit (ns, us, ms, s)` : `bad delay '${str}': unknown unit '${unit}'`);
  }
  return Math.round(n * mult);
}

/** "100mbit" -> 100000000 (bit/s); a bare number is bit/s, as in tc. */
export function parseRate(str: string | number): number {
  const [n, unit] = typeof str === 'number' ? [str, 'bit'] : split(str, 'rate');
  const mult = RATE_UNITS[unit || 'bit'];
  if (mult === undefined) throw new Error(`bad rate '${str}': unknown unit '${unit}'`);
  const bps = Math.round(n * mult);
  if (!(bps > 0)) throw new Error(`rate '${str}' must be more than 0`);
  return bps;
}

/** "1%", "0.5" or 0.5 -> percent, 0..100. */
export function parseLoss(str: string | number): number {
  const m = typeof str === 'number' ? null : /^(\d+(?:\.\d*)?|\.\d+)\s*%?$/.exec(str.trim());
  const pct = typeof str === 'number' ? str : m ? Number(m[1]) : NaN;
  if (!(pct >= 0 && pct <= 100)) throw new Error(`bad loss '${str}' (a percentage from 0 to 100)`);
  return pct;
}

/** ns -> the tc string with the largest exact unit: 2000000 -> "2ms". */
export function formatDuration(ns: number): string {
  for (const [u, m] of [['s', 1e9], ['ms', 1e6], ['us', 1e3]] as const) if (ns !== 0 && ns % m === 0) return `${ns / m}${u}`;
  return `${ns}ns`;
}

/** bit/s -> the tc string with the largest exact SI unit: 1e8 -> "100mbit". */
export function formatRate(bps: number): string {
  for (const [u, m] of [['tbit', 1e12], ['gbit', 1e9], ['mbit', 1e6], ['kbit', 1e3]] as const) if (bps % m === 0) return `${bps / m}${u}`;
  return `${bps}bit`;
}
