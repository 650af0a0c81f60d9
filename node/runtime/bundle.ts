// The host process entry as one prebuilt file: node starts it in ~60 ms,
// against ~1 s for `node --import tsx node/host/entry.ts` (measured on this
// 2-core machine), which decides how fast 32 host processes come up. It is
// rebuilt with esbuild when a source file it was built from changed.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository: the nearest folder above this module (which may have been
 * bundled elsewhere, or to CommonJS where import.meta.url is empty) that
 * holds node/host/entry.ts; else the working directory. */
function findRoot(): string {
  const metaUrl: string | undefined = import.meta.url;
  for (let d = metaUrl ? dirname(fileURLToPath(metaUrl)) : process.cwd(); ; d = dirname(d)) {
    if (existsSync(join(d, 'node/host/entry.ts'))) return d;
    if (dirname(d) === d) return process.cwd();
  }
}

export const ROOT = findRoot();
export const HOST_ENTRY_SOURCE = join(ROOT, 'node/host/entry.ts');
const CACHE = join(ROOT, 'node_modules/.cache/stacklab');
export const HOST_ENTRY_BUNDLE = join(CACHE, 'host-entry.mjs');
const INPUTS = join(CACHE, 'host-entry.inputs.json');

function fresh(): boolean {
  if (!existsSync(HOST_ENTRY_BUNDLE) || !existsSync(INPUTS)) return false;
  const built = statSync(HOST_ENTRY_BUNDLE).mtimeMs;
  try {
    const inputs: string[] = JSON.parse(readFileSync(INPUTS, 'utf8'));
    return inputs.every((f) => statSync(join(ROOT, f)).mtimeMs <= built);
  } catch {
    return false;
  }
}

/** esbuild options for the host entry (Electron's build can reuse them with format 'cjs'). */
export function hostEntryBuildOptions(outfile: string, format: 'esm' | 'cjs' = 'esm') {
  return {
    entryPoints: [HOST_ENTRY_SOURCE],
    outfile,
    bundle: true,
    platform: 'node' as const,
    format,
    target: 'node20',
    absWorkingDir: ROOT,
    metafile: true,
    logLevel: 'warning' as const,
  };
}

/** Path of an up-to-date bundle of the host entry, or null without esbuild. */
export async function ensureHostBundle(): Promise<string | null> {
  if (fresh()) return HOST_ENTRY_BUNDLE;
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    return null;
  }
  mkdirSync(CACHE, { recursive: true });
  // Build beside, then rename: parallel test workers may build at once.
  const tmp = `${HOST_ENTRY_BUNDLE}.${process.pid}.tmp`;
  const r = await esbuild.build(hostEntryBuildOptions(tmp));
  writeFileSync(`${INPUTS}.${process.pid}`, JSON.stringify(Object.keys(r.metafile!.inputs).filter((f) => !f.startsWith('node_modules/'))));
  renameSync(tmp, HOST_ENTRY_BUNDLE);
  renameSync(`${INPUTS}.${process.pid}`, INPUTS);
  return HOST_ENTRY_BUNDLE;
}
