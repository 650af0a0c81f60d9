// The running simulation: running flag, virtual time, and commands.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { useBridge } from '../bridge/bridge.js';
import type { CommandResult, SessionState } from '../bridge/protocol.js';
import { useFramesStore } from './frames.js';
import { useLabStore } from './lab.js';
import { useLiveStore } from './live.js';
import { usePacketStore } from './packets.js';

export const useSessionStore = defineStore('session', () => {
  const running = ref(false);
  const now = ref(0);
  const busy = ref(false);

  function apply(s: SessionState): void {
    running.value = s.running;
    now.value = s.now;
  }

  /** Boot the lab; `play` starts pacing it at once (the app does, tests may not). */
  async function start(play = false): Promise<void> {
    busy.value = true;
    const live = useLiveStore();
    try {
      live.detach();
      usePacketStore().clear();
      useFramesStore().clear();
      // batches stream from boot on (its records too)
      live.attach();
      try {
        apply(await useBridge().request({ type: 'start' }));
      } catch (e) {
        live.detach();
        throw e;
      }
      useLabStore().markStarted();
      if (play) await live.play().catch(() => {});
    } finally {
      busy.value = false;
    }
  }

  async function stop(): Promise<void> {
    useLiveStore().detach();
    apply(await useBridge().request({ type: 'stop' }));
  }

  /** Run a line on a host, then pull the trace it produced. */
  async function run(host: string, line: string, background = false): Promise<CommandResult> {
    const r = await useBridge().request({ type: 'run', host, line, ...(background ? { background } : {}) });
    apply(r);
    // a live lab streams its records; the older API fetches them
    if (!useLiveStore().attached) await usePacketStore().fetch();
    return r.result;
  }

  return { running, now, busy, apply, start, stop, run };
});
