// The renderer's only door to the app (sandboxed preload, context isolation):
// five functions, no Node, no raw ipcRenderer. Pushed live batches are
// checked against the bridge protocol's schema before the page sees them.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { parsePushEnvelope, type LiveBatch, type PreloadApi } from '../renderer/src/bridge/protocol.js';

const api: PreloadApi = {
  request: (envelope: unknown) => ipcRenderer.invoke('stacklab:request', envelope),
  pickOpenPath: () => ipcRenderer.invoke('stacklab:pickOpen') as Promise<string | null>,
  pickSavePath: (suggested: string) => ipcRenderer.invoke('stacklab:pickSave', String(suggested)) as Promise<string | null>,
  onMenu: (cb: (action: string) => void) => {
    ipcRenderer.on('stacklab:menu', (_e, action: unknown) => cb(String(action)));
  },
  onBatch: (cb: (b: LiveBatch) => void) => {
    // Only main sends on this channel (renderers cannot message each other).
    const listener = (_e: IpcRendererEvent, msg: unknown) => {
      let b: LiveBatch;
      try {
        b = parsePushEnvelope(msg).push;
      } catch {
        return; // not a batch: dropped
      }
      cb(b);
    };
    ipcRenderer.on('stacklab:batch', listener);
    return () => void ipcRenderer.removeListener('stacklab:batch', listener);
  },
};

contextBridge.exposeInMainWorld('stacklab', api);
