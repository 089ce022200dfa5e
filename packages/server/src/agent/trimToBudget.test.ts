import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../llm/types.js';
import { estimateTokens, IMAGE_TOKENS, trimToBudget } from './trimToBudget.js';

const user = (text: string): ChatMessage => ({ role: 'user', content: text });
const assistant = (text: string): ChatMessage => ({ role: 'assistant', content: text });
const big = (label: string) => `${label} ${'x'.repeat(400)}`; // ~100 tokens

describe('trimToBudget', () => {
  it('keeps everything that fits', () => {
    const messages = [{ role: 'system', content: 'sys' } as ChatMessage, user('a'), assistant('b'), user('c')];
    expect(trimToBudget(messages, 1000)).toEqual(messages);
  });

  it('drops whole exchanges oldest first and keeps the system prompt and the latest question', () => {
    const system: ChatMessage = { role: 'system', content: 'sys' };
    const messages = [system, user(big('q1')), assistant(big('a1')), user(big('q2')), assistant(big('a2')), user(big('q3'))];
    const kept = trimToBudget(messages, 350);
    expect(kept[0]).toBe(system);
    expect(kept.at(-1)).toEqual(user(big('q3')));
    expect(kept.map((m) => (m.content as string).slice(0, 2))).toEqual(['sy', 'q2', 'a2', 'q3']);
  });

  it('never leaves a tool result without the assistant call before it', () => {
    const call: ChatMessage = { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: big('{}') } }] };
    const result: ChatMessage = { role: 'tool', tool_call_id: 'c1', content: big('r') };
    const messages = [user(big('q1')), call, result, assistant(big('a1')), user(big('q2'))];
    const kept = trimToBudget(messages, 150);
    expect(kept).toEqual([user(big('q2'))]);
  });

  it('keeps the latest question and the current turn even when they alone exceed the budget', () => {
    const call: ChatMessage = { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] };
    const messages = [user(big('old')), user(big('now')), call, { role: 'tool', tool_call_id: 'c1', content: big('r') } as ChatMessage];
    expect(trimToBudget(messages, 10)).toEqual(messages.slice(1));
  });

  it('estimates tool calls and reasoning too', () => {
    expect(estimateTokens({ role: 'assistant', content: null, reasoning_content: 'x'.repeat(400) })).toBeGreaterThan(100);
  });
});

describe('estimateTokens with content parts', () => {
  it('counts text parts by their length and each image as IMAGE_TOKENS, whatever its data URL length', () => {
    const url = `data:image/png;base64,${'A'.repeat(400_000)}`;
    const tokens = estimateTokens({ role: 'user', content: [{ type: 'text', text: 'x'.repeat(40) }, { type: 'image_url', image_url: { url } }] });
    expect(tokens).toBe(10 + IMAGE_TOKENS + 4);
  });
});
