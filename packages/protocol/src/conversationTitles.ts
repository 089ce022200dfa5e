/**
 * Titles that mean "no title yet": a conversation with one of these (or an empty title) is named
 * after its first message when a run ends, as the original NanoClaw did with its `新对话`. The list
 * holds the original's default and the defaults our own clients show, in every language we ship
 * (packages/web/src/i18n; a test there keeps them in step), and the server's own fallback.
 */
export const DEFAULT_CONVERSATION_TITLES: readonly string[] = ['新对话', 'New chat', 'New conversation'];

const untitled = new Set(DEFAULT_CONVERSATION_TITLES.map((title) => title.toLowerCase()));

/** True for an empty title and for the default titles above (any case, surrounding spaces ignored). */
export function isUntitled(title: string | null | undefined): boolean {
  const trimmed = (title ?? '').trim();
  return trimmed === '' || untitled.has(trimmed.toLowerCase());
}
