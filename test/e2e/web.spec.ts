// Web mode end to end: the server with the example lab, the renderer in
// headless Chromium, driven as a user would.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, haveChromium, openWebApp, shotPath, type WebApp } from './helpers.js';

const skip = !haveChromium();
if (skip) console.warn(`SKIPPED web e2e: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);

describe.skipIf(skip)('web mode in Chromium', () => {
  let app: WebApp;
  let page: Page;
  let tmp: string;

  beforeAll(async () => {
    app = await openWebApp('labs/router-chain.lab.yaml');
    ({ page, tmp } = app);
  });

  afterAll(async () => app?.close());

  const hostTabs = () => page.locator('[data-testid^="tab-term-"]').allInnerTexts();
  const termText = (host: string) => page.locator(`[data-testid="terminal-${host}"] .xterm-rows`).innerText();

  it('draws the example lab: 3 nodes, 2 links', async () => {
    const topo = page.getByTestId('topology');
    await expect.poll(() => topo.getAttribute('data-nodes')).toBe('3');
    expect(await topo.getAttribute('data-edges')).toBe('2');
    expect(await page.getByTestId('lab-name').innerText()).toBe('router-chain');
    expect((await hostTabs()).map((t) => t.replace('$', '').trim())).toEqual(['h1', 'r1', 'h2']);
    await page.waitForTimeout(300);
    await page.screenshot({ path: shotPath('01-topology.png') });
  });

  it('boots the lab and pings h2 from h1', async () => {
    await page.getByTestId('start').click();
    await expect.poll(() => page.getByTestId('status').innerText(), { timeout: 30_000 }).toContain('running');
    await page.getByTestId('tab-term-h1').click();
    const term = page.getByTestId('terminal-h1');
    await term.click();
    await page.keyboard.type('pi');
    await page.keyboard.press('Tab'); // completes to "ping "
    await page.keyboard.type('-c 1 10.0.2.2');
    await page.keyboard.press('Enter');
    await expect.poll(() => termText('h1'), { timeout: 30_000 }).toContain('1 received');
    expect(await termText('h1')).toContain('ping -c 1 10.0.2.2');
    // history: up arrow brings the line back
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => termText('h1')).toMatch(/# ping -c 1 10\.0\.2\.2\s*$/);
    await page.keyboard.press('Control+C');
    await expect.poll(() => termText('h1')).toMatch(/\^C\s*\n\s*root@h1:~#\s*$/);
    await page.screenshot({ path: shotPath('02-terminal.png') });
  });

  it('lists the packet path, with ip_forward on r1', async () => {
    await page.getByTestId('tab-events').click();
    const fwd = page.locator('[data-testid="packet-list"] tr[data-host="r1"][data-fn="ip_forward"]');
    await expect.poll(() => fwd.count()).toBeGreaterThan(0);
    await page.getByTestId('packet-filter').fill('host:r1');
    await fwd.first().click();
    await page.screenshot({ path: shotPath('03-events.png') });
    await page.getByTestId('packet-filter').fill('');
  });

  it('runs the checks', async () => {
    await page.getByTestId('tab-checks').click();
    await page.getByTestId('run-checks').click();
    await expect.poll(() => page.getByTestId('check-0').getAttribute('data-pass'), { timeout: 60_000 }).toBe('true');
    await expect.poll(() => page.getByTestId('run-checks').isEnabled(), { timeout: 60_000 }).toBe(true);
    await page.getByTestId('check-0').locator('summary').click();
    await page.screenshot({ path: shotPath('04-checks.png') });
  });

  /** Where a node is drawn, in page coordinates (Cytoscape keeps its instance on the container). */
  async function nodeAt(id: string): Promise<{ x: number; y: number }> {
    const box = (await page.getByTestId('topology').boundingBox())!;
    const p = (await page.evaluate(
      `document.querySelector('[data-testid="topology"]')._cyreg.cy.getElementById(${JSON.stringify(id)}).renderedPosition()`,
    )) as { x: number; y: number };
    return { x: box.x + p.x, y: box.y + p.y };
  }
  async function clickNode(id: string): Promise<void> {
    const p = await nodeAt(id);
    await page.mouse.click(p.x, p.y);
  }
  async function setExec(host: string, lines: string[]): Promise<void> {
    await clickNode(host);
    const inspector = page.getByTestId('inspector');
    await expect.poll(() => inspector.locator('b').first().innerText()).toBe(host);
    await inspector.locator('textarea').fill(lines.join('\n'));
    await inspector.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.getByTestId('message').innerText()).toBe(`Updated ${host}`);
  }

  it('edits the topology on the canvas and runs the edited lab', async () => {
    await page.getByRole('button', { name: '+ Host' }).click();
    await expect.poll(() => page.getByTestId('topology').getAttribute('data-nodes')).toBe('4');
    expect(await page.getByTestId('dirty').count()).toBe(1);
    await page.getByRole('button', { name: 'Connect' }).click();
    await clickNode('r1');
    await clickNode('h3');
    await expect.poll(() => page.getByTestId('topology').getAttribute('data-edges')).toBe('3');
    await setExec('r1', ['sysctl -w net.ipv4.ip_forward=1', 'ip addr add 10.0.1.1/24 dev eth0', 'ip addr add 10.0.2.1/24 dev eth1', 'ip addr add 10.0.3.1/24 dev eth2']);
    await setExec('h3', ['ip addr add 10.0.3.2/24 dev eth0', 'ip route add default via 10.0.3.1']);
    await page.screenshot({ path: shotPath('05-edited.png') });
    // undo and redo the last edit
    await page.getByRole('button', { name: 'Undo' }).click();
    await clickNode('h3');
    await expect.poll(() => page.getByTestId('inspector').locator('textarea').inputValue()).toBe('');
    await page.getByRole('button', { name: 'Redo' }).click();
    await expect.poll(() => page.getByTestId('inspector').locator('textarea').inputValue()).toContain('10.0.3.2/24');

    await expect.poll(() => page.getByTestId('start').innerText()).toBe('Restart');
    await page.getByTestId('start').click();
    // a fourth host: one more host process to start
    await expect.poll(() => page.getByTestId('start').innerText(), { timeout: 30_000 }).toBe('Stop');
    await page.getByTestId('tab-term-h1').click();
    await page.getByTestId('terminal-h1').click();
    await page.keyboard.type('ping -c 1 10.0.3.2\n');
    await expect.poll(() => termText('h1'), { timeout: 30_000 }).toMatch(/10\.0\.3\.2 ping statistics ---\s*\n1 packets transmitted, 1 received/);
  });

  it('saves to a file and opens it again', async () => {
    const file = path.join(tmp, 'saved.lab.yaml');
    await page.getByTestId('save-as').click();
    await page.getByTestId('path-input').fill(file);
    await page.getByTestId('path-ok').click();
    await expect.poll(() => page.getByTestId('message').innerText()).toContain('Saved');
    expect(await page.getByTestId('dirty').count()).toBe(0);
    const saved = await readFile(file, 'utf8');
    expect(saved).toMatch(/^ {2}h3:/m);
    expect(saved).toContain('- endpoints: [r1:eth2, h3:eth0]');

    // open the bundled lab, then the saved one
    await page.keyboard.press('Control+O');
    await page.getByTestId('path-input').fill('labs/router-chain.lab.yaml');
    await page.getByTestId('path-ok').click();
    await expect.poll(() => page.getByTestId('topology').getAttribute('data-nodes')).toBe('3');
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByTestId('path-input').fill(file);
    await page.getByTestId('path-ok').click();
    await expect.poll(() => page.getByTestId('topology').getAttribute('data-nodes')).toBe('4');
    expect(await page.getByTestId('topology').getAttribute('data-edges')).toBe('3');
    expect((await hostTabs()).map((t) => t.replace('$', '').trim())).toEqual(['h1', 'r1', 'h2', 'h3']);
  });

  it('switches to the dark theme', async () => {
    await page.getByTestId('theme').click();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await page.getByTestId('tab-term-h1').click();
    await page.waitForTimeout(200);
    await page.screenshot({ path: shotPath('06-dark.png') });
  });

  it('logged no errors (CSP, exceptions)', () => {
    expect(app.problems).toEqual([]);
  });
});
