import { describe, expect, it } from 'vitest';
import type { ExportConversation, ExportMessage } from '@nanoclaw/protocol';
import { activePathOf as activePath } from '../db/conversationTree.js';
import { markdownTranscript } from './markdownTranscript.js';

const question = (id: string, parent: string | null, text: string): ExportMessage => ({ id, parent_id: parent, role: 'user', content: { text }, token_count: 0, status: 'complete', created_at: 'x' });

const conversation: ExportConversation = {
  id: 'c',
  title: 'Weather in Paris',
  model: 'tool-call',
  system_prompt: 'Be brief.',
  temperature: 0.7,
  max_tokens: 100,
  thinking_enabled: true,
  project: null,
  active_leaf_id: 'a1',
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
  messages: [
    question('q1', null, 'Weather in Paris?'),
    {
      id: 'a1',
      parent_id: 'q1',
      role: 'assistant',
      content: {
        text: 'Sunny, 21 °C.',
        tool_calls: [],
        steps: [
          { id: 's1', index: 0, type: 'thinking', content: 'Use the weather tool.\nThen answer.' },
          { id: 's2', index: 1, type: 'tool_call', id_ref: 't1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { id: 's3', index: 2, type: 'tool_result', id_ref: 't1', name: 'get_weather', content: 'sunny ``` 21', skipped: false, success: true },
          { id: 's4', index: 3, type: 'text', content: 'Sunny, 21 °C.' },
        ],
      },
      token_count: 12,
      status: 'complete',
      created_at: 'x',
    },
    { ...question('a2', 'q1', 'A later answer on another branch'), role: 'assistant', content: { text: 'Rainy.', tool_calls: [], steps: [] }, status: 'stopped' },
  ],
};

describe('activePath', () => {
  it('walks up from the active leaf; without one, from the most recently created leaf', () => {
    expect(activePath(conversation.messages, 'a1').map((m) => m.id)).toEqual(['q1', 'a1']);
    expect(activePath(conversation.messages, null).map((m) => m.id)).toEqual(['q1', 'a2']);
    expect(activePath(conversation.messages, 'gone').map((m) => m.id)).toEqual(['q1', 'a2']);
    expect(activePath([], null)).toEqual([]);
  });
});

describe('markdownTranscript', () => {
  it('is the title, the system prompt and the active path under role headings, thinking and tools folded', () => {
    const markdown = markdownTranscript(conversation);
    expect(markdown).toBe(
      [
        '# Weather in Paris',
        '',
        '*Model: tool-call · created 2026-01-01T00:00:00.000Z*',
        '',
        '<details>\n<summary>System prompt</summary>\n\nBe brief.\n\n</details>',
        '',
        '## User',
        '',
        'Weather in Paris?',
        '',
        '## Assistant',
        '',
        '<details>\n<summary>Thinking</summary>\n\n> Use the weather tool.\n> Then answer.\n\n</details>',
        '',
        '<details>\n<summary>Tool call: get_weather</summary>\n\n```json\n{"city":"Paris"}\n```\n\n</details>',
        '',
        '<details>\n<summary>Tool result: get_weather</summary>\n\n````\nsunny ``` 21\n````\n\n</details>',
        '',
        'Sunny, 21 °C.',
        '',
      ].join('\n'),
    );
    expect(markdown).not.toContain('Rainy');
  });

  it('says when an answer did not finish', () => {
    expect(markdownTranscript({ ...conversation, active_leaf_id: 'a2' })).toContain('## Assistant\n\nRainy.\n\n*(stopped)*');
  });
});
