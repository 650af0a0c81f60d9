// The Checks tab: run each of the lab's checks in order and grade it.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { CommandResult } from '../bridge/protocol.js';
import { judge, type CheckVerdict } from '../lab/checks.js';
import { useLabStore } from './lab.js';
import { useSessionStore } from './session.js';

export interface CheckOutcome extends CheckVerdict {
  result?: CommandResult;
  error?: string;
}

export const useChecksStore = defineStore('checks', () => {
  const outcomes = ref<(CheckOutcome | null)[]>([]);
  const running = ref(false);

  async function runAll(): Promise<void> {
    const lab = useLabStore();
    const session = useSessionStore();
    const checks = lab.lab?.checks ?? [];
    running.value = true;
    outcomes.value = checks.map(() => null);
    try {
      if (!session.running || lab.changedSinceStart) await session.start();
      for (const [i, c] of checks.entries()) {
        try {
          const result = await session.run(c.host, c.run, c.background);
          outcomes.value[i] = { ...judge(c.expect, result), result };
        } catch (e) {
          outcomes.value[i] = { pass: c.expect ? false : undefined, reasons: [], error: (e as Error).message };
        }
      }
    } finally {
      running.value = false;
    }
  }

  function reset(): void {
    outcomes.value = [];
  }

  return { outcomes, running, runAll, reset };
});
