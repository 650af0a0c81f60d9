// Summarise a V8 .cpuprofile (node --cpu-prof): the functions with the most
// self time, as the report lists them. Usage: tsx bench/prof.ts FILE [N]
// [total | callers FN] (inclusive times, or who calls FN).
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

/** A profile with its call tree indexed: node by id, each node's parent,
 * and a "function@file:line" key per node. */
function load(file: string) {
  const p = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const parent = new Map<number, number>();
  for (const x of p.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
  const keyOf = (id: number) => {
    const cf = byId.get(id)!.callFrame;
    return `${cf.functionName || '(anonymous)'}@${cf.url.replace(/^.*\//, '')}:${cf.lineNumber + 1}`;
  };
  return { ...p, byId, parent, keyOf };
}

/** Total (inclusive) time per function: its own samples and its callees'. */
export function topTotal(file: string, n = 25): { fn: string; where: string; total_ms: number; pct: number }[] {
  const { parent, keyOf, ...p } = load(file);
  const tot = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const us = p.timeDeltas[i] ?? 0;
    total += us;
    const seen = new Set<string>();
    for (let id: number | undefined = p.samples[i]; id !== undefined; id = parent.get(id)) {
      const k = keyOf(id);
      if (seen.has(k)) continue;
      seen.add(k);
      tot.set(k, (tot.get(k) ?? 0) + us);
    }
  }
  return [...tot.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, us]) => ({ fn: k.split('@')[0], where: k.split('@')[1], total_ms: +(us / 1000).toFixed(1), pct: +((100 * us) / total).toFixed(1) }));
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'));
if (isMain) {
  if (process.argv[4] === 'callers') for (const r of callersOf(process.argv[2], process.argv[5])) console.log(`${String(r.ms).padStart(8)} ms  ${r.caller}`);
  else if (process.argv[4] === 'total') for (const r of topTotal(process.argv[2], Number(process.argv[3] ?? 25))) console.log(`${String(r.pct).padStart(5)}%  ${String(r.total_ms).padStart(8)} ms  ${r.fn}  ${r.where}`);
  else for (const r of topSelf(process.argv[2], Number(process.argv[3] ?? 25))) console.log(`${String(r.pct).padStart(5)}%  ${String(r.self_ms).padStart(8)} ms  ${r.fn}  ${r.where}`);
}

/** Who calls `fn` (self time of fn's samples by calling function). */
export function callersOf(file: string, fn: string): { caller: string; ms: number }[] {
  const { byId, parent, keyOf, ...p } = load(file);
  const out = new Map<string, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i];
    if (byId.get(id)!.callFrame.functionName !== fn) continue;
    const par = parent.get(id);
    const k = par === undefined ? '(none)' : keyOf(par);
    out.set(k, (out.get(k) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  }
  return [...out.entries()].sort((a, b) => b[1] - a[1]).map(([caller, ms]) => ({ caller, ms: +ms.toFixed(1) }));
}
