// Bench 7: the renderer in headless Chromium against web mode (the server
// node/web/server.ts, as `npm run web` starts it). Measures:
//   - time to interactive: navigation start until the topology is drawn
//     (data-nodes on [data-testid=topology]) and Start is enabled;
//   - frames while panning a 500-node lab with the mouse: rAF intervals
//     (median, worst) and main-thread task time per frame (CDP metrics);
//   - the longest main-thread task (PerformanceObserver 'longtask') while
//     the running lab streams packet events, with the stream's measured
//     rate (records that reached the page per second, read from web mode's
//     read-only window.__stacklab handle).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { pairsLab } from './labs.js';

export interface RendererResult {
  tti_ms: number;
  tti_500_ms: number;
  pan_frames: number;
  pan_frame_median_ms: number;
  pan_frame_worst_ms: number;
  /** Main-thread task time per frame while panning (CDP TaskDuration / frames). */
  pan_task_ms_per_frame: number;
  stream_records_per_s: number;
  /** Records and packet rows the server left out of batches (sampling under load). */
  stream_dropped_per_s: number;
  stream_longest_task_ms: number;
  stream_long_tasks: number;
  stream_seconds: number;
  notes: string[];
}

/** Installed before the app loads: watches long tasks. */
const INIT = `(() => {
  const s = (window.__bench = { longtasks: [] });
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) s.longtasks.push({ t: e.startTime, d: e.duration }); }).observe({ type: 'longtask', buffered: true });
  } catch {}
})();`;

/** The stream as the page counted it (window.__stacklab, web mode). */
const COUNTERS = `({ records: window.__stacklab.recordsReceived, batches: window.__stacklab.batches, total: window.__stacklab.records, dropped: window.__stacklab.sampledEvents, longtasks: window.__bench.longtasks, now: performance.now() })`;

const TOPO = '[data-testid="topology"]';

async function timeToInteractive(page: Page, url: string, nodes: number): Promise<number> {
  await page.goto(url, { waitUntil: 'commit' });
  // In-page code as a string: this file is compiled without the DOM types.
  const h = await page.waitForFunction(
    `(() => {
      const t = document.querySelector(${JSON.stringify(TOPO)});
      const start = document.querySelector('[data-testid="start"]');
      return t && t.getAttribute('data-nodes') === '${nodes}' && start && !start.disabled ? performance.now() : false;
    })()`,
    undefined,
    { polling: 'raf', timeout: 120_000 },
  );
  return Math.round((await h.jsonValue()) as number);
}

/** A point on the canvas with no node under it (page coordinates). */
async function emptySpot(page: Page): Promise<{ x: number; y: number }> {
  const box = (await page.locator(TOPO).boundingBox())!;
  const p = (await page.evaluate(`(() => {
    const el = document.querySelector(${JSON.stringify(TOPO)});
    const cy = el._cyreg.cy;
    const boxes = cy.nodes().map((n) => n.renderedBoundingBox());
    const w = el.clientWidth, h = el.clientHeight;
    for (let y = 20; y < h - 20; y += 10) for (let x = 20; x < w - 20; x += 10)
      if (!boxes.some((b) => x > b.x1 - 15 && x < b.x2 + 15 && y > b.y1 - 15 && y < b.y2 + 15)) return { x, y };
    return { x: w / 2, y: 10 };
  })()`)) as { x: number; y: number };
  return { x: box.x + p.x, y: box.y + p.y };
}

async function pan(page: Page, seconds: number): Promise<{ frames: number[]; taskMs: number }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metric = async (name: string) => ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === name)?.value ?? 0) as number;
  const at = await emptySpot(page);
  await page.evaluate(`(() => {
    const f = (window.__frames = []);
    let last = performance.now();
    window.__rec = true;
    const tick = (t) => { f.push(t - last); last = t; if (window.__rec) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  })()`);
  const task0 = await metric('TaskDuration');
  await page.mouse.move(at.x, at.y);
  await page.mouse.down();
  const t0 = Date.now();
  for (let i = 0; Date.now() - t0 < seconds * 1000; i++) {
    const a = i / 20;
    await page.mouse.move(at.x + 120 * Math.sin(a), at.y + 80 * (1 - Math.cos(a)), { steps: 2 });
  }
  await page.mouse.up();
  const task1 = await metric('TaskDuration');
  const frames = (await page.evaluate(`(() => { window.__rec = false; return window.__frames.slice(1); })()`)) as number[];
  await cdp.detach();
  return { frames, taskMs: ((task1 - task0) * 1000) / Math.max(1, frames.length) };
}

