import { describe, expect, it } from 'vitest';
import { decodeRunEvent, encodeRunEvent, resumeAfter, runEventId, type RunEvent } from './events.js';

/** Every kind of event a run sends, in both protocols, nested sub-agent steps included. */
const events: RunEvent[] = [
  { event: 'process_step', data: { id: 'step-0', index: 0, type: 'thinking', delta: 'Let me' } },
  { event: 'process_step', data: { id: 'step-0', index: 0, type: 'thinking', content: 'Let me think' } },
  { event: 'process_step', data: { id: 'step-1', index: 1, type: 'text', delta: 'Hi' } },
  { event: 'process_step', data: { id: 'step-1', index: 1, type: 'text', content: 'Hi there' } },
  { event: 'process_step', data: { id: 'step-2', index: 2, type: 'tool_call', id_ref: 'c1', name: 'multi_agent', arguments: '{}' } },
  { event: 'process_step', data: { id: 'step-3', index: 3, type: 'text', delta: 'inner', parent_id: 'step-2', agent: 'researcher' } },
  {
    event: 'process_step',
    data: { id: 'step-4', index: 4, type: 'tool_result', id_ref: 'c1', name: 'multi_agent', content: '[]', skipped: false, success: true, execution_time: 0.2 },
  },
  { event: 'retry', data: { attempt: 2, max_attempts: 4, delay_ms: 3000, reason: 'LLM service unavailable (503)' } },
  { event: 'done', data: { message_id: 'm1', token_count: 12, suggested_title: null, usage: { prompt_tokens: 3, completion_tokens: 12 } } },
  { event: 'done', data: { message_id: 'm1', token_count: 1, suggested_title: 'Hello', usage: { prompt_tokens: 1, completion_tokens: 1 }, status: 'stopped' } },
  { event: 'error', data: { content: 'LLM service unavailable (503)', message_id: 'm1' } },
];

/** Parses one SSE event text the way a browser does (id, event, data lines). */
function sseFields(text: string): { id: string; event: string; data: string } {
  const fields = Object.fromEntries(text.trimEnd().split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]));
  return fields as { id: string; event: string; data: string };
}

describe('run event contract', () => {
  it('encodes each event as one SSE event that decodes back to the same event', () => {
    for (const event of events) {
      const text = encodeRunEvent(runEventId('run-1', 7), event);
      expect(text.endsWith('\n\n')).toBe(true);
      const fields = sseFields(text);
      expect(fields.id).toBe('run-1:7');
      expect(decodeRunEvent(fields.event, fields.data)).toEqual({ ok: true, event });
    }
  });

  it('refuses malformed events with a sentence naming the field, never throwing', () => {
    const bad: Array<[string | undefined, unknown, RegExp]> = [
      ['process_step', '{not json', /not JSON/],
      ['process_step', { id: 'step-0', index: 0, type: 'text' }, /Malformed "process_step" event/],
      ['process_step', { id: 'step-0', index: -1, type: 'text', delta: 'x' }, /Malformed/],
      ['process_step', { id: 'step-0', index: 0, type: 'tool_call', id_ref: 'c1', name: 'f' }, /Malformed/],
      ['done', { message_id: 'm1', token_count: 'many', suggested_title: null, usage: { prompt_tokens: 1, completion_tokens: 1 } }, /data\.token_count/],
      ['done', { message_id: 'm1', token_count: 1, suggested_title: null, usage: { prompt_tokens: 1, completion_tokens: 1 }, status: 'exploded' }, /data\.status/],
      ['error', {}, /data\.content/],
      ['retry', { attempt: 1, max_attempts: 4, delay_ms: 10, reason: 'x' }, /data\.attempt/],
      ['ping', {}, /event/],
      [undefined, { content: 'x' }, /Malformed "message" event/],
      ['done', null, /Malformed "done"/],
    ];
    for (const [name, data, why] of bad) {
      const decoded = decodeRunEvent(name, data);
      expect(decoded.ok, JSON.stringify([name, data])).toBe(false);
      if (!decoded.ok) expect(decoded.error).toMatch(why);
    }
  });

  it('reads Last-Event-ID of this run only', () => {
    expect(resumeAfter(runEventId('run-1', 7), 'run-1')).toBe(7);
    expect(resumeAfter('other:7', 'run-1')).toBe(0);
    expect(resumeAfter('run-1:abc', 'run-1')).toBe(0);
    expect(resumeAfter('run-1:-3', 'run-1')).toBe(0);
    expect(resumeAfter(undefined, 'run-1')).toBe(0);
  });
});
