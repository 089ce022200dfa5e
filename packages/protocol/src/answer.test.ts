import { describe, expect, it } from 'vitest';
import { answerFromSteps, applyProcessStep } from './answer.js';
import type { Step } from './steps.js';

describe('applyProcessStep', () => {
  it('appends deltas to their step and keeps steps in index order', () => {
    const steps: Step[] = [];
    applyProcessStep(steps, { id: 'step-0', index: 0, type: 'thinking', delta: 'Let me ' });
    applyProcessStep(steps, { id: 'step-2', index: 2, type: 'tool_call', id_ref: 'c1', name: 'calculator', arguments: '{}' });
    applyProcessStep(steps, { id: 'step-1', index: 1, type: 'text', delta: 'Hi' });
    applyProcessStep(steps, { id: 'step-0', index: 0, type: 'thinking', delta: 'think' });
    expect(steps.map((s) => s.id)).toEqual(['step-0', 'step-1', 'step-2']);
    expect(steps[0]).toEqual({ id: 'step-0', index: 0, type: 'thinking', content: 'Let me think' });
  });

  it('keeps the sub-agent of streamed pieces', () => {
    const steps: Step[] = [];
    applyProcessStep(steps, { id: 'step-1', index: 1, type: 'tool_call', id_ref: 'c1', name: 'multi_agent', arguments: '{}' });
    applyProcessStep(steps, { id: 'step-2', index: 2, type: 'thinking', delta: 'Hmm', parent_id: 'step-1', agent: 'researcher' });
    applyProcessStep(steps, { id: 'step-2', index: 2, type: 'thinking', delta: ' ok', parent_id: 'step-1', agent: 'researcher' });
    expect(steps[1]).toEqual({ id: 'step-2', index: 2, type: 'thinking', content: 'Hmm ok', parent_id: 'step-1', agent: 'researcher' });
  });

  it('takes v1 snapshots as the whole text so far, and a step sent again replaces itself', () => {
    const steps: Step[] = [];
    applyProcessStep(steps, { id: 'step-0', index: 0, type: 'text', content: 'Hel' });
    applyProcessStep(steps, { id: 'step-0', index: 0, type: 'text', content: 'Hello' });
    applyProcessStep(steps, { id: 'step-1', index: 1, type: 'tool_result', id_ref: 'c1', name: 'f', content: 'x', skipped: false });
    applyProcessStep(steps, { id: 'step-1', index: 1, type: 'tool_result', id_ref: 'c1', name: 'f', content: 'y', skipped: false });
    expect(steps).toEqual([
      { id: 'step-0', index: 0, type: 'text', content: 'Hello' },
      { id: 'step-1', index: 1, type: 'tool_result', id_ref: 'c1', name: 'f', content: 'y', skipped: false },
    ]);
  });
});

describe('answerFromSteps', () => {
  it('joins the top-level text of each round with a blank line and pairs calls with results', () => {
    const steps: Step[] = [
      { id: 'step-0', index: 0, type: 'thinking', content: 'hmm' },
      { id: 'step-1', index: 1, type: 'text', content: 'Let me compute.' },
      { id: 'step-2', index: 2, type: 'tool_call', id_ref: 'c1', name: 'calculator', arguments: '{"expression":"6*7"}' },
      { id: 'step-3', index: 3, type: 'text', content: 'sub-agent text', parent_id: 'step-2', agent: 'a' },
      { id: 'step-4', index: 4, type: 'tool_result', id_ref: 'c1', name: 'calculator', content: '42', skipped: false, success: true, execution_time: 0.01 },
      { id: 'step-5', index: 5, type: 'text', content: 'It is 42.' },
    ];
    expect(answerFromSteps(steps)).toEqual({
      text: 'Let me compute.\n\nIt is 42.',
      tool_calls: [
        {
          id: 'c1',
          type: 'function',
          function: { name: 'calculator', arguments: '{"expression":"6*7"}' },
          result: '42',
          success: true,
          skipped: false,
          execution_time: 0.01,
        },
      ],
    });
  });

  it('counts a skipped result without a success flag as a failure', () => {
    const steps: Step[] = [
      { id: 'step-0', index: 0, type: 'tool_call', id_ref: 'c1', name: 'f', arguments: '{}' },
      { id: 'step-1', index: 1, type: 'tool_result', id_ref: 'c1', name: 'f', content: 'dup', skipped: true },
    ];
    expect(answerFromSteps(steps).tool_calls[0]).toMatchObject({ success: false, skipped: true });
  });
});