async function stream(page: Page, seconds: number, notes: string[]): Promise<Pick<RendererResult, 'stream_records_per_s' | 'stream_dropped_per_s' | 'stream_longest_task_ms' | 'stream_long_tasks' | 'stream_seconds'>> {
  await page.getByTestId('start').click();
  await page.waitForFunction(`/running/.test(document.querySelector('[data-testid="status"]')?.textContent ?? '')`, undefined, { timeout: 60_000 });
  await page.getByTestId('tab-term-h1').click();
  await page.getByTestId('terminal-h1').click();
  // h1 floods r1 (which forwards to h2) with the kernel packet generator:
  // 1000 packets per second of virtual time, i.e. of wall time at speed 1.
  await page.keyboard.type('pktgen -i eth0 -m 02:00:00:00:02:01 -d 10.0.2.2 -s 106 -n 0 -w 1000000\n');
  await page.waitForTimeout(1500); // flows under way
  const s0 = (await page.evaluate(COUNTERS)) as { records: number; dropped: number; total: number; now: number };
  await page.waitForTimeout(seconds * 1000);
  const s1 = (await page.evaluate(COUNTERS)) as { records: number; batches: number; dropped: number; total: number; longtasks: { t: number; d: number }[]; now: number };
  const dt = (s1.now - s0.now) / 1000;
  const lts = s1.longtasks.filter((l) => l.t >= s0.now);
  if (s1.batches === 0) notes.push('the web app pushed no live batches: nothing streamed');
  return {
    stream_records_per_s: Math.round((s1.records - s0.records) / dt),
    stream_dropped_per_s: Math.round((s1.dropped - s0.dropped) / dt),
    stream_longest_task_ms: Math.round(lts.reduce((m, l) => Math.max(m, l.d), 0)),
    stream_long_tasks: lts.length,
    stream_seconds: +dt.toFixed(2),
  };
}

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? s[s.length >> 1] : NaN;
}

export async function runRenderer(_args: string[]): Promise<RendererResult | { unavailable: string }> {
  const h = await import('../test/e2e/helpers.js');
  if (!h.haveChromium()) return { unavailable: `no Chromium at ${h.CHROMIUM}` };
  const { chromium } = await import('playwright-core');
  await h.buildRenderer();
  const notes: string[] = [];
  const tmp = mkdtempSync(path.join(tmpdir(), 'stacklab-bench-'));
  const big = path.join(tmp, 'pairs-500.lab.yaml');
  writeFileSync(big, pairsLab(500));
  let browser: Browser | null = null;
  const servers: { proc: { kill(): void } }[] = [];
  try {
    browser = await chromium.launch({ executablePath: h.CHROMIUM, args: h.CHROMIUM_ARGS });
    // Time to interactive and the event stream, on the example lab.
    const small = await h.startServer('labs/router-chain.lab.yaml');
    servers.push(small);
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 }, bypassCSP: true });
    await page.addInitScript(INIT);
    const tti = await timeToInteractive(page, small.url, 3);
    const st = await stream(page, 5, notes);
    await page.close();
    // Panning 500 nodes.
    const large = await h.startServer(big);
    servers.push(large);
    const p2 = await browser.newPage({ viewport: { width: 1400, height: 860 }, bypassCSP: true });
    await p2.addInitScript(INIT);
    const tti500 = await timeToInteractive(p2, large.url, 500);
    await p2.waitForTimeout(1000); // layout settles
    const { frames, taskMs } = await pan(p2, 3);
    await p2.close();
    return {
      tti_ms: tti,
      tti_500_ms: tti500,
      pan_frames: frames.length,
      pan_frame_median_ms: +median(frames).toFixed(1),
      pan_frame_worst_ms: +Math.max(...frames).toFixed(1),
      pan_task_ms_per_frame: +taskMs.toFixed(1),
      ...st,
      notes,
    };
  } finally {
    await browser?.close();
    for (const s of servers) s.proc.kill();
    rmSync(tmp, { recursive: true, force: true });
  }
}
