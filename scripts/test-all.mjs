#!/usr/bin/env node
// The one test command: type-check, layer lint, unit + oracle tests (Vitest),
// and the browser end-to-end suite when it exists. Prints one closing line
// `N passed, N failed` summed over the runners (what CI counts).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, mkdirSync } from 'node:fs';

mkdirSync('test-results', { recursive: true });
let passed = 0;
let failed = 0;
let ok = true;

function step(name, cmd, args) {
  process.stdout.write(`\n== ${name}: ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } });
  if (r.status !== 0) ok = false;
  return r.status === 0;
}

function vitest(name, config, out) {
  const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${out}`];
  if (config) args.push('-c', config);
  step(name, 'npx', args);
  if (existsSync(out)) {
    const j = JSON.parse(readFileSync(out, 'utf8'));
    passed += j.numPassedTests;
    failed += j.numFailedTests;
  }
}

const checks = [
  ['typecheck core', 'npx', ['tsc', '-p', 'core/tsconfig.json', '--noEmit']],
  ['typecheck node, tests, scripts', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['typecheck renderer', 'npx', ['vue-tsc', '-p', 'renderer/tsconfig.json', '--noEmit']],
  ['typecheck electron', 'npx', ['tsc', '-p', 'tsconfig.electron.json', '--noEmit']],
];
for (const [name, cmd, args] of checks) {
  if (step(name, cmd, args)) passed++;
  else failed++;
}
if (step('layer lint', 'node', ['scripts/lint-layers.mjs'])) passed++;
else failed++;
vitest('unit and oracle tests', null, 'test-results/vitest.json');
if (existsSync('vitest.e2e.config.mts')) vitest('browser end-to-end', 'vitest.e2e.config.mts', 'test-results/e2e.json');

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(ok && failed === 0 ? 0 : 1);
