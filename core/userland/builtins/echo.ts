// echo and printf as dash's builtins (src/bltin/printf.c): echo takes only
// -n and always interprets backslash escapes.
import type { Program } from '../process.js';

const SIMPLE: Record<string, string> = { '\\': '\\', a: '\x07', b: '\b', e: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** Interpret backslash escapes. Echo and %b accept `\0` plus up to three
 * octal digits; printf formats take up to three digits after the backslash.
 * `stop` is set at `\c` (echo, %b: end all output). */
export function unescape(s: string, echoStyle: boolean): { text: string; stop: boolean } {
  let text = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\' || i + 1 >= s.length) {
      text += c;
      continue;
    }
    const e = s[++i];
    if (e in SIMPLE) text += SIMPLE[e];
    else if (e === 'c' && echoStyle) return { text, stop: true };
    else if (e >= '0' && e <= '7') {
      let j = i + (echoStyle && e === '0' ? 1 : 0);
      const end = j + 3;
      let n = 0;
      for (; j < end && j < s.length && s[j] >= '0' && s[j] <= '7'; j++) n = n * 8 + Number(s[j]);
      text += String.fromCharCode(n & 0xff);
      i = j - 1;
    } else text += '\\' + e;
  }
  return { text, stop: false };
}

export const echo: Program = function* (p) {
  let args = p.argv.slice(1);
  const newline = args[0] !== '-n';
  if (!newline) args = args.slice(1);
  const { text, stop } = unescape(args.join(' '), true);
  p.stdout.write(stop || !newline ? text : text + '\n');
  return 0;
};

/** printf FORMAT [ARG...]: %s %b %c %d %i %u %o %x %X %% with flags, width and
 * precision; the format is reused while arguments remain (POSIX). */
export const printf: Program = function* (p) {
  const [format, ...args] = p.argv.slice(1);
  const err = (m: string) => p.stderr.write(`sh: 1: printf: ${m}\n`);
  if (format === undefined) {
    err('usage: printf format [arg ...]');
    return 2;
  }
  let status = 0;
  let out = '';
  let used = 0;
  const next = () => (used < args.length ? args[used++] : undefined);
  const number = (a: string | undefined): number => {
    if (a === undefined || a === '') return 0;
    if (/^['"]/.test(a)) return a.charCodeAt(1) || 0;
    // strtoimax(base 0): 0x10 is hex, 010 octal.
    const m = /^\s*([-+]?)(0x[0-9a-f]+|0[0-7]*|[1-9]\d*)/i.exec(a);
    if (!m || m[0].length !== a.length) {
      err(m ? `${a}: not completely converted` : `${a}: expected numeric value`);
      status = 1;
    }
    if (!m) return 0;
    const v = /^0[0-7]/.test(m[2]) ? parseInt(m[2], 8) : Number(m[2]);
    return m[1] === '-' ? -v : v;
  };
  do {
    const start = used;
    for (let i = 0; i < format.length; i++) {
      const c = format[i];
      if (c === '\\') {
        const m = /^\\([0-7]{1,3}|.)/s.exec(format.slice(i))!;
        out += unescape(m[0], false).text;
        i += m[0].length - 1;
        continue;
      }
      if (c !== '%') {
        out += c;
        continue;
      }
      const m = /^%([-+ #0]*)(\d*)(?:\.(\d*))?(.?)/.exec(format.slice(i))!;
      i += m[0].length - 1;
      const [, flags, width, prec, conv] = m;
      let s: string;
      switch (conv) {
        case '%':
          out += '%';
          continue;
        case 's':
          s = next() ?? '';
          if (prec !== undefined) s = s.slice(0, Number(prec || 0));
          break;
        case 'b': {
          const r = unescape(next() ?? '', true);
          s = r.text;
          if (r.stop) {
            p.stdout.write(out + s);
            return status;
          }
          break;
        }
        case 'c':
          s = (next() ?? '').slice(0, 1);
          break;
        case 'd':
        case 'i':
        case 'u':
        case 'o':
        case 'x':
        case 'X': {
          const n = Math.trunc(number(next()));
          const base = conv === 'o' ? 8 : conv === 'x' || conv === 'X' ? 16 : 10;
          s = Math.abs(n).toString(base);
          if (conv === 'X') s = s.toUpperCase();
          if (prec !== undefined) s = s.padStart(Number(prec || 0), '0');
          const sign = n < 0 ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
          if (flags.includes('0') && !flags.includes('-') && prec === undefined) s = s.padStart(Number(width || 0) - sign.length, '0');
          s = sign + s;
          break;
        }
        default:
          p.stdout.write(out);
          err(`${m[0]}: invalid directive`);
          return 2;
      }
      const w = Number(width || 0);
      out += flags.includes('-') ? s.padEnd(w) : s.padStart(w);
    }
    if (used === start) break;
  } while (used < args.length);
  p.stdout.write(out);
  return status;
};
