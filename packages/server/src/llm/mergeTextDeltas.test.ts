import { describe, expect, it } from 'vitest';
import { mergeTextDeltas } from './mergeTextDeltas.js';

describe('mergeTextDeltas', () => {
  it('joins neighbouring pieces of the same kind and keeps everything else in order', () => {
    expect(
      mergeTextDeltas([
        { type: 'reasoning', text: 'a' },
        { type: 'reasoning', text: 'b' },
        { type: 'content', text: 'c' },
        { type: 'content', text: 'd' },
        { type: 'tool_call', index: 0, id: 'x', name: 'f', arguments: '{' },
        { type: 'tool_call', index: 0, arguments: '}' },
        { type: 'content', text: 'e' },
        { type: 'finish', reason: 'stop' },
      ]),
    ).toEqual([
      { type: 'reasoning', text: 'ab' },
      { type: 'content', text: 'cd' },
      { type: 'tool_call', index: 0, id: 'x', name: 'f', arguments: '{' },
      { type: 'tool_call', index: 0, arguments: '}' },
      { type: 'content', text: 'e' },
      { type: 'finish', reason: 'stop' },
    ]);
  });

  it('never joins across a different kind', () => {
    expect(mergeTextDeltas([{ type: 'content', text: 'a' }, { type: 'reasoning', text: 'b' }, { type: 'content', text: 'c' }])).toHaveLength(3);
  });
});
