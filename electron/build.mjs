// Bundle Electron main, preload and the host process entry (what each
// utility process runs, node/host/entry.ts) to CommonJS (a sandboxed preload
// must be one file). Part of `npm run build`; needs no Electron binary.
import { build } from 'esbuild';

await build({
  entryPoints: { main: 'electron/main.ts', preload: 'electron/preload.ts', host: 'node/host/entry.ts' },
  outdir: 'build/electron',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  // esbuild: only node/runtime/bundle.ts imports it (lazily), for child
  // processes in web mode; the app's utility processes run host.cjs.
  external: ['electron', 'esbuild'],
  sourcemap: 'linked',
  logLevel: 'warning',
});
console.log('built build/electron/main.cjs, preload.cjs and host.cjs');
