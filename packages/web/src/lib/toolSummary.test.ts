import { describe, expect, it } from 'vitest';
import { foldedPreview, summariseArguments } from './toolSummary';

describe('summariseArguments', () => {
  it('says a call\'s arguments in a few words', () => {
    expect(summariseArguments('{"expression":"17*23"}')).toBe('17*23');
    expect(summariseArguments('{"url":"https://example.com/a","max_chars":2000,"raw":false}')).toBe('https://example.com/a, 2000, false');
    expect(summariseArguments('{"tasks":[{"name":"a"},{"name":"b"}],"note":null}')).toBe('[2]');
    expect(summariseArguments('{"text":"  many\\n\\n  lines  "}')).toBe('many lines');
    expect(summariseArguments('{}')).toBe('');
    expect(summariseArguments(undefined)).toBe('');
    expect(summariseArguments('not json {')).toBe('not json {');
  });

  it('cuts long arguments at a character count, never inside a character', () => {
    const summary = summariseArguments(JSON.stringify({ code: '你好'.repeat(50) }), 10);
    expect([...summary]).toHaveLength(10);
    expect(summary.endsWith('…')).toBe(true);
  });
});

describe('foldedPreview', () => {
  it('folds only results clearly longer than the preview', () => {
    expect(foldedPreview('a\nb', 12)).toBeNull();
    expect(foldedPreview(Array.from({ length: 14 }, (_, i) => `${i}`).join('\n'), 12)).toBeNull();
    expect(foldedPreview(Array.from({ length: 40 }, (_, i) => `${i}`).join('\n'), 12)).toEqual({ preview: '0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11', total: 40 });
  });
});
