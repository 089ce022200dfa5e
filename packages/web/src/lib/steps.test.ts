import { describe, expect, it } from 'vitest';
import type { Step } from '@nanoclaw/protocol';
import { agentGroups, answerText, placeholderText, stepItems, subAgentOutcomes, type UiMessage } from './steps';
import { normaliseMathDelimiters } from './mathDelimiters';

describe('stepItems', () => {
  it('pairs tool calls with their results and nests sub-agent steps', () => {
    const steps: Step[] = [
      { id: 's1', index: 1, type: 'tool_call', id_ref: 'c1', name: 'multi_agent', arguments: '{}' },
      { id: 's2', index: 2, type: 'text', content: 'inner', parent_id: 's1', agent: 'a' },
      { id: 's3', index: 3, type: 'tool_result', id_ref: 'c1', name: 'multi_agent', content: '{}', skipped: false },
    ];
    const items = stepItems(steps);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'tool', result: { id: 's3' }, agents: [{ agent: 'a', steps: [{ id: 's2' }] }] });
  });
});

describe('answerText', () => {
  it('copies the answer as the server stores it: its rounds\' text a blank line apart, not sub-agents\' text', () => {
    const steps: Step[] = [
      { id: 'step-0', index: 0, type: 'text', content: 'Let me check.' },
      { id: 'step-1', index: 1, type: 'tool_call', id_ref: 'c1', name: 'multi_agent', arguments: '{}' },
      { id: 'step-2', index: 2, type: 'text', content: 'inner', parent_id: 'step-1', agent: 'a' },
      { id: 'step-3', index: 3, type: 'tool_result', id_ref: 'c1', name: 'multi_agent', content: '[]', skipped: false },
      { id: 'step-4', index: 4, type: 'text', content: 'It is 42.' },
    ];
    const message = { id: 'm', role: 'assistant' as const, text: '', steps, status: 'complete' as const, token_count: 1, created_at: '' };
    expect(answerText(message)).toBe('Let me check.\n\nIt is 42.');
    expect(answerText({ ...message, steps: [], text: 'stored' })).toBe('stored');
  });
});

describe('sub-agent groups', () => {
  // Two sub-agents of one multi_agent call working at the same time: their steps interleave by index.
  const interleaved: Step[] = [
    { id: 'step-0', index: 0, type: 'tool_call', id_ref: 'c1', name: 'multi_agent', arguments: '{}' },
    { id: 'step-1', index: 1, type: 'thinking', content: 'A thinks', parent_id: 'step-0', agent: 'alpha' },
    { id: 'step-2', index: 2, type: 'thinking', content: 'B thinks', parent_id: 'step-0', agent: 'beta' },
    { id: 'step-3', index: 3, type: 'tool_call', id_ref: 'a1', name: 'calculator', arguments: '{"expression":"6*7"}', parent_id: 'step-0', agent: 'alpha' },
    { id: 'step-4', index: 4, type: 'text', content: 'B answers', parent_id: 'step-0', agent: 'beta' },
    { id: 'step-5', index: 5, type: 'tool_result', id_ref: 'a1', name: 'calculator', content: '42', skipped: false, parent_id: 'step-0', agent: 'alpha' },
    { id: 'step-6', index: 6, type: 'text', content: 'A answers', parent_id: 'step-0', agent: 'alpha' },
    { id: 'step-7', index: 7, type: 'tool_result', id_ref: 'c1', name: 'multi_agent', content: '[]', skipped: false },
    { id: 'step-8', index: 8, type: 'text', content: 'Both done.' },
  ];

  it('gathers each agent\'s steps apart, in order, the agents in the order they started', () => {
    const [call, text] = stepItems(interleaved);
    expect(text).toMatchObject({ kind: 'text', step: { content: 'Both done.' } });
    if (call?.kind !== 'tool') throw new Error('expected the multi_agent card');
    expect(call.agents.map((g) => [g.agent, g.steps.map((s) => s.id)])).toEqual([
      ['alpha', ['step-1', 'step-3', 'step-5', 'step-6']],
      ['beta', ['step-2', 'step-4']],
    ]);
    // Inside an agent's group its own tool call is paired with its result.
    const alpha = stepItems(call.agents[0]!.steps, 'step-0');
    expect(alpha.map((item) => item.kind)).toEqual(['thinking', 'tool', 'text']);
    expect(alpha[1]).toMatchObject({ call: { name: 'calculator' }, result: { content: '42' }, agents: [] });
  });

  it('does not mix the agents of two different calls', () => {
    const steps: Step[] = [
      ...interleaved,
      { id: 'step-9', index: 9, type: 'tool_call', id_ref: 'c2', name: 'multi_agent', arguments: '{}' },
      { id: 'step-10', index: 10, type: 'text', content: 'again', parent_id: 'step-9', agent: 'alpha' },
    ];
    expect(agentGroups(steps, 'step-0').flatMap((g) => g.steps.map((s) => s.id))).not.toContain('step-10');
    expect(agentGroups(steps, 'step-9')).toEqual([{ key: 'step-9:alpha', agent: 'alpha', steps: [steps[10]] }]);
  });
});

