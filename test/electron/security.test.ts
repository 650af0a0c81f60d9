// Electron's security checklist, item by item, against electron/main.ts with
// the electron module mocked: every window sandboxed and isolated without
// Node, app:// never leaving the renderer folder, a strict CSP, navigation
// and window.open denied, permissions denied, external links only for
// https/mailto, IPC checked for its sender and its arguments, and the fuses
// in the build configuration.
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { CSP, serveAppUrl } from '../../electron/app-protocol.js';
import { isExternalAllowed } from '../../electron/external.js';
import { REPO, electron as m } from './electron-mock.js';

vi.mock('electron', async () => (await import('./electron-mock.js')).electronModule());
beforeAll(async () => {
  await import('../../electron/main.js');
  m.ready();
  await vi.waitFor(() => expect(m.windows).toHaveLength(1));
  // macOS re-creates the window on activate: that one is checked too.
  m.appEvents.get('activate')!();
  expect(m.windows).toHaveLength(2);
});

describe('windows', () => {
  it('every window: sandbox, context isolation, no Node, web security, no webview', () => {
    expect(m.sandboxed).toBe(true); // app.enableSandbox(): every renderer, whatever its options
    for (const w of m.windows) {
      expect(w.opts.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
      const wp = w.opts.webPreferences as Record<string, unknown>;
      for (const k of ['nodeIntegrationInWorker', 'nodeIntegrationInSubFrames', 'allowRunningInsecureContent', 'experimentalFeatures', 'enableBlinkFeatures']) expect(wp[k], k).toBeFalsy();
      expect(w.url).toBe('app://stacklab/index.html');
    }
  });

  it('navigation, new windows and webviews are refused; links open outside only for https and mailto', () => {
    const listeners = new Map<string, (ev: { preventDefault: () => void }, url?: string) => void>();
    let openHandler: ((d: { url: string }) => { action: string }) | null = null;
    m.appEvents.get('web-contents-created')!({}, {
      on: (ev: string, f: never) => listeners.set(ev, f),
      setWindowOpenHandler: (f: never) => (openHandler = f),
    });
    const prevented = (ev: string, url?: string) => {
      let p = false;
      listeners.get(ev)!({ preventDefault: () => (p = true) }, url);
      return p;
    };
    m.opened.length = 0;
    expect(prevented('will-navigate', 'https://man7.org/linux/man-pages/man8/ip.8.html')).toBe(true);
    expect(prevented('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(prevented('will-navigate', 'app://stacklab/index.html')).toBe(false);
    expect(prevented('will-redirect', 'http://127.0.0.1/')).toBe(true);
    expect(prevented('will-attach-webview')).toBe(true);
    for (const url of ['mailto:someone@example.org', 'javascript:alert(1)', 'file:///bin/sh', 'smb://host/share', 'http://example.org/', 'https://user:pw@example.org/']) {
      expect(openHandler!({ url })).toEqual({ action: 'deny' });
    }
    expect(m.opened).toEqual(['https://man7.org/linux/man-pages/man8/ip.8.html', 'mailto:someone@example.org']);
  });

  it('isExternalAllowed: https with a host and mailto only', () => {
    expect(['https://example.org/a', 'mailto:x@y.z'].map(isExternalAllowed)).toEqual([true, true]);
    expect(['http://example.org', 'https://', 'ftp://x', 'vscode://x', 'data:text/html,x', '', 'x'.repeat(3000), 'https://a@b.c/'].map(isExternalAllowed)).toEqual(Array(8).fill(false));
  });

  it('permission requests, checks and device access are denied', () => {
    let granted: boolean | undefined;
    (m.perms.request as (wc: unknown, p: string, cb: (ok: boolean) => void) => void)({}, 'media', (ok) => (granted = ok));
    expect(granted).toBe(false);
    expect((m.perms.check as () => boolean)()).toBe(false);
    expect((m.perms.device as () => boolean)()).toBe(false);
  });
});

describe('IPC', () => {
  // The app's window is the one it made last (activate replaced the first).
  const own = () => {
    const wc = m.windows[1].webContents;
    return { sender: wc, senderFrame: wc.mainFrame };
  };

  it('checks the sender: our window, its top frame, our page', async () => {
    const wc = m.windows[1].webContents;
    const req = { v: 1, id: 1, req: { type: 'getLab' } };
    const h = m.handlers.get('stacklab:request')!;
    await expect(h({ sender: wc, senderFrame: { url: 'app://stacklab/index.html' } }, req)).rejects.toThrow('untrusted');
    const other = m.windows[0].webContents as { mainFrame: unknown };
    await expect(h({ sender: other, senderFrame: other.mainFrame }, req)).rejects.toThrow('untrusted');
    const iframe = { sender: wc, senderFrame: { url: 'app://stacklab/index.html', parent: wc.mainFrame } };
    await expect(h(iframe, req)).rejects.toThrow('untrusted');
    // our window, navigated to someone else's page somehow
    (wc.mainFrame as { url: string }).url = 'https://evil.example/';
    await expect(h(own(), req)).rejects.toThrow('untrusted');
    await expect(m.handlers.get('stacklab:pickOpen')!(own())).rejects.toThrow('untrusted');
    (wc.mainFrame as { url: string }).url = 'app://stacklab/index.html';
    await expect(h(own(), req)).resolves.toMatchObject({ ok: true });
  });

  it('validates the arguments of every channel before acting', async () => {
    const h = (ch: string, ...a: unknown[]) => m.handlers.get(ch)!(own(), ...a);
    await expect(h('stacklab:request')).rejects.toThrow('bad arguments');
    await expect(h('stacklab:request', 'getLab')).rejects.toThrow('bad arguments');
    await expect(h('stacklab:request', [1, 2])).rejects.toThrow('bad arguments');
    await expect(h('stacklab:request', { v: 1, id: 1, req: { type: 'getLab' } }, 'extra')).rejects.toThrow('bad arguments');
    await expect(h('stacklab:pickOpen', '/etc/passwd')).rejects.toThrow('bad arguments');
    await expect(h('stacklab:pickSave', { path: '/x' })).rejects.toThrow('bad arguments');
    await expect(h('stacklab:pickSave', 'a'.repeat(5000))).rejects.toThrow('bad arguments');
    // The envelope's own schema (parseRequestEnvelope): unknown keys and types are errors.
    expect(await h('stacklab:request', { v: 1, id: 3, req: { type: 'getLab' }, admin: true })).toMatchObject({ ok: false });
    expect(await h('stacklab:request', { v: 1, id: 4, req: { type: 'readFile', path: '/etc/passwd' } })).toMatchObject({ ok: false });
    expect(await h('stacklab:request', { v: 99, id: 5, req: { type: 'getLab' } })).toMatchObject({ ok: false });
  });
});

describe('the app:// protocol', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'stacklab-app-'));
  const www = path.join(root, 'renderer');
  mkdirSync(path.join(www, 'assets'), { recursive: true });
  writeFileSync(path.join(www, 'index.html'), '<!doctype html>');
  writeFileSync(path.join(www, 'assets', 'a.js'), 'x');
  writeFileSync(path.join(root, 'secret.txt'), 'secret');
  symlinkSync(path.join(root, 'secret.txt'), path.join(www, 'assets', 'link.js'));
  symlinkSync(root, path.join(www, 'up'));

  it('serves files of the renderer folder with a strict CSP', async () => {
    const r = await serveAppUrl(www, 'app://stacklab/assets/a.js');
    expect(r.status).toBe(200);
    expect(r.headers['Content-Security-Policy']).toBe(CSP);
    expect(r.headers['X-Content-Type-Options']).toBe('nosniff');
  });

  it.each([
    'app://stacklab/../secret.txt',
    'app://stacklab/%2e%2e/secret.txt',
    'app://stacklab/assets/..%2f..%2fsecret.txt',
    'app://stacklab/%2e%2e%2f%2e%2e%2fsecret.txt',
    'app://stacklab//etc/passwd',
    'app://stacklab/..\\..\\secret.txt',
    'app://stacklab/%00index.html',
    'app://stacklab/assets/link.js',
    'app://stacklab/up/secret.txt',
    'app://evil/index.html',
    'file:///etc/passwd',
  ])('refuses %s', async (url) => {
    const r = await serveAppUrl(www, url);
    expect(r.status, String(r.body)).not.toBe(200);
    expect(String(r.body)).not.toContain('secret');
  });

  it('the CSP allows only the app itself: no eval, no inline script, no plugins, no framing', () => {
    const d = Object.fromEntries(CSP.split(';').map((x) => x.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    expect(d['default-src']).toEqual(["'none'"]);
    expect(d['script-src']).toEqual(["'self'"]);
    expect(d['object-src']).toEqual(["'none'"]);
    expect(d['frame-ancestors']).toEqual(["'none'"]);
    expect(d['base-uri']).toEqual(["'none'"]);
    expect(CSP).not.toMatch(/unsafe-eval|\*|http:|https:/);
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(readFileSync(path.join(REPO, 'renderer/index.html'), 'utf8'));
    expect(meta?.[1]).toMatch(/script-src 'self'/);
    expect(meta?.[1]).not.toMatch(/unsafe-eval/);
  });
});

describe('build configuration', () => {
  it('sets the fuses', () => {
    const cfg = parse(readFileSync(path.join(REPO, 'electron-builder.yml'), 'utf8'));
    expect(cfg.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
    });
    expect(cfg.asar).toBe(true);
  });

  it('the preload exposes functions only, never ipcRenderer itself', () => {
    const src = readFileSync(path.join(REPO, 'electron/preload.ts'), 'utf8');
    expect(src).toMatch(/contextBridge\.exposeInMainWorld\('stacklab', api\)/);
    expect(src).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
    expect(src).not.toMatch(/require\(|process\./);
  });
});
