import { describe, expect, it } from 'vitest';
import { toChatMessages } from './chatRelay.js';

describe('toChatMessages', () => {
  it('sends developer messages as system, joins text parts, keeps tool calls and tool results', () => {
    expect(
      toChatMessages([
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'What is ' }, { type: 'text', text: '6*7?' }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'calculator', arguments: '{"expression":"6*7"}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: '42' },
        { role: 'assistant', content: 'It is 42.', reasoning_content: 'Easy.' },
      ]),
    ).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'What is 6*7?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'calculator', arguments: '{"expression":"6*7"}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: '42' },
      { role: 'assistant', content: 'It is 42.', reasoning_content: 'Easy.' },
    ]);
  });
});
