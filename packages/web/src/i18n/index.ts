import { createI18n } from 'vue-i18n';
import en from './en';
import zhCN from './zh-CN';

export const LOCALES = [
  { code: 'en', label: 'English' },
  { code: 'zh-CN', label: '简体中文' },
] as const;
export type LocaleCode = (typeof LOCALES)[number]['code'];

const STORAGE_KEY = 'nanoclaw.locale';

/** The saved choice, else the browser's language (any Chinese → Simplified Chinese), else English. */
export function initialLocale(): LocaleCode {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'zh-CN') return saved;
  const langs = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const lang of langs) {
    const l = (lang || '').toLowerCase();
    if (l.startsWith('zh')) return 'zh-CN';
    if (l.startsWith('en')) return 'en';
  }
  return 'en';
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'en',
  messages: { en, 'zh-CN': zhCN },
});

export function setLocale(code: LocaleCode): void {
  i18n.global.locale.value = code;
  localStorage.setItem(STORAGE_KEY, code);
  document.documentElement.lang = code;
}