describe('subAgentOutcomes', () => {
  const result = (content: string) => ({ id: 'r', index: 9, type: 'tool_result' as const, id_ref: 'c1', name: 'multi_agent', content, skipped: false });

  it('reads how each agent ended from the multi_agent result', () => {
    const outcome = subAgentOutcomes(
      result(
        JSON.stringify([
          { name: 'alpha', task: 't', status: 'complete', answer: 'x' },
          { name: 'beta', task: 't', status: 'timeout', answer: '', error: 'The sub-agent did not finish within 1000 ms.' },
          { name: 'gamma', task: 't', status: 'error', answer: '', error: 'boom' },
        ]),
      ),
      false,
    );
    expect(outcome('alpha')).toEqual({ state: 'complete' });
    expect(outcome('beta')).toEqual({ state: 'timeout', error: 'The sub-agent did not finish within 1000 ms.' });
    expect(outcome('gamma')).toEqual({ state: 'failed', error: 'boom' });
    expect(outcome('delta')).toEqual({ state: 'unknown' });
  });

  it('says running while the call has no result yet, unknown once the answer stopped without one', () => {
    expect(subAgentOutcomes(null, true)('alpha')).toEqual({ state: 'running' });
    expect(subAgentOutcomes(null, false)('alpha')).toEqual({ state: 'unknown' });
    expect(subAgentOutcomes(result('{"success":false,"error":"too many"}'), false)('alpha')).toEqual({ state: 'unknown' });
  });
});

describe('normaliseMathDelimiters', () => {
  it('turns \\( \\) and \\[ \\] into dollar math outside code', () => {
    expect(normaliseMathDelimiters('a \\(x^2\\) b')).toBe('a $x^2$ b');
    expect(normaliseMathDelimiters('`\\(x\\)`')).toBe('`\\(x\\)`');
  });
});

describe('placeholderText', () => {
  const message = (role: 'user' | 'assistant', text: string, steps: Step[] = []): UiMessage => ({ id: 'm', role, text, steps, status: 'complete', token_count: 0, created_at: '' });

  it("shows a question's text as written, white space collapsed", () => {
    expect(placeholderText(message('user', 'what is **2**\n\n  + 2?'))).toBe('what is **2** + 2?');
  });

  it("shows an answer's final text without the Markdown's markup characters", () => {
    const text = ['# Plan', '', '- **Read** it', '- [x] done', '', '```python', 'print(1)', '```', '', '$$a_1$$ | b |'].join('\n');
    expect(placeholderText(message('assistant', text))).toBe('Plan Read it done python print(1) a 1 b');
    const steps: Step[] = [{ id: 's1', type: 'text', content: 'from the *steps*' } as Step];
    expect(placeholderText(message('assistant', '', steps))).toBe('from the steps');
  });

  it('is cut short for a long text', () => {
    const shown = placeholderText(message('user', 'word '.repeat(1000)));
    expect(shown.length).toBe(201);
    expect(shown.endsWith('…')).toBe(true);
  });
});
