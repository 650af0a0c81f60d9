#!/usr/bin/env node
// Layer rules (design rules 1 and 9), the way VS Code's code-layering lint
// works: core/ imports neither Node, Electron nor the DOM, nor any upper
// layer; renderer/ reaches the simulator only through its bridge (no import
// of core/, node/ or electron/); electron/ and node/ never import renderer/
// code other than the shared bridge protocol.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const NODE_BUILTINS = /^(node:|fs$|path$|os$|child_process$|crypto$|net$|http$|https$|worker_threads$|url$|events$|stream$|util$|process$|buffer$)/;
const problems = [];

function walk(dir) {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.(ts|mts|vue)$/.test(e)) check(p);
  }
}

function check(file) {
  const rel = relative(root, file);
  const src = readFileSync(file, 'utf8');
  for (const m of src.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    const spec = m[1] ?? m[2];
    if (NODE_BUILTINS.test(spec)) problems.push(`${rel}: imports Node builtin '${spec}'`);
    if (spec === 'electron' || spec.startsWith('electron/')) problems.push(`${rel}: imports electron`);
    if (/(^|\/)(renderer|electron|node)\//.test(spec) && spec.startsWith('.')) problems.push(`${rel}: imports an upper layer '${spec}'`);
  }
  if (/\b(window|document|navigator|localStorage)\s*\./.test(src.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''))) problems.push(`${rel}: uses a DOM global`);
  if (/\bMath\.random\s*\(|\bDate\.now\s*\(|\bnew Date\s*\(|performance\.now\s*\(/.test(src)) problems.push(`${rel}: reads the wall clock or Math.random (use the engine's time and the seeded PRNG)`);
}

function checkUpper(dir, forbidden, allow = () => false) {
  const base = join(root, dir);
  const visit = (d) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (e === 'node_modules') continue;
      if (statSync(p).isDirectory()) visit(p);
      else if (/\.(ts|mts|vue)$/.test(e)) {
        const rel = relative(root, p);
        const src = readFileSync(p, 'utf8');
        for (const m of src.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
          const spec = m[1] ?? m[2];
          if (!spec.startsWith('.')) continue;
          const target = relative(root, join(p, '..', spec));
          const layer = target.split('/')[0];
          if (forbidden.includes(layer) && !allow(target)) problems.push(`${rel}: imports ${target} across layers`);
        }
      }
    }
  };
  try {
    visit(base);
  } catch {}
}

walk(join(root, 'core'));
checkUpper('renderer', ['core', 'node', 'electron']);
const sharedProtocol = (t) => t.startsWith('renderer/src/bridge/protocol');
checkUpper('electron', ['renderer'], sharedProtocol);
checkUpper('node', ['renderer'], sharedProtocol);
if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`lint-layers: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log('lint-layers: core/ is free of Node, Electron, DOM, wall clock and Math.random; renderer/, electron/ and node/ keep to their layers');
