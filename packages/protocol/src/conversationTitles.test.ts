import { describe, expect, it } from 'vitest';
import { isUntitled } from './conversationTitles.js';

describe('isUntitled', () => {
  it('counts empty titles and the default ones as untitled', () => {
    for (const title of [null, undefined, '', '  ', '新对话', 'New chat', ' new chat ', 'New conversation']) expect(isUntitled(title), String(title)).toBe(true);
  });
  it('keeps every other title', () => {
    for (const title of ['新对话 2', 'New chat about cats', 'Plans']) expect(isUntitled(title), title).toBe(false);
  });
});
