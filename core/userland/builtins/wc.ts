// wc(1) from coreutils: -l, -w, -c (all three by default), padded as GNU
// pads them (compute_number_width in wc.c).
import type { Program } from '../process.js';
import { readAll, strerror } from './io.js';

function utf8Length(s: string): number {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

export const wc: Program = function* (p) {
  let which = '';
  const files: string[] = [];
  for (const a of p.argv.slice(1)) {
    if (a.startsWith('-') && a !== '-') {
      const bad = [...a.slice(1)].find((c) => !'lwc'.includes(c));
      if (bad) {
        p.stderr.write(`wc: invalid option -- '${bad}'\nTry 'wc --help' for more information.\n`);
        return 1;
      }
      which += a.slice(1);
    } else files.push(a);
  }
  const cols = (['l', 'w', 'c'] as const).filter((c) => !which || which.includes(c));
  const rows: { counts: number[]; name?: string }[] = [];
  let status = 0;
  let regularBytes = 0;
  let fromPipe = false;
  for (const f of files.length ? files : ['-']) {
    let text: string | null;
    if (f === '-') {
      fromPipe = true;
      text = yield* readAll(p, p.stdin);
      if (text === null) return 130;
    } else {
      const data = p.vfs.read(f);
      if (typeof data !== 'string') {
        p.stderr.write(`wc: ${f}: ${strerror(data.errno)}\n`);
        status = 1;
        continue;
      }
      text = data;
      regularBytes += utf8Length(text);
    }
    const all = { l: text.split('\n').length - 1, w: text.match(/\S+/g)?.length ?? 0, c: utf8Length(text) };
    rows.push({ counts: cols.map((c) => all[c]), name: files.length ? f : undefined });
  }
  if (rows.length > 1) rows.push({ counts: cols.map((_, i) => rows.reduce((s, r) => s + r.counts[i], 0)), name: 'total' });
  const width = cols.length === 1 && rows.length === 1 ? 1 : Math.max(String(regularBytes).length, fromPipe ? 7 : 1);
  for (const r of rows) p.stdout.write(r.counts.map((n) => String(n).padStart(width)).join(' ') + (r.name ? ` ${r.name}` : '') + '\n');
  return status;
};
