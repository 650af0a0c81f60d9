// The Electron app end to end, with playwright-core's _electron. Needs the
// Electron binary (skipped when the package was installed without it).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findElectronBinary } from '../../electron/find-binary.mjs';
import { REPO, shotPath } from './helpers.js';

const bin = findElectronBinary();
if (!bin) console.warn('SKIPPED electron e2e: the Electron binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD=1); run `npx install-electron` where downloads work');

describe.skipIf(!bin)('Electron app', () => {
  let app: ElectronApplication;
  let page: Page;

  beforeAll(async () => {
    const b = spawnSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('npm run build failed');
    const env = { ...process.env } as Record<string, string>;
    delete env.ELECTRON_RUN_AS_NODE;
    app = await electron.launch({
      executablePath: bin!,
      args: [REPO, path.join(REPO, 'labs/router-chain.lab.yaml'), '--no-sandbox', '--disable-gpu'],
      cwd: REPO,
      env,
    });
    page = await app.firstWindow();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('shows the example lab in a locked-down window', async () => {
    const topo = page.getByTestId('topology');
    await expect.poll(() => topo.getAttribute('data-nodes'), { timeout: 30_000 }).toBe('3');
    expect(await topo.getAttribute('data-edges')).toBe('2');
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const w = BrowserWindow.getAllWindows()[0];
      // not in electron.d.ts, but present at run time
      const wc = w.webContents as unknown as { getLastWebPreferences(): Record<string, unknown> | null };
      const p = wc.getLastWebPreferences();
      return { sandbox: p?.sandbox, contextIsolation: p?.contextIsolation, nodeIntegration: p?.nodeIntegration, url: w.webContents.getURL() };
    });
    expect(prefs).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
    expect(prefs.url.startsWith('app://stacklab/')).toBe(true);
    expect(await page.evaluate('typeof require')).toBe('undefined');
    expect(await page.evaluate('typeof window.stacklab.request')).toBe('function');
  });

  it('boots the lab and pings through r1', async () => {
    await page.getByTestId('start').click();
    await expect.poll(() => page.getByTestId('status').innerText(), { timeout: 30_000 }).toContain('running');
    await page.getByTestId('tab-term-h1').click();
    await page.getByTestId('terminal-h1').click();
    await page.keyboard.type('ping -c 1 10.0.2.2');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('[data-testid="terminal-h1"] .xterm-rows').innerText(), { timeout: 30_000 })
      .toContain('1 received');
    await page.screenshot({ path: shotPath('electron-01-terminal.png') });
  });

  it('refuses navigation away from the app and new windows', async () => {
    await page.evaluate('window.open("https://example.com")');
    await page.evaluate('location.href = "https://example.com"').catch(() => {});
    await page.waitForTimeout(500);
    expect(app.windows().length).toBe(1);
    expect(page.url().startsWith('app://stacklab/')).toBe(true);
  });
});
