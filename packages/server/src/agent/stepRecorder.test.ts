import { describe, expect, it } from 'vitest';
import { StepRecorder, type StepEvent } from './stepRecorder.js';

describe('StepRecorder', () => {
  it('gives steps one increasing index and extends the open step with pieces of the same kind', () => {
    const recorder = new StepRecorder();
    const events: StepEvent[] = [];
    recorder.onEvent((e) => events.push(e));
    recorder.appendText('thinking', 'a');
    recorder.appendText('thinking', 'b');
    recorder.appendText('text', 'c');
    recorder.addToolCall({ id: 'c1', name: 'f', arguments: '{}' });
    recorder.addToolResult({ id: 'c1', name: 'f', content: '1', skipped: false, success: true, executionTime: 3 });
    recorder.appendText('text', 'd');
    recorder.closeOpenStep();
    recorder.appendText('text', 'e');
    expect(recorder.steps.map((s) => [s.index, s.type, 'content' in s ? s.content : s.name])).toEqual([
      [0, 'thinking', 'ab'],
      [1, 'text', 'c'],
      [2, 'tool_call', 'f'],
      [3, 'tool_result', '1'],
      [4, 'text', 'd'],
      [5, 'text', 'e'],
    ]);
    expect(events.filter((e) => e.type === 'delta').map((e) => (e.type === 'delta' ? e.delta : ''))).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('builds the stored content: text of the top-level steps, legacy tool_calls with results, all steps', () => {
    const recorder = new StepRecorder();
    recorder.appendText('text', 'Checking.');
    const call = recorder.addToolCall({ id: 'c1', name: 'calculator', arguments: '{"expression":"2*2"}' });
    recorder.lane(call.id, 'helper').appendText('text', 'inner');
    recorder.addToolResult({ id: 'c1', name: 'calculator', content: '{"result":4}', skipped: false, success: true, executionTime: 2 });
    recorder.appendText('text', 'It is 4.');
    const content = recorder.toContent('boom');
    expect(content.text).toBe('Checking.\n\nIt is 4.');
    expect(content.error).toBe('boom');
    expect(content.tool_calls).toEqual([
      { id: 'c1', type: 'function', function: { name: 'calculator', arguments: '{"expression":"2*2"}' }, result: '{"result":4}', success: true, skipped: false, execution_time: 2 },
    ]);
    expect(content.steps).toHaveLength(5);
    expect(content.steps[2]).toMatchObject({ parent_id: call.id, agent: 'helper', content: 'inner' });
  });

  it('ignores empty pieces', () => {
    const recorder = new StepRecorder();
    recorder.appendText('text', '');
    expect(recorder.steps).toEqual([]);
  });
});

describe('StepRecorder lanes', () => {
  it('keeps each sub-agent\'s open step apart while they interleave, nested under the call', () => {
    const recorder = new StepRecorder();
    const call = recorder.addToolCall({ id: 'c1', name: 'multi_agent', arguments: '{}' });
    const a = recorder.lane(call.id, 'a');
    const b = recorder.lane(call.id, 'b');
    a.appendText('text', 'A1 ');
    b.appendText('text', 'B1 ');
    a.appendText('text', 'A2');
    b.appendText('text', 'B2');
    a.addToolCall({ id: 'x', name: 'calculator', arguments: '{}' });
    recorder.appendText('text', 'parent');
    expect(recorder.steps.map((s) => [s.index, s.type, s.parent_id ?? null, s.agent ?? null])).toEqual([
      [0, 'tool_call', null, null],
      [1, 'text', call.id, 'a'],
      [2, 'text', call.id, 'b'],
      [3, 'tool_call', call.id, 'a'],
      [4, 'text', null, null],
    ]);
    expect(recorder.laneText(call.id, 'a')).toBe('A1 A2');
    expect(recorder.laneText(call.id, 'b')).toBe('B1 B2');
    expect(recorder.findToolCallStep('c1')).toBe(call);
    expect(recorder.toContent().text).toBe('parent');
  });
});
