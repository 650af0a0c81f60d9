// Where the Electron binary is, or null when the package was installed
// without it (ELECTRON_SKIP_BINARY_DOWNLOAD=1). Unlike require('electron'),
// never tries to download it.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** @returns {string | null} */
export function findElectronBinary() {
  let dir;
  try {
    dir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = path.join(dir, 'path.txt');
  const rel = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH || path.join(dir, 'dist');
  if (!rel && !process.env.ELECTRON_OVERRIDE_DIST_PATH) return null;
  const bin = path.join(distDir, rel || 'electron');
  return existsSync(bin) ? bin : null;
}
