// The default "chain" layout: each connected part of the lab is laid out
// left to right by hop count from its first host (in file order), parts
// stacked top to bottom. Deterministic, so a lab always looks the same.

export interface Point {
  x: number;
  y: number;
}

export function chainPositions(
  nodes: readonly string[],
  edges: readonly (readonly [string, string])[],
  gapX = 200,
  gapY = 120,
): Record<string, Point> {
  const adj = new Map<string, string[]>(nodes.map((n) => [n, []]));
  for (const [a, b] of edges) {
    if (a === b || !adj.has(a) || !adj.has(b)) continue;
    adj.get(a)!.push(b);
    adj.get(b)!.push(a);
  }
  const out: Record<string, Point> = {};
  const seen = new Set<string>();
  let top = 0;
  for (const root of nodes) {
    if (seen.has(root)) continue;
    // BFS: columns by depth, rows by discovery order
    const columns: string[][] = [];
    seen.add(root);
    let frontier = [root];
    while (frontier.length) {
      columns.push(frontier);
      const next: string[] = [];
      for (const n of frontier) {
        for (const m of adj.get(n)!) {
          if (!seen.has(m)) {
            seen.add(m);
            next.push(m);
          }
        }
      }
      frontier = next;
    }
    const rows = Math.max(...columns.map((c) => c.length));
    const mid = top + ((rows - 1) * gapY) / 2;
    columns.forEach((col, depth) => {
      col.forEach((n, i) => {
        out[n] = { x: depth * gapX, y: mid + (i - (col.length - 1) / 2) * gapY };
      });
    });
    top += rows * gapY;
  }
  return out;
}
