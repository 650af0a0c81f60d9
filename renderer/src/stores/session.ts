// The running simulation: running flag, virtual time, and commands.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { useBridge } from '../bridge/bridge.js';
import type { CommandResult, SessionState } from '../bridge/protocol.js';
import { useLabStore } from './lab.js';
import { usePacketStore } from './packets.js';

export const useSessionStore = defineStore('session', () => {
  const running = ref(false);
  const now = ref(0);
  const busy = ref(false);

  function apply(s: SessionState): void {
    running.value = s.running;
    now.value = s.now;
  }

  async function start(): Promise<void> {
    busy.value = true;
    try {
      usePacketStore().clear();
      apply(await useBridge().request({ type: 'start' }));
      useLabStore().markStarted();
      await usePacketStore().fetch();
    } finally {
      busy.value = false;
    }
  }

  async function stop(): Promise<void> {
    apply(await useBridge().request({ type: 'stop' }));
  }

  /** Run a line on a host, then pull the trace it produced. */
  async function run(host: string, line: string, background = false): Promise<CommandResult> {
    const r = await useBridge().request({ type: 'run', host, line, ...(background ? { background } : {}) });
    apply(r);
    await usePacketStore().fetch();
    return r.result;
  }

  return { running, now, busy, apply, start, stop, run };
});
