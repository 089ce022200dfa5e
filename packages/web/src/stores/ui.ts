import { defineStore } from 'pinia';
import { ref, watch } from 'vue';

export type ThemeChoice = 'system' | 'light' | 'dark';
const THEME_KEY = 'nanoclaw.theme';
const TOOLS_KEY = 'nanoclaw.toolsOff';

const media = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;

function applyTheme(choice: ThemeChoice): void {
  const dark = choice === 'dark' || (choice === 'system' && !!media?.matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}

export const useUiStore = defineStore('ui', () => {
  const saved = localStorage.getItem(THEME_KEY);
  const theme = ref<ThemeChoice>(saved === 'light' || saved === 'dark' ? saved : 'system');
  const sidebarOpen = ref(false);
  const settingsOpen = ref(false);
  /** Conversations whose messages are sent with tools off (a per-message flag in the API, kept per conversation here). */
  const toolsOff = ref<Record<string, boolean>>(JSON.parse(localStorage.getItem(TOOLS_KEY) ?? '{}') as Record<string, boolean>);
  watch(toolsOff, (value) => localStorage.setItem(TOOLS_KEY, JSON.stringify(value)), { deep: true });
  const toolsEnabled = (id: string) => !toolsOff.value[id];
  function setToolsEnabled(id: string, enabled: boolean): void {
    if (enabled) delete toolsOff.value[id];
    else toolsOff.value[id] = true;
  }

  applyTheme(theme.value);
  media?.addEventListener('change', () => applyTheme(theme.value));
  watch(theme, (value) => {
    localStorage.setItem(THEME_KEY, value);
    applyTheme(value);
  });

  return { theme, sidebarOpen, settingsOpen, toolsOff, toolsEnabled, setToolsEnabled };
});
