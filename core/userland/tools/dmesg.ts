// util-linux dmesg: print the kernel ring buffer ("[    5.123456] text"),
// with -t (no time), -l LEVELS, -c (print then clear) and -C (clear).
import type { Proc, ProgramGen } from '../process.js';
import { kernel, out, err } from './util.js';
import { printk_records, printk_clear } from '../../kernel/printk.js';

const LEVELS = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'];

export function* dmesg(p: Proc): ProgramGen {
  const net = kernel(p);
  const args = p.argv.slice(1);
  let clearAfter = false;
  let clearOnly = false;
  let noTime = false;
  let levels: Set<number> | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-c' || a === '--read-clear') clearAfter = true;
    else if (a === '-C' || a === '--clear') clearOnly = true;
    else if (a === '-t' || a === '--notime') noTime = true;
    else if (a === '-k' || a === '--kernel') continue;
    else if (a === '-l' || a === '--level' || a.startsWith('--level=')) {
      const v = a.startsWith('--level=') ? a.slice(8) : args[++i] ?? '';
      levels = new Set();
      for (const name of v.split(',')) {
        const n = LEVELS.indexOf(name);
        if (n < 0) {
          err(p, `dmesg: unknown level '${name}'\n`);
          return 1;
        }
        levels.add(n);
      }
    } else {
      err(p, `dmesg: invalid option -- '${a.replace(/^-+/, '')}'\nTry 'dmesg --help' for more information.\n`);
      return 1;
    }
  }
  if (clearOnly) {
    printk_clear(net);
    return 0;
  }
  let s = '';
  for (const r of printk_records(net)) {
    if (levels && !levels.has(r.level)) continue;
    if (!noTime) {
      const us = Math.floor(r.ts / 1000);
      s += `[${String(Math.floor(us / 1e6)).padStart(5)}.${String(us % 1e6).padStart(6, '0')}] `;
    }
    s += r.text + '\n';
  }
  out(p, s);
  if (clearAfter) printk_clear(net);
  return 0;
}
