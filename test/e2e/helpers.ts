// Shared pieces of the end-to-end tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { StackLabHandle } from '../../renderer/src/debug-handle.js';

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

/** The app as the web specs drive it: web mode serving `lab`, headless
 * Chromium on its page, console errors and page errors collected. */
export interface WebApp {
  server: { url: string; proc: ChildProcess; log: () => string };
  browser: Browser;
  page: Page;
  /** A scratch folder, removed by close(). */
  tmp: string;
  problems: string[];
  close(): Promise<void>;
}

export async function openWebApp(lab: string, opts: { downloads?: boolean } = {}): Promise<WebApp> {
  const tmp = await mkdtemp(path.join(tmpdir(), 'stacklab-e2e-'));
  await buildRenderer();
  const server = await startServer(lab);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 }, acceptDownloads: !!opts.downloads });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(server.url);
  return {
    server,
    browser,
    page,
    tmp,
    problems,
    async close() {
      await browser.close();
      server.proc.kill();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

/** window.__stacklab (web mode's read-only handle), read in the page. */
export function appCounters(page: Page): Promise<StackLabHandle> {
  return page.evaluate('({ ...window.__stacklab })') as Promise<StackLabHandle>;
}

/** Child processes of `ppid` (Linux /proc): pid and command line. */
export function childProcesses(ppid: number): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== ppid) continue;
      out.push({ pid: Number(d), cmd: readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ').trim() });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
