import { describe, expect, it } from 'vitest';
import type { Step } from '@nanoclaw/protocol';
import { applyStepEvent, stepItems } from './steps';
import { normaliseMathDelimiters } from './mathDelimiters';

describe('applyStepEvent', () => {
  it('appends deltas to their step and keeps steps in index order', () => {
    const steps: Step[] = [];
    applyStepEvent(steps, { id: 'step-0', index: 0, type: 'thinking', delta: 'Let me ' });
    applyStepEvent(steps, { id: 'step-2', index: 2, type: 'tool_call', id_ref: 'c1', name: 'calculator', arguments: '{}' });
    applyStepEvent(steps, { id: 'step-1', index: 1, type: 'text', delta: 'Hi' });
    applyStepEvent(steps, { id: 'step-0', index: 0, type: 'thinking', delta: 'think' });
    expect(steps.map((s) => s.id)).toEqual(['step-0', 'step-1', 'step-2']);
    expect(steps[0]).toMatchObject({ content: 'Let me think' });
  });

  it('pairs tool calls with their results and nests sub-agent steps', () => {
    const steps: Step[] = [
      { id: 's1', index: 1, type: 'tool_call', id_ref: 'c1', name: 'multi_agent', arguments: '{}' },
      { id: 's2', index: 2, type: 'text', content: 'inner', parent_id: 's1' },
      { id: 's3', index: 3, type: 'tool_result', id_ref: 'c1', name: 'multi_agent', content: '{}', skipped: false },
    ];
    const items = stepItems(steps);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'tool', result: { id: 's3' }, children: [{ id: 's2' }] });
  });
});

describe('normaliseMathDelimiters', () => {
  it('turns \\( \\) and \\[ \\] into dollar math outside code', () => {
    expect(normaliseMathDelimiters('a \\(x^2\\) b')).toBe('a $x^2$ b');
    expect(normaliseMathDelimiters('`\\(x\\)`')).toBe('`\\(x\\)`');
  });
});
