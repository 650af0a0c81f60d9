// Web mode: `npm run web -- --port P [LAB]`. Serves the built renderer and a
// WebSocket (/ws) speaking the bridge protocol to one shared LabSession,
// whose hosts run in Node child processes (node/web/runner.ts).
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeJson } from '../../renderer/src/bridge/protocol.js';
import { LabSession, respond } from './handler.js';
import { CrashBackups, defaultBackupDir } from './backup.js';
import { hostProcesses, type RunnerFactory } from './runner.js';
import { serveStatic } from './static-files.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const RENDERER_DIR = path.join(REPO_ROOT, 'build/renderer');
export const EXAMPLE_LAB = path.join(REPO_ROOT, 'labs/router-chain.lab.yaml');
const MAX_MESSAGE = 4 << 20;

export interface WebServer {
  url: string;
  port: number;
  session: LabSession;
  close(): Promise<void>;
}

/** Build the renderer with Vite if build/renderer has no index.html. */
export async function ensureRendererBuilt(log: (s: string) => void = console.log): Promise<void> {
  if (existsSync(path.join(RENDERER_DIR, 'index.html'))) return;
  log('Building the renderer (first run)...');
  const { build } = await import('vite');
  await build({ configFile: path.join(REPO_ROOT, 'vite.config.ts'), logLevel: 'warn' });
}

/** Only pages served by this server may open the socket (no cross-site use of a local server). */
export function allowedOrigin(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host ?? '';
  const okHosts = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
  if (!okHosts.includes(host)) return false;
  const origin = req.headers.origin;
  return origin === undefined || okHosts.some((h) => origin === `http://${h}`);
}

export async function startWebServer(opts: { port: number; lab?: string; host?: string; backupDir?: string; runner?: RunnerFactory }): Promise<WebServer> {
  // Crash backups of unsaved edits (node/web/backup.ts) when a folder is given.
  const session = new LabSession(opts.runner ?? hostProcesses(), { backups: opts.backupDir ? new CrashBackups(opts.backupDir) : undefined });
  await session.openFile(opts.lab ?? EXAMPLE_LAB);
  await ensureRendererBuilt();

  const http = createServer((req, res) => {
    void serveStatic(RENDERER_DIR, req, res);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE });
  let port = 0;
  http.on('upgrade', (req, socket, head) => {
    if ((req.url ?? '').split('?')[0] !== '/ws' || !allowedOrigin(req, port)) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws, session));
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  port = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    session,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        void session.close().finally(() => http.close(() => resolve()));
      }),
  };
}

/** Requests on one socket are answered in order; live batches are pushed
 * on the same socket, credit-based (the renderer acks each batch). */
function serve(ws: WebSocket, session: LabSession): void {
  const stream = session.openStream((push) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ v: 1, push }));
  });
  ws.on('close', () => session.closeStream(stream));
  let chain = Promise.resolve();
  ws.on('message', (data, isBinary) => {
    chain = chain.then(async () => {
      let raw: unknown;
      try {
        if (isBinary) throw new Error('binary frames are not part of the protocol');
        raw = decodeJson(String(data));
      } catch (e) {
        ws.send(JSON.stringify({ v: 1, id: 0, ok: false, error: (e as Error).message }));
        return;
      }
      const reply = await respond(session, raw, { stream });
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
    });
  });
}

function parseArgs(argv: string[]): { port: number; lab?: string } {
  let port = 8377;
  let lab: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port' || a === '-p') port = Number(argv[++i]);
    else if (a.startsWith('--port=')) port = Number(a.slice(7));
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm run web -- [--port P] [LAB.lab.yaml]');
      process.exit(0);
    } else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else lab = a;
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port must be 0..65535');
  return { port, lab };
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  try {
    const s = await startWebServer({ ...parseArgs(process.argv.slice(2)), backupDir: defaultBackupDir() });
    console.log(`StackLab web mode: ${s.url}`);
    const quit = () => void s.close().then(() => process.exit(0));
    process.on('SIGINT', quit);
    process.on('SIGTERM', quit);
  } catch (e) {
    console.error(`stacklab web: ${(e as Error).message}`);
    process.exit(1);
  }
}
