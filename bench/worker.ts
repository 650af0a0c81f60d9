// One measurement per process, so that each starts from a fresh heap and
// JIT and none disturbs another: `node bench/.out/worker.mjs MODE ARGS...`
// (bench/main.ts builds this file with esbuild and runs it). Prints one
// JSON line.
import { runFlood } from './flood.js';
import { holdBench } from './engine.js';
import { runPacked } from './memory.js';

async function main(mode: string, a: string[]): Promise<unknown> {
  switch (mode) {
    case 'flood':
      return runFlood(Number(a[0]), a[1] === 'on');
    case 'engine':
      return holdBench(Number(a[0]), Number(a[1] ?? 2_000_000));
    case 'packed':
      return runPacked(Number(a[0]));
    case 'multi': {
      const { loadRuntime, runMulti } = await import('./multiproc.js');
      const rt = await loadRuntime();
      if (!rt) return { unavailable: 'runtime not available' };
      return runMulti(Number(a[0]), Number(a[1]), Number(a[2] ?? 3), rt);
    }
    case 'renderer': {
      const { runRenderer } = await import('./renderer.js');
      return runRenderer(a);
    }
  }
  throw new Error(`unknown mode ${mode}`);
}

const [mode, ...args] = process.argv.slice(2);
main(mode, args).then(
  (r) => {
    process.stdout.write(JSON.stringify(r) + '\n');
    process.exit(0);
  },
  (e) => {
    process.stdout.write(JSON.stringify({ error: String((e as Error)?.stack ?? e) }) + '\n');
    process.exit(1);
  },
);
