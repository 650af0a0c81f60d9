// The renderer's only door to the app (sandboxed preload, context isolation):
// four functions, no Node, no raw ipcRenderer.
import { contextBridge, ipcRenderer } from 'electron';
import type { PreloadApi } from '../renderer/src/bridge/protocol.js';

const api: PreloadApi = {
  request: (envelope: unknown) => ipcRenderer.invoke('stacklab:request', envelope),
  pickOpenPath: () => ipcRenderer.invoke('stacklab:pickOpen') as Promise<string | null>,
  pickSavePath: (suggested: string) => ipcRenderer.invoke('stacklab:pickSave', String(suggested)) as Promise<string | null>,
  onMenu: (cb: (action: string) => void) => {
    ipcRenderer.on('stacklab:menu', (_e, action: unknown) => cb(String(action)));
  },
};

contextBridge.exposeInMainWorld('stacklab', api);
