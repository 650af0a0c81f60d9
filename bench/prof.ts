// Summarise a V8 .cpuprofile (node --cpu-prof): the functions with the most
// self time, as the report lists them. Usage: tsx bench/prof.ts FILE [N]
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}

export function topSelf(file: string, n = 25): { fn: string; where: string; self_ms: number; pct: number }[] {
  const p = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  const agg = new Map<string, { fn: string; where: string; us: number }>();
  let total = 0;
  for (const [id, us] of self) {
    const cf = byId.get(id)!.callFrame;
    const where = `${cf.url.replace(/^.*\//, '')}:${cf.lineNumber + 1}`;
    const key = `${cf.functionName}@${where}`;
    const a = agg.get(key) ?? { fn: cf.functionName || '(anonymous)', where, us: 0 };
    a.us += us;
    total += us;
    agg.set(key, a);
  }
  return [...agg.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, n)
    .map((a) => ({ fn: a.fn, where: a.where, self_ms: +(a.us / 1000).toFixed(1), pct: +((100 * a.us) / total).toFixed(1) }));
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'));
if (isMain) {
  for (const r of topSelf(process.argv[2], Number(process.argv[3] ?? 25))) console.log(`${String(r.pct).padStart(5)}%  ${String(r.self_ms).padStart(8)} ms  ${r.fn}  ${r.where}`);
}
