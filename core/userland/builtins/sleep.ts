// sleep(1) from coreutils, in virtual time. Ctrl-C ends the sleep early.
import type { Program } from '../process.js';

const NS_PER: Record<string, number> = { s: 1e9, m: 60e9, h: 3600e9, d: 86400e9 };

export const sleep: Program = function* (p) {
  const args = p.argv.slice(1);
  const usage = (msg: string) => {
    p.stderr.write(`sleep: ${msg}\nTry 'sleep --help' for more information.\n`);
    return 1;
  };
  if (!args.length) return usage('missing operand');
  let ns = 0;
  for (const a of args) {
    const m = /^(\d+\.?\d*|\.\d+)([smhd]?)$/.exec(a);
    if (!m) return usage(`invalid time interval ‘${a}’`);
    ns += Number(m[1]) * NS_PER[m[2] || 's'];
  }
  yield { op: 'sleep', ns: Math.round(ns) };
  return p.interrupted ? 130 : 0;
};
