// cat(1) from coreutils: files through the Vfs, `-` or no operand for stdin.
import type { Program } from '../process.js';
import { readChunk, strerror } from './io.js';

export const cat: Program = function* (p) {
  const files: string[] = [];
  let options = true;
  for (const a of p.argv.slice(1)) {
    if (options && a === '--') options = false;
    else if (options && a.startsWith('--')) {
      p.stderr.write(`cat: unrecognized option '${a}'\nTry 'cat --help' for more information.\n`);
      return 1;
    } else if (options && a.startsWith('-') && a !== '-') {
      // -u (unbuffered) is the only option and changes nothing here.
      const bad = [...a.slice(1)].find((c) => c !== 'u');
      if (bad) {
        p.stderr.write(`cat: invalid option -- '${bad}'\nTry 'cat --help' for more information.\n`);
        return 1;
      }
    } else files.push(a);
  }
  if (!files.length) files.push('-');
  let status = 0;
  for (const f of files) {
    if (f === '-') {
      for (let s; (s = yield* readChunk(p, p.stdin)) !== null; ) p.stdout.write(s);
      if (p.interrupted) return 130;
      continue;
    }
    const data = p.vfs.read(f);
    if (typeof data === 'string') p.stdout.write(data);
    else {
      p.stderr.write(`cat: ${f}: ${strerror(data.errno)}\n`);
      status = 1;
    }
  }
  return status;
};
