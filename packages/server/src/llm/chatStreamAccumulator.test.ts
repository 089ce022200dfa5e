import { describe, expect, it } from 'vitest';
import { ChatStreamAccumulator } from './chatStreamAccumulator.js';
import type { ChatDelta } from './types.js';

function chunk(delta: Record<string, unknown>, extra: Record<string, unknown> = {}): unknown {
  return { choices: [{ index: 0, delta, finish_reason: null, ...extra }] };
}

describe('ChatStreamAccumulator', () => {
  it('emits the text of one chunk in a fixed order (reasoning, content, refusal) and keeps tool calls, finish and usage for the result', () => {
    const accumulator = new ChatStreamAccumulator();

    const deltas = accumulator.push({
      choices: [
        {
          index: 0,
          delta: {
            tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'calc', arguments: '{}' } }],
            refusal: 'no',
            content: 'text',
            reasoning_content: 'think',
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 1, completion_tokens: 2 },
    });

    expect(deltas).toEqual([
      { type: 'reasoning', text: 'think' },
      { type: 'content', text: 'text' },
      { type: 'refusal', text: 'no' },
    ]);
    expect(accumulator.result()).toEqual({
      content: 'text',
      reasoning: 'think',
      refusal: 'no',
      tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'calc', arguments: '{}' } }],
      finish_reason: 'tool_calls',
      usage: { prompt_tokens: 1, completion_tokens: 2 },
    });
  });

  it('joins the text pieces of chunks pushed into one array to the last delta of the same kind', () => {
    const accumulator = new ChatStreamAccumulator();
    const deltas = [
      chunk({ reasoning_content: 'a' }),
      chunk({ reasoning_content: 'b' }),
      chunk({ content: 'c' }),
      chunk({ content: 'd' }),
      chunk({ tool_calls: [{ index: 0, id: 'x', type: 'function', function: { name: 'f', arguments: '{' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '}' } }] }),
      chunk({ content: 'e' }),
      chunk({ reasoning_content: 'f' }),
      chunk({ content: 'g' }, { finish_reason: 'stop' }),
    ].reduce((into: ChatDelta[], piece) => accumulator.push(piece, into), []);

    // The tool call between 'cd' and 'e' is no delta, so the content around it is one piece.
    expect(deltas).toEqual([
      { type: 'reasoning', text: 'ab' },
      { type: 'content', text: 'cde' },
      { type: 'reasoning', text: 'f' },
      { type: 'content', text: 'g' },
    ]);
    expect(accumulator.result()).toMatchObject({ reasoning: 'abf', content: 'cdeg', tool_calls: [{ id: 'x', function: { name: 'f', arguments: '{}' } }] });
  });

  it('keeps the first non-empty id and name of a tool call and appends its argument fragments', () => {
    const accumulator = new ChatStreamAccumulator();

    accumulator.push(chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'calc', arguments: '' } }] }));
    accumulator.push(chunk({ tool_calls: [{ index: 0, id: '', type: 'function', function: { name: '', arguments: '{"x"' } }] }));
    accumulator.push(chunk({ tool_calls: [{ index: 0, id: 'call_2', function: { name: 'other', arguments: ':1}' } }] }));
    const empty = accumulator.push(chunk({ tool_calls: [{ index: 0, function: { arguments: '' } }] }));

    expect(empty).toEqual([]);
    expect(accumulator.result().tool_calls).toEqual([
      { index: 0, id: 'call_1', type: 'function', function: { name: 'calc', arguments: '{"x":1}' } },
    ]);
  });

  it('starts no tool call for a fragment that carries no id, name or arguments', () => {
    const accumulator = new ChatStreamAccumulator();

    accumulator.push(chunk({ tool_calls: [{ index: 0, type: 'function', function: { arguments: '' } }] }));
    accumulator.push(chunk({ tool_calls: [{ index: 1, id: '', function: { name: '' } }] }));

    expect(accumulator.result().tool_calls).toEqual([]);
  });

  it('places tool calls sent without index by their position, and sorts them by index', () => {
    const accumulator = new ChatStreamAccumulator();

    accumulator.push(
      chunk({
        tool_calls: [
          { id: 'a', function: { name: 'first', arguments: '{}' } },
          { id: 'b', function: { name: 'second', arguments: '{}' } },
        ],
      }),
    );

    expect(accumulator.result().tool_calls.map((call) => [call.index, call.id, call.type])).toEqual([
      [0, 'a', 'function'],
      [1, 'b', 'function'],
    ]);
  });

  it('creates nothing for an empty tool_calls array', () => {
    const accumulator = new ChatStreamAccumulator();

    expect(accumulator.push(chunk({ content: 'hi', tool_calls: [] }))).toEqual([{ type: 'content', text: 'hi' }]);
    expect(accumulator.result().tool_calls).toEqual([]);
  });

  it('reads reasoning from `reasoning` when `reasoning_content` is absent', () => {
    const accumulator = new ChatStreamAccumulator();

    expect(accumulator.push(chunk({ reasoning: 'step' }))).toEqual([{ type: 'reasoning', text: 'step' }]);
  });

  it('reads Mistral content parts: text as content, thinking as reasoning', () => {
    const accumulator = new ChatStreamAccumulator();

    const deltas = accumulator.push(
      chunk({
        content: [
          { type: 'thinking', thinking: [{ type: 'text', text: 'ponder' }], closed: true },
          { type: 'text', text: 'answer' },
          { type: 'image_url', image_url: 'ignored' },
        ],
      }),
    );

    expect(deltas).toEqual([
      { type: 'reasoning', text: 'ponder' },
      { type: 'content', text: 'answer' },
    ]);
  });

  it('keeps the last non-empty finish reason', () => {
    const accumulator = new ChatStreamAccumulator();

    accumulator.push(chunk({}, { finish_reason: 'stop' }));
    accumulator.push({ choices: [{ index: 0, finish_reason: null, content_filter_results: {} }] });
    accumulator.push(chunk({}, { finish_reason: '' }));

    expect(accumulator.result().finish_reason).toBe('stop');
  });

  it('takes usage from inside a choice as well as from the top level', () => {
    const accumulator = new ChatStreamAccumulator();

    expect(accumulator.push(chunk({}, { usage: { prompt_tokens: 5, completion_tokens: 6 } }))).toEqual([]);
    accumulator.push({ choices: [], usage: null });

    expect(accumulator.result().usage).toEqual({ prompt_tokens: 5, completion_tokens: 6 });
  });

  it('emits text for choice 0 only but reconstructs every choice', () => {
    const accumulator = new ChatStreamAccumulator();

    expect(accumulator.push({ choices: [{ index: 1, delta: { content: 'B' } }] })).toEqual([]);
    accumulator.push({ choices: [{ index: 0, delta: { content: 'A' }, finish_reason: 'stop' }] });

    expect(accumulator.result().choices?.map((choice) => [choice.index, choice.content])).toEqual([
      [0, 'A'],
      [1, 'B'],
    ]);
  });

  it('ignores chunks and fields it does not understand', () => {
    const accumulator = new ChatStreamAccumulator();

    for (const odd of [null, 42, 'text', [], { choices: 'none' }, { choices: [null, 7] }, chunk({ content: 7, tool_calls: [null, 'x'] })]) {
      expect(accumulator.push(odd)).toEqual([]);
    }
    expect(accumulator.result()).toEqual({ content: '', reasoning: '', tool_calls: [], finish_reason: null, usage: null });
  });
});
