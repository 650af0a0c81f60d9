// Shared pieces of the end-to-end tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHOTS = path.join(REPO, 'test-results/screenshots');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function shotPath(name: string): string {
  mkdirSync(SHOTS, { recursive: true });
  return path.join(SHOTS, name);
}

export function haveChromium(): boolean {
  return existsSync(CHROMIUM);
}

/** Newest modification time of the files under dir (ms). */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Build the renderer so the test sees the current source (skipped when
 * build/renderer is newer than every renderer source: the spec files share one build). */
export async function buildRenderer(): Promise<void> {
  const out = path.join(REPO, 'build/renderer/index.html');
  if (existsSync(out)) {
    const src = Math.max(newest(path.join(REPO, 'renderer')), statSync(path.join(REPO, 'vite.config.ts')).mtimeMs, statSync(path.join(REPO, 'package-lock.json')).mtimeMs);
    if (statSync(out).mtimeMs > src) return;
  }
  const { build } = await import('vite');
  await build({ configFile: path.join(REPO, 'vite.config.ts'), logLevel: 'warn' });
}

/** Start `node/web/server.ts --port 0 LAB` and wait for its URL line. */
export function startServer(lab: string): Promise<{ url: string; proc: ChildProcess; log: () => string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'node/web/server.ts', '--port', '0', lab], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`web server did not start:\n${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /StackLab web mode: (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], proc, log: () => out });
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`web server exited with ${code}:\n${out}`));
    });
  });
}
