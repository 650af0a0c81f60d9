// Bridge over the Electron preload API (window.stacklab).
import type { Bridge } from './bridge.js';
import { PROTOCOL_VERSION, isMenuAction, parseResponseEnvelope, type MenuAction, type PreloadApi, type Request, type ResultOf } from './protocol.js';
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
  };
}
