// The app:// protocol that serves the built renderer to Electron windows:
// only files under build/renderer, only from the app://stacklab origin.
// No electron import here, so it is testable under plain Node.
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { resolveStatic } from '../node/web/static-files.js';

export const APP_ORIGIN = 'app://stacklab';
export const APP_INDEX = `${APP_ORIGIN}/index.html`;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** The CSP every page gets as a header too (the meta tag in index.html says the same). */
export const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'; frame-ancestors 'none'";

export interface AppResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array<ArrayBuffer> | string;
}

/** Answer one app:// request from files under `root`. */
export async function serveAppUrl(root: string, url: string): Promise<AppResponse> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { status: 400, headers: {}, body: 'bad url' };
  }
  if (`${u.protocol}//${u.host}` !== APP_ORIGIN) return { status: 403, headers: {}, body: 'forbidden' };
  const file = resolveStatic(root, u.pathname);
  if (!file) return { status: 403, headers: {}, body: 'forbidden' };
  try {
    // A symbolic link inside the folder must not lead out of it either.
    const [realRoot, real] = await Promise.all([realpath(root), realpath(file)]);
    const rel = path.relative(realRoot, real);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return { status: 403, headers: {}, body: 'forbidden' };
    if (!(await stat(real)).isFile()) throw new Error('not a file');
    return {
      status: 200,
      headers: {
        'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'Content-Security-Policy': CSP,
        'X-Content-Type-Options': 'nosniff',
      },
      body: new Uint8Array(await readFile(real)),
    };
  } catch {
    return { status: 404, headers: {}, body: 'not found' };
  }
}

/** May a window be at this URL? (Navigation anywhere else is refused.) */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}` === APP_ORIGIN;
  } catch {
    return false;
  }
}
