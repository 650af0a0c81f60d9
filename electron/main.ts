// Electron main: one sandboxed window on app://stacklab, IPC to the same
// request handler the web server uses, live batches pushed to the window
// (webContents.send, credit-based as over the web server's socket), and the
// lab's hosts in utility processes. `electron . [LAB]`.
import { BrowserWindow, Menu, app, dialog, ipcMain, protocol, session, shell, utilityProcess, type IpcMainInvokeEvent, type WebContents } from 'electron';
import path from 'node:path';
import { LabSession, respond } from '../node/web/handler.js';
import { CrashBackups } from '../node/web/backup.js';
import { hostProcesses } from '../node/web/runner.js';
import type { BatchStream } from '../node/web/stream.js';
import { utilityProcessSpawner } from '../node/runtime/spawn.js';
import { PROTOCOL_VERSION, type LiveBatch, type PushEnvelope } from '../renderer/src/bridge/protocol.js';
import { APP_INDEX, isAppUrl, serveAppUrl } from './app-protocol.js';
import { buildMenu } from './menu.js';
import { openExternalSafely } from './external.js';

// Every renderer is sandboxed, whatever its webPreferences say.
app.enableSandbox();

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

const APP_DIR = app.getAppPath();
const RENDERER_DIR = path.join(APP_DIR, 'build/renderer');
const EXAMPLE_LAB = path.join(APP_DIR, 'labs/router-chain.lab.yaml');
const LAB_FILTERS = [{ name: 'Lab files', extensions: ['yaml', 'yml', 'json'] }];
/** node/host/entry.ts bundled by electron/build.mjs: what each host utility process runs. */
const HOST_ENTRY = path.join(APP_DIR, 'build/electron/host.cjs');

// Hosts in utility processes; unsaved edits backed up shortly after each change (node/web/backup.ts).
const hosts = hostProcesses({ spawner: utilityProcessSpawner((p, a, o) => utilityProcess.fork(p, a, o), HOST_ENTRY) });
const lab = new LabSession(hosts, { backups: new CrashBackups(path.join(app.getPath('userData'), 'backups')) });
let win: BrowserWindow | null = null;
/** The live batch stream of each page (one per window, renewed on reload). */
const streams = new Map<WebContents, BatchStream>();

/** Only our window's top frame, showing our own page, may call in. */
function trusted(e: IpcMainInvokeEvent): boolean {
  return win !== null && e.sender === win.webContents && e.senderFrame === e.sender.mainFrame && isAppUrl(e.senderFrame?.url ?? '');
}

/** Each channel's arguments, checked before anything runs (the request
 * envelope itself is then parsed by parseRequestEnvelope in respond). */
const ARGS: Record<string, (a: unknown[]) => boolean> = {
  'stacklab:request': (a) => a.length === 1 && typeof a[0] === 'object' && a[0] !== null && !Array.isArray(a[0]),
  'stacklab:pickOpen': (a) => a.length === 0,
  'stacklab:pickSave': (a) => a.length === 1 && typeof a[0] === 'string' && a[0].length < 4096,
};

function guard<A extends unknown[], R>(channel: string, f: (e: IpcMainInvokeEvent, ...a: A) => Promise<R>) {
  return (e: IpcMainInvokeEvent, ...a: A): Promise<R> => {
    if (!trusted(e)) return Promise.reject(new Error('refused: request from an untrusted frame'));
    if (!ARGS[channel]?.(a)) return Promise.reject(new Error(`refused: bad arguments for ${channel}`));
    return f(e, ...a);
  };
}

// Acks of pushed batches come back as requests: they credit the sender's stream.
ipcMain.handle('stacklab:request', guard('stacklab:request', async (e, envelope: unknown) => respond(lab, envelope, { stream: streams.get(e.sender) })));

/** Push a batch to a page: only our window's top frame, only while it shows our own page. */
function pushTo(wc: WebContents, b: LiveBatch): void {
  if (wc.isDestroyed() || win?.webContents !== wc || !isAppUrl(wc.getURL())) return;
  const msg: PushEnvelope = { v: PROTOCOL_VERSION, push: b };
  wc.send('stacklab:batch', msg);
}

/** A fresh stream for the page now loaded in wc (a reload starts with full credits). */
function openStream(wc: WebContents): void {
  const old = streams.get(wc);
  if (old) lab.closeStream(old);
  streams.set(wc, lab.openStream((b) => pushTo(wc, b)));
}

function closeStream(wc: WebContents): void {
  const s = streams.get(wc);
  if (s) lab.closeStream(s);
  streams.delete(wc);
}
ipcMain.handle(
  'stacklab:pickOpen',
  guard('stacklab:pickOpen', async () => {
    if (!win) return null;
    const r = await dialog.showOpenDialog(win, { title: 'Open lab', filters: LAB_FILTERS, properties: ['openFile'] });
    return r.canceled ? null : (r.filePaths[0] ?? null);
  }),
);
ipcMain.handle(
  'stacklab:pickSave',
  guard('stacklab:pickSave', async (_e, suggested: unknown) => {
    if (!win) return null;
    const defaultPath = typeof suggested === 'string' && suggested.length < 4096 ? suggested : undefined;
    const r = await dialog.showSaveDialog(win, { title: 'Save lab', filters: LAB_FILTERS, defaultPath });
    return r.canceled ? null : (r.filePath ?? null);
  }),
);

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-navigate', (ev, url) => {
    if (isAppUrl(url)) return;
    ev.preventDefault();
    openExternalSafely(url, (u) => shell.openExternal(u)); // a link: https/mailto only
  });
  contents.on('will-redirect', (ev, url) => {
    if (!isAppUrl(url)) ev.preventDefault();
  });
  contents.on('will-attach-webview', (ev) => ev.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternalSafely(url, (u) => shell.openExternal(u));
    return { action: 'deny' };
  });
});

function createWindow(): void {
  win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'StackLab',
    show: false,
    webPreferences: {
      preload: path.join(APP_DIR, 'build/electron/preload.cjs'),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win?.show());
  const wc = win.webContents;
  openStream(wc);
  wc.on('did-finish-load', () => openStream(wc));
  wc.on('destroyed', () => closeStream(wc));
  // the renderer's beforeunload refuses while the lab has unsaved edits
  win.webContents.on('will-prevent-unload', (ev) => {
    const choice = dialog.showMessageBoxSync(win!, {
      type: 'question',
      buttons: ['Discard changes', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      message: 'This lab has unsaved changes.',
      detail: 'Close anyway and lose them?',
    });
    if (choice === 0) ev.preventDefault();
  });
  win.on('closed', () => (win = null));
  void win.loadURL(APP_INDEX);
}

async function main(): Promise<void> {
  await app.whenReady();
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  protocol.handle('app', async (req) => {
    const r = await serveAppUrl(RENDERER_DIR, req.url);
    return new Response(r.body, { status: r.status, headers: r.headers });
  });
  const labArg = process.argv.slice(app.isPackaged ? 1 : 2).find((a) => !a.startsWith('-') && /\.(ya?ml|json)$/.test(a));
  try {
    await lab.openFile(labArg ?? EXAMPLE_LAB);
  } catch (e) {
    dialog.showErrorBox('StackLab', `Cannot open ${labArg ?? EXAMPLE_LAB}:\n${(e as Error).message}`);
    await lab.openFile(EXAMPLE_LAB);
  }
  Menu.setApplicationMenu(buildMenu(() => BrowserWindow.getFocusedWindow() ?? win));
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

// Host processes go with the app.
app.on('will-quit', () => void lab.close());

main().catch((e: unknown) => {
  console.error(e);
  app.exit(1);
});
