import { describe, expect, it } from 'vitest';
import { RunSession } from '../agent/runSession.js';
import { StepRecorder } from '../agent/stepRecorder.js';
import { formatEvent } from './sseFormat.js';

describe('sseFormat', () => {
  it('writes deltas by default and whole snapshots for v1, each as one complete event', () => {
    const session = new RunSession('run-1', 'c', 'u', 'm');
    const recorder = new StepRecorder();
    recorder.onEvent((e) => session.record(e));
    recorder.appendText('text', 'Hel');
    recorder.appendText('text', 'lo');
    recorder.addToolCall({ id: 'c1', name: 'f', arguments: '{}' });
    const [first, second, call] = session.events;
    expect(formatEvent('run-1', second!, 'default')).toBe('id: run-1:2\nevent: process_step\ndata: {"id":"step-0","index":0,"type":"text","delta":"lo"}\n\n');
    expect(formatEvent('run-1', first!, 'v1')).toBe('id: run-1:1\nevent: process_step\ndata: {"id":"step-0","index":0,"type":"text","content":"Hel"}\n\n');
    expect(formatEvent('run-1', second!, 'v1')).toContain('"content":"Hello"');
    expect(formatEvent('run-1', call!, 'v1')).toBe(formatEvent('run-1', call!, 'default'));
    expect(JSON.parse(formatEvent('run-1', call!, 'default').split('data: ')[1]!)).toEqual({ id: 'step-1', index: 1, type: 'tool_call', id_ref: 'c1', name: 'f', arguments: '{}' });
  });
});
