// head(1) from coreutils: the first N lines (-n N, -N; default 10). Reading
// stops after N lines, so `ping ... | head -n 3` ends the ping (SIGPIPE).
import type { Program } from '../process.js';
import { eachLine, splitLines, strerror } from './io.js';

export const head: Program = function* (p) {
  const usage = (msg: string) => {
    p.stderr.write(`head: ${msg}\nTry 'head --help' for more information.\n`);
    return 1;
  };
  let n = 10;
  const files: string[] = [];
  const args = p.argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    let v: string;
    if (a === '-n') {
      if (i + 1 >= args.length) return usage("option requires an argument -- 'n'");
      v = args[++i];
    } else if (a.startsWith('-n')) v = a.slice(2);
    else if (a.startsWith('--lines=')) v = a.slice(8);
    else if (/^-\d+$/.test(a)) v = a.slice(1);
    else if (a.startsWith('-') && a !== '-') return usage(`invalid option -- '${a[1]}'`);
    else {
      files.push(a);
      continue;
    }
    if (!/^\d+$/.test(v)) {
      p.stderr.write(`head: invalid number of lines: ‘${v}’\n`);
      return 1;
    }
    n = Number(v);
  }
  if (!files.length) files.push('-');
  let status = 0;
  for (const [k, f] of files.entries()) {
    if (files.length > 1) p.stdout.write(`${k ? '\n' : ''}==> ${f === '-' ? 'standard input' : f} <==\n`);
    if (f === '-') {
      let left = n;
      if (left > 0)
        yield* eachLine(p, p.stdin, (line) => {
          p.stdout.write(line);
          return --left > 0;
        });
      if (p.interrupted) return 130;
      continue;
    }
    const data = p.vfs.read(f);
    if (typeof data === 'string') p.stdout.write(splitLines(data).slice(0, n).join(''));
    else {
      p.stderr.write(`head: cannot open '${f}' for reading: ${strerror(data.errno)}\n`);
      status = 1;
    }
  }
  return status;
};
