import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ORIGIN, isAppUrl, serveAppUrl } from '../../electron/app-protocol.js';
import { resolveStatic } from './static-files.js';

describe('resolveStatic', () => {
  const root = '/srv/app';
  it('maps URL paths into the root', () => {
    expect(resolveStatic(root, '/')).toBe('/srv/app/index.html');
    expect(resolveStatic(root, '/assets/a.js?x=1')).toBe('/srv/app/assets/a.js');
    expect(resolveStatic(root, '/a%20b.css')).toBe('/srv/app/a b.css');
  });
  it('never leaves the root', () => {
    for (const p of ['/../etc/passwd', '/%2e%2e/etc/passwd', '/assets/../../x', '/..%2f..%2fx', '/%00', '/%E0%A4%A']) {
      const r = resolveStatic(root, p);
      expect(r === null || r.startsWith(root + path.sep)).toBe(true);
    }
    expect(resolveStatic(root, '/%00')).toBeNull();
  });
});

describe('app:// protocol', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'stacklab-app-'));
    await mkdir(path.join(root, 'assets'));
    await writeFile(path.join(root, 'index.html'), '<!doctype html>');
    await writeFile(path.join(root, 'assets/a.js'), 'x');
    await writeFile(path.join(root, '../secret.txt'), 'no').catch(() => {});
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('serves files from the renderer folder with a CSP', async () => {
    const r = await serveAppUrl(root, `${APP_ORIGIN}/index.html`);
    expect(r.status).toBe(200);
    expect(r.headers['Content-Security-Policy']).toContain("script-src 'self'");
    expect((await serveAppUrl(root, `${APP_ORIGIN}/assets/a.js`)).headers['Content-Type']).toContain('javascript');
  });
  it('refuses other origins and escapes', async () => {
    expect((await serveAppUrl(root, 'app://other/index.html')).status).toBe(403);
    expect((await serveAppUrl(root, `${APP_ORIGIN}/../secret.txt`)).status).toBe(404);
    expect((await serveAppUrl(root, `${APP_ORIGIN}/%2e%2e/secret.txt`)).status).not.toBe(200);
    expect((await serveAppUrl(root, `${APP_ORIGIN}/missing.js`)).status).toBe(404);
  });
  it('tells app URLs from others', () => {
    expect(isAppUrl('app://stacklab/index.html')).toBe(true);
    expect(isAppUrl('https://stacklab/')).toBe(false);
    expect(isAppUrl('file:///etc/passwd')).toBe(false);
  });
});
