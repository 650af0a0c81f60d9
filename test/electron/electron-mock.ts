// The electron module as the tests of electron/main.ts and preload.ts see
// it: windows, IPC, sessions, protocol, menus, utility processes and the
// preload's contextBridge, recording what main does with them. One instance
// per test file (each file has its own module registry):
//
//   import { electron as m } from './electron-mock.js';   // or '../electron/electron-mock.js'
//   vi.mock('electron', async () => (await import('./electron-mock.js')).electronModule());
//   await import('../../electron/main.js'); m.ready();
import path from 'node:path';
import { HostAgent } from '../../core/runtime/host_agent.js';
import type { FromHost, ToHost } from '../../core/runtime/protocol.js';

export const REPO = path.resolve(import.meta.dirname, '../..');
export const APP_PAGE = 'app://stacklab/index.html';

type Fn = (...a: never[]) => unknown;

export interface MockWebContents {
  mainFrame: { url: string };
  /** Messages main sent to the page: [channel, ...args]. */
  sent: [string, ...unknown[]][];
  listeners: Map<string, Fn[]>;
  destroyed: boolean;
  on(ev: string, f: Fn): void;
  send(channel: string, ...a: unknown[]): void;
  isDestroyed(): boolean;
  getURL(): string;
  /** Fire one of the events main listens to. */
  emit(ev: string, ...a: unknown[]): void;
}

export interface MockWindow {
  opts: Record<string, unknown>;
  webContents: MockWebContents;
  url?: string;
}

/** A fake utility process running the host agent in this process (messages structured-cloned, as across processes). */
export interface MockUtility {
  modulePath: string;
  args: string[];
  opts: Record<string, unknown>;
  pid: number;
  killed: boolean;
}

function webContents(): MockWebContents {
  const wc: MockWebContents = {
    mainFrame: { url: APP_PAGE },
    sent: [],
    listeners: new Map(),
    destroyed: false,
    on: (ev, f) => void wc.listeners.set(ev, [...(wc.listeners.get(ev) ?? []), f]),
    send: (channel, ...a) => void wc.sent.push([channel, ...a]),
    isDestroyed: () => wc.destroyed,
    getURL: () => wc.mainFrame.url,
    emit: (ev, ...a) => {
      for (const f of wc.listeners.get(ev) ?? []) (f as (...x: unknown[]) => unknown)(...a);
    },
  };
  return wc;
}

let ready!: () => void;
const readyP = new Promise<void>((r) => (ready = r));

/** What main did, for the test to look at and drive. */
export const electron = {
  handlers: new Map<string, (...a: unknown[]) => Promise<unknown>>(),
  appEvents: new Map<string, (...a: unknown[]) => void>(),
  windows: [] as MockWindow[],
  /** URLs handed to shell.openExternal. */
  opened: [] as string[],
  /** The session's permission handlers. */
  perms: {} as Record<string, Fn>,
  sandboxed: false,
  utilities: [] as MockUtility[],
  /** What the preload exposed with contextBridge, and its ipcRenderer listeners. */
  exposed: new Map<string, unknown>(),
  rendererListeners: new Map<string, ((e: unknown, ...a: unknown[]) => void)[]>(),
  invoked: [] as [string, ...unknown[]][],
  ready: () => ready(),
};

function utilityFork(modulePath: string, args: string[] = [], opts: Record<string, unknown> = {}) {
  const u: MockUtility = { modulePath, args, opts, pid: 900_000 + electron.utilities.length, killed: false };
  electron.utilities.push(u);
  const on = new Map<string, ((x: unknown) => void)[]>();
  const fire = (ev: string, x: unknown) => {
    for (const f of on.get(ev) ?? []) f(x);
  };
  let dead = false;
  const die = (code: number) => {
    if (dead) return;
    dead = true;
    setImmediate(() => fire('exit', code));
  };
  const agent = new HostAgent((m: FromHost) => setImmediate(() => !dead && fire('message', structuredClone(m))), { exit: die, hang: () => {} });
  return {
    get pid() {
      return dead ? undefined : u.pid;
    },
    postMessage: (m: unknown) => setImmediate(() => !dead && agent.handle(structuredClone(m) as ToHost)),
    on(ev: string, f: (x: unknown) => void) {
      on.set(ev, [...(on.get(ev) ?? []), f]);
      return this;
    },
    kill: () => {
      u.killed = true;
      die(-1);
      return true;
    },
  };
}

/** The module `electron` resolves to. */
export function electronModule(): Record<string, unknown> {
  const m = electron;
  class BrowserWindow {
    webContents: MockWebContents;
    url?: string;
    constructor(public opts: Record<string, unknown>) {
      this.webContents = webContents();
      m.windows.push(this as never);
    }
    once() {}
    on() {}
    isDestroyed() {
      return false;
    }
    loadURL(u: string) {
      this.url = u;
      return Promise.resolve();
    }
    static getAllWindows() {
      return [];
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
      enableSandbox: () => void (m.sandboxed = true),
      whenReady: () => readyP,
      on: (ev: string, f: (...a: unknown[]) => void) => void m.appEvents.set(ev, f),
      quit: () => {},
      exit: () => {},
    },
    BrowserWindow,
    ipcMain: { handle: (ch: string, f: (...a: unknown[]) => Promise<unknown>) => void m.handlers.set(ch, f) },
    protocol: { registerSchemesAsPrivileged: () => {}, handle: () => {} },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (f: Fn) => void (m.perms.request = f),
        setPermissionCheckHandler: (f: Fn) => void (m.perms.check = f),
        setDevicePermissionHandler: (f: Fn) => void (m.perms.device = f),
      },
    },
    shell: { openExternal: async (u: string) => void m.opened.push(u) },
    dialog: { showErrorBox: () => {}, showOpenDialog: async () => ({ canceled: true, filePaths: [] }), showSaveDialog: async () => ({ canceled: true }) },
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: () => {} },
    utilityProcess: { fork: utilityFork },
    // the preload's side
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => void m.exposed.set(key, api) },
    ipcRenderer: {
      invoke: async (ch: string, ...a: unknown[]) => void m.invoked.push([ch, ...a]),
      on: (ch: string, f: (e: unknown, ...a: unknown[]) => void) => void m.rendererListeners.set(ch, [...(m.rendererListeners.get(ch) ?? []), f]),
      removeListener: (ch: string, f: (e: unknown, ...a: unknown[]) => void) => void m.rendererListeners.set(ch, (m.rendererListeners.get(ch) ?? []).filter((x) => x !== f)),
    },
  };
}

/** main's IPC event for a page in window `w` (its top frame, unless told otherwise). */
export function ipcEvent(w: MockWindow, frame: unknown = w.webContents.mainFrame): { sender: MockWebContents; senderFrame: unknown } {
  return { sender: w.webContents, senderFrame: frame };
}
