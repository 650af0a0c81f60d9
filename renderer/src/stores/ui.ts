// View state: theme, active tab, layout, connect mode, and status messages.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Theme } from '../graph/style.js';

export const LAYOUTS = ['chain', 'breadthfirst', 'circle', 'grid', 'concentric', 'cose'] as const;
export type LayoutName = (typeof LAYOUTS)[number];

export const useUiStore = defineStore('ui', () => {
  const theme = ref<Theme>('light');
  /** 'term:<host>', 'packets' or 'checks'. */
  const tab = ref('packets');
  const layout = ref<LayoutName>('chain');
  /** Bumped to ask the canvas to run the layout again. */
  const layoutRequest = ref(0);
  const connectFrom = ref<string | null>(null);
  const connecting = ref(false);
  const message = ref('');
  const error = ref(false);

  function toggleTheme(): void {
    theme.value = theme.value === 'light' ? 'dark' : 'light';
  }
  function relayout(name?: LayoutName): void {
    if (name) layout.value = name;
    layoutRequest.value++;
  }
  function say(msg: string, isError = false): void {
    message.value = msg;
    error.value = isError;
  }
  function openTerminal(host: string): void {
    tab.value = `term:${host}`;
  }

  return { theme, tab, layout, layoutRequest, connectFrom, connecting, message, error, toggleTheme, relayout, say, openTerminal };
});
