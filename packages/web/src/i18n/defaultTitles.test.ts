import { describe, expect, it } from 'vitest';
import { isUntitled } from '@nanoclaw/protocol';
import en from './en';
import zhCN from './zh-CN';

describe('default conversation titles', () => {
  it('every language the UI ships shows, for an untitled conversation, a title the server counts as untitled', () => {
    for (const messages of [en, zhCN]) {
      expect(isUntitled(messages.chat.untitled), messages.chat.untitled).toBe(true);
      expect(isUntitled(messages.nav.newChat), messages.nav.newChat).toBe(true);
    }
  });
});
