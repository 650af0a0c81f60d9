import '@xterm/xterm/css/xterm.css';
import './styles.css';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { setBridge, type Bridge } from './bridge/bridge.js';
import { electronBridge, type PreloadApi } from './bridge/electron-bridge.js';
import { connectWs, wsUrl } from './bridge/ws-bridge.js';
import { exposeHandle } from './debug-handle.js';
import { useLiveStore } from './stores/live.js';

async function main(): Promise<void> {
  const api = (window as unknown as { stacklab?: PreloadApi }).stacklab;
  const bridge: Bridge = api ? electronBridge(api) : await connectWs(wsUrl(window.location));
  setBridge(bridge);
  const pinia = createPinia();
  createApp(App).use(pinia).mount('#app');
  // Web mode: a read-only handle for tests and the bench (not in Electron).
  if (bridge.kind === 'web') exposeHandle(window, useLiveStore(pinia));
}

main().catch((e: unknown) => {
  const p = document.createElement('p');
  p.className = 'fatal';
  p.textContent = `StackLab could not start: ${e instanceof Error ? e.message : String(e)}`;
  document.body.replaceChildren(p);
});
