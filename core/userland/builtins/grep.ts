// grep(1), GNU flavour: basic (default), extended (-E) or fixed (-F)
// patterns, translated to JavaScript regular expressions; -i -v -c -q -n -w
// -x -s -h -H, -e PATTERN. Input is matched line by line as it arrives.
import type { Program } from '../process.js';
import { eachLine, splitLines, strerror } from './io.js';

const CLASSES: Record<string, string> = {
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: 'A-Za-z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
};

class PatternError extends Error {}

/** POSIX bracket expression at p[i] ('[') to a JS class; returns it and the index of its ']'. */
function bracket(p: string, i: number): [string, number] {
  let j = i + 1;
  let out = '[';
  if (p[j] === '^') {
    out += '^';
    j++;
  }
  if (p[j] === ']') {
    out += '\\]';
    j++;
  }
  for (; j < p.length && p[j] !== ']'; j++) {
    if (p.startsWith('[:', j)) {
      const end = p.indexOf(':]', j + 2);
      const cls = end < 0 ? undefined : CLASSES[p.slice(j + 2, end)];
      if (cls === undefined) throw new PatternError(end < 0 ? 'Unmatched [, [^, [:, [., or [=' : 'Invalid character class name');
      out += cls;
      j = end + 1;
    } else out += '\\[]^'.includes(p[j]) ? '\\' + p[j] : p[j];
  }
  if (j >= p.length) throw new PatternError('Unmatched [, [^, [:, [., or [=');
  return [out + ']', j];
}

/** A POSIX regular expression (GNU extensions \< \> \w \s \| \+ \?) as JS source. */
export function posixToJs(p: string, extended: boolean): string {
  // Operators unescaped in ERE; in GNU BRE they are operators when escaped.
  const ops = '(){}|+?';
  let out = '';
  // At the start of an expression: `*` is literal there, and a BRE `^` anchors only there.
  let start = true;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    const wasStart: boolean = start;
    start = false;
    if (c === '\\') {
      const e = p[++i];
      if (e === undefined) throw new PatternError('Trailing backslash');
      if (ops.includes(e)) {
        out += extended ? '\\' + e : e;
        start = !extended && (e === '(' || e === '|');
      } else if (e === '<' || e === '>') out += '\\b';
      else if (/[wWsSb1-9]/.test(e)) out += '\\' + e;
      else out += /\w/.test(e) ? e : '\\' + e;
    } else if (c === '[') {
      const [cls, end] = bracket(p, i);
      out += cls;
      i = end;
    } else if (ops.includes(c)) {
      out += extended ? c : '\\' + c;
      start = extended && (c === '(' || c === '|');
    } else if (c === '*' && wasStart) out += '\\*';
    else if (c === '^') {
      out += extended || wasStart ? '^' : '\\^';
      start = wasStart;
    } else if (c === '$' && !extended && i + 1 < p.length && !p.startsWith('\\)', i + 1) && !p.startsWith('\\|', i + 1)) out += '\\$';
    else out += c;
  }
  return out;
}

export const grep: Program = function* (p) {
  const usage = () => {
    p.stderr.write("Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n");
    return 2;
  };
  const flags = new Set<string>();
  const patterns: string[] = [];
  const operands: string[] = [];
  const args = p.argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      operands.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const f = a[j];
      if (f === 'e') {
        const v = j + 1 < a.length ? a.slice(j + 1) : args[++i];
        if (v === undefined) {
          p.stderr.write("grep: option requires an argument -- 'e'\n");
          return usage();
        }
        patterns.push(v);
        break;
      }
      if (!'EFGivcqnwxshHl'.includes(f)) {
        p.stderr.write(`grep: invalid option -- '${f}'\n`);
        return usage();
      }
      flags.add(f);
    }
  }
  if (!patterns.length) {
    if (!operands.length) return usage();
    patterns.push(operands.shift()!);
  }
  // A pattern with newlines is several patterns (GNU).
  const alternatives = patterns.flatMap((s) => s.split('\n'));
  let re: RegExp;
  try {
    let src = alternatives
      .map((s) => (flags.has('F') ? s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') : posixToJs(s, flags.has('E'))))
      .map((s) => `(?:${s})`)
      .join('|');
    if (flags.has('x')) src = `^(?:${src})$`;
    else if (flags.has('w')) src = `(?<![\\w])(?:${src})(?![\\w])`;
    re = new RegExp(src, flags.has('i') ? 'i' : '');
  } catch (e) {
    p.stderr.write(`grep: ${e instanceof PatternError ? e.message : 'Invalid regular expression'}\n`);
    return 2;
  }

  const files = operands.length ? operands : ['-'];
  const prefixName = flags.has('H') || (files.length > 1 && !flags.has('h'));
  let matched = false;
  let error = false;
  for (const f of files) {
    const name = f === '-' ? '(standard input)' : f;
    let count = 0;
    let lineNo = 0;
    /** Returns false to stop reading (-q after a match, -l). */
    const onLine = (raw: string): boolean => {
      lineNo++;
      const line = raw.endsWith('\n') ? raw.slice(0, -1) : raw;
      if (re.test(line) === flags.has('v')) return true;
      matched = true;
      count++;
      if (flags.has('q') || flags.has('l')) return false;
      if (!flags.has('c')) p.stdout.write(`${prefixName ? name + ':' : ''}${flags.has('n') ? lineNo + ':' : ''}${line}\n`);
      return true;
    };
    if (f === '-') {
      yield* eachLine(p, p.stdin, onLine);
      if (p.interrupted) return 130;
    } else {
      const data = p.vfs.read(f);
      if (typeof data !== 'string') {
        if (!flags.has('s')) p.stderr.write(`grep: ${f}: ${strerror(data.errno)}\n`);
        error = true;
        continue;
      }
      for (const line of splitLines(data)) if (!onLine(line)) break;
    }
    if (flags.has('q') && matched) return 0;
    if (flags.has('l') && count) p.stdout.write(name + '\n');
    else if (flags.has('c')) p.stdout.write(`${prefixName ? name + ':' : ''}${count}\n`);
  }
  return error ? 2 : matched ? 0 : 1;
};
