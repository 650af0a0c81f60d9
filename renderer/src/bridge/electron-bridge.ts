// Bridge over the Electron preload API (window.stacklab): requests by IPC,
// live batches pushed by main, exactly as the WebSocket bridge gets them.
import type { Bridge } from './bridge.js';
import { PROTOCOL_VERSION, isMenuAction, parsePushEnvelope, parseResponseEnvelope, type LiveBatch, type MenuAction, type PreloadApi, type Request, type ResultOf } from './protocol.js';
export type { PreloadApi } from './protocol.js';

export function electronBridge(api: PreloadApi): Bridge {
  let nextId = 1;
  return {
    kind: 'electron',
    async request<T extends Request>(req: T): Promise<ResultOf<T['type']>> {
      const r = parseResponseEnvelope(await api.request({ v: PROTOCOL_VERSION, id: nextId++, req }));
      if (!r.ok) throw new Error(r.error);
      return r.result as ResultOf<T['type']>;
    },
    pickOpenPath: () => api.pickOpenPath(),
    pickSavePath: (s) => api.pickSavePath(s),
    onMenu(cb: (a: MenuAction) => void) {
      api.onMenu((a) => {
        if (isMenuAction(a)) cb(a);
      });
    },
    // A preload without onBatch (older build): the live store pulls instead.
    ...(typeof api.onBatch === 'function'
      ? {
          onPush(cb: (b: LiveBatch) => void) {
            api.onBatch((b) => {
              // checked again on this side of the context bridge
              try {
                cb(parsePushEnvelope({ v: PROTOCOL_VERSION, push: b }).push);
              } catch (e) {
                console.error('bad batch from main:', e);
              }
            });
          },
        }
      : {}),
  };
}
