// Bundle Electron main and preload to CommonJS (a sandboxed preload must be
// one file). Part of `npm run build`; needs no Electron binary.
import { build } from 'esbuild';

await build({
  entryPoints: { main: 'electron/main.ts', preload: 'electron/preload.ts' },
  outdir: 'build/electron',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  external: ['electron'],
  sourcemap: 'linked',
  logLevel: 'warning',
});
console.log('built build/electron/main.cjs and preload.cjs');
