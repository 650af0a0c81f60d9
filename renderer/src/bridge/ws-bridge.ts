// Bridge over WebSocket (web mode): one socket, requests matched to responses by id.
import { RequestCorrelator, type Bridge } from './bridge.js';
import { PROTOCOL_VERSION, decodeJson, isPushEnvelope, parsePushEnvelope, parseResponseEnvelope, type LiveBatch, type Request, type ResultOf } from './protocol.js';

export function wsUrl(loc: Location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/ws`;
}

export async function connectWs(url: string): Promise<Bridge> {
  const ws = new WebSocket(url);
  const calls = new RequestCorrelator();
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener('error', () => reject(new Error(`cannot connect to ${url}`)), { once: true });
  });
  const pushed: ((b: LiveBatch) => void)[] = [];
  ws.addEventListener('message', (ev) => {
    if (typeof ev.data !== 'string') return;
    try {
      const msg = decodeJson(ev.data);
      if (isPushEnvelope(msg)) {
        const b = parsePushEnvelope(msg).push;
        for (const cb of pushed) cb(b);
        return;
      }
      const r = parseResponseEnvelope(msg);
      calls.settle(r.id, r.ok, r.ok ? r.result : r.error);
    } catch (e) {
      console.error('bad message from server:', e);
    }
  });
  const closed: (() => void)[] = [];
  ws.addEventListener('close', () => {
    calls.failAll(new Error('connection to the StackLab server closed'));
    for (const cb of closed) cb();
  });
  return {
    kind: 'web',
    request<T extends Request>(req: T): Promise<ResultOf<T['type']>> {
      if (ws.readyState !== WebSocket.OPEN) return Promise.reject(new Error('not connected to the StackLab server'));
      const { id, done } = calls.open();
      ws.send(JSON.stringify({ v: PROTOCOL_VERSION, id, req }));
      return done as Promise<ResultOf<T['type']>>;
    },
    onDisconnect(cb: () => void) {
      closed.push(cb);
    },
    onPush(cb: (b: LiveBatch) => void) {
      pushed.push(cb);
    },
  };
}
