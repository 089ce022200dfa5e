import { describe, expect, it } from 'vitest';
import type { Step } from '@nanoclaw/protocol';
import { assistantStepsToChat, historyToChat, userMessageText } from './historyToChat.js';

describe('historyToChat', () => {
  it('adds attachments to the user text as fenced blocks', () => {
    expect(userMessageText({ text: 'see', attachments: [{ name: 'a.py', extension: 'py', content: 'print(1)' }] })).toBe('see\n\nAttached file a.py:\n```py\nprint(1)\n```');
    expect(userMessageText({ text: '', attachments: [{ name: 'r.md', content: 'has ``` inside' }] })).toContain('~~~~');
  });

  it('replays each round as an assistant message with its calls, then one tool message per answered call', () => {
    const steps: Step[] = [
      { id: 'step-0', index: 0, type: 'thinking', content: 'hmm' },
      { id: 'step-1', index: 1, type: 'text', content: 'Let me check.' },
      { id: 'step-2', index: 2, type: 'tool_call', id_ref: 'c1', name: 'calculator', arguments: '{"expression":"1+1"}' },
      { id: 'step-3', index: 3, type: 'tool_call', id_ref: 'c2', name: 'get_current_time', arguments: '{}' },
      { id: 'step-4', index: 4, type: 'tool_result', id_ref: 'c1', name: 'calculator', content: '{"result":2}', skipped: false },
      { id: 'step-5', index: 5, type: 'tool_result', id_ref: 'c2', name: 'get_current_time', content: '{"iso":"x"}', skipped: false },
      { id: 'step-6', index: 6, type: 'tool_call', id_ref: 's1', name: 'inner', arguments: '{}', parent_id: 'step-2' },
      { id: 'step-7', index: 7, type: 'text', content: 'It is 2.' },
    ];
    expect(assistantStepsToChat(steps, 'ignored')).toEqual([
      {
        role: 'assistant',
        content: 'Let me check.',
        reasoning_content: 'hmm',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'calculator', arguments: '{"expression":"1+1"}' } },
          { id: 'c2', type: 'function', function: { name: 'get_current_time', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: '{"result":2}' },
      { role: 'tool', tool_call_id: 'c2', content: '{"iso":"x"}' },
      { role: 'assistant', content: 'It is 2.' },
    ]);
  });

  it('leaves out calls that never got a result (an answer cut short)', () => {
    const steps: Step[] = [
      { id: 'step-0', index: 0, type: 'text', content: 'Working' },
      { id: 'step-1', index: 1, type: 'tool_call', id_ref: 'c1', name: 'calculator', arguments: '{}' },
    ];
    expect(assistantStepsToChat(steps, '')).toEqual([{ role: 'assistant', content: 'Working' }]);
  });

  it('falls back to the stored text for messages without steps, and skips tool rows', () => {
    expect(
      historyToChat([
        { role: 'user', content: { text: 'hi' } },
        { role: 'assistant', content: { text: 'hello', tool_calls: [], steps: [] } },
        { role: 'tool', content: { text: 'x' } },
      ]),
    ).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
    ]);
  });
});
