// Electron main's wiring with the electron module mocked: sender checks on
// IPC, navigation and window.open refused, permissions denied. (The real
// window is exercised by test/e2e/electron.spec.ts where the binary exists.)
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '../..');

const m = vi.hoisted(() => {
  const handlers = new Map<string, (...a: unknown[]) => Promise<unknown>>();
  const appEvents = new Map<string, (...a: unknown[]) => void>();
  const windows: { opts: Record<string, unknown>; webContents: Record<string, unknown>; url?: string }[] = [];
  let permission: ((wc: unknown, p: string, cb: (ok: boolean) => void) => void) | null = null;
  let ready!: () => void;
  const readyP = new Promise<void>((r) => (ready = r));
  return { handlers, appEvents, windows, readyP, ready: () => ready(), permission: () => permission, setPermission: (f: typeof permission) => (permission = f) };
});

vi.mock('electron', () => {
  class BrowserWindow {
    webContents: Record<string, unknown>;
    constructor(public opts: Record<string, unknown>) {
      const mainFrame = { url: 'app://stacklab/index.html' };
      this.webContents = { mainFrame, on: () => {}, send: () => {} };
      m.windows.push(this as never);
    }
    once() {}
    on() {}
    loadURL(u: string) {
      (this as { url?: string }).url = u;
      return Promise.resolve();
    }
    static getAllWindows() {
      return m.windows;
    }
    static getFocusedWindow() {
      return null;
    }
  }
  return {
    app: {
      getAppPath: () => REPO,
      getPath: () => path.join(REPO, 'node_modules/.cache/stacklab-test/userData'),
      isPackaged: false,
      enableSandbox: () => {},
      whenReady: () => m.readyP,
      on: (ev: string, f: (...a: unknown[]) => void) => m.appEvents.set(ev, f),
      quit: () => {},
      exit: () => {},
    },
    BrowserWindow,
    ipcMain: { handle: (ch: string, f: (...a: unknown[]) => Promise<unknown>) => m.handlers.set(ch, f) },
    protocol: { registerSchemesAsPrivileged: () => {}, handle: () => {} },
    session: { defaultSession: { setPermissionRequestHandler: (f: never) => m.setPermission(f), setPermissionCheckHandler: () => {}, setDevicePermissionHandler: () => {} } },
    shell: { openExternal: async () => {} },
    dialog: { showErrorBox: () => {}, showOpenDialog: async () => ({ canceled: true, filePaths: [] }), showSaveDialog: async () => ({ canceled: true }) },
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: () => {} },
  };
});

beforeAll(async () => {
  await import('../../electron/main.js');
  m.ready();
  await vi.waitFor(() => expect(m.windows).toHaveLength(1));
});

describe('electron main', () => {
  it('opens one sandboxed, isolated window on app://', () => {
    const w = m.windows[0];
    expect(w.opts.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true });
    expect(w.url).toBe('app://stacklab/index.html');
  });

  it('answers IPC from its own page through the shared handler', async () => {
    const wc = m.windows[0].webContents;
    const ev = { sender: wc, senderFrame: wc.mainFrame };
    const r = (await m.handlers.get('stacklab:request')!(ev, { v: 1, id: 1, req: { type: 'getLab' } })) as { ok: boolean; result: { lab: { name: string } } };
    expect(r.ok).toBe(true);
    expect(r.result.lab.name).toBe('router-chain');
    expect(await m.handlers.get('stacklab:request')!(ev, { v: 1, id: 2, req: { type: 'nope' } })).toMatchObject({ ok: false });
  });

  it('refuses IPC from other frames, pages and windows', async () => {
    const wc = m.windows[0].webContents;
    const req = { v: 1, id: 1, req: { type: 'getLab' } };
    const h = m.handlers.get('stacklab:request')!;
    await expect(h({ sender: wc, senderFrame: { url: 'app://stacklab/index.html' } }, req)).rejects.toThrow('untrusted');
    await expect(h({ sender: wc, senderFrame: null }, req)).rejects.toThrow('untrusted');
    await expect(h({ sender: {}, senderFrame: wc.mainFrame }, req)).rejects.toThrow('untrusted');
    (wc.mainFrame as { url: string }).url = 'https://evil.example/';
    await expect(h({ sender: wc, senderFrame: wc.mainFrame }, req)).rejects.toThrow('untrusted');
    await expect(m.handlers.get('stacklab:pickOpen')!({ sender: wc, senderFrame: wc.mainFrame })).rejects.toThrow('untrusted');
    (wc.mainFrame as { url: string }).url = 'app://stacklab/index.html';
  });

  it('denies navigation away, new windows, webviews and permissions', () => {
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
    expect(prevented('will-navigate', 'https://example.com/')).toBe(true);
    expect(prevented('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(prevented('will-navigate', 'app://stacklab/index.html')).toBe(false);
    expect(prevented('will-redirect', 'http://127.0.0.1/')).toBe(true);
    expect(prevented('will-attach-webview')).toBe(true);
    expect(openHandler!({ url: 'about:blank' })).toEqual({ action: 'deny' });
    let granted: boolean | undefined;
    m.permission()!({}, 'media', (ok) => (granted = ok));
    expect(granted).toBe(false);
  });
});
