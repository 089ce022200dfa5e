import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';
import { runOneToolCall } from './tools-fakeServers.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.close();
});

describe('text_process and json_process through the agent run', () => {
  it('are listed with their categories and schemas', async () => {
    const { body } = await t.api('GET', '/api/tools');
    const list: any[] = Array.isArray(body.data) ? body.data : (body.data.tools ?? body.data.items);
    expect(list.find((tool) => tool.name === 'text_process')).toMatchObject({ category: 'text', parameters: { required: ['operation', 'text'] } });
    expect(list.find((tool) => tool.name === 'json_process')).toMatchObject({ category: 'data', parameters: { required: ['operation', 'data'] } });
  });

  it('runs text_process: the result is streamed, stored and sent back to the model', async () => {
    const { steps, call, result, stored, toolMessage } = await runOneToolCall(t, 'text_process', { operation: 'extract', text: 'Mail ana@example.org today', preset: 'emails' });
    expect(steps.map((s) => s.type)).toEqual(['tool_call', 'tool_result', 'text']);
    expect(result).toMatchObject({ name: 'text_process', id_ref: call.id_ref, success: true, skipped: false });
    expect(JSON.parse(result.content)).toEqual({ preset: 'emails', total: 1, matches: ['ana@example.org'] });
    expect(stored).toMatchObject({ role: 'assistant', status: 'complete', text: 'done' });
    expect(stored.process_steps.find((s: any) => s.type === 'tool_result').content).toBe(result.content);
    expect(toolMessage).toMatchObject({ role: 'tool', tool_call_id: call.id_ref, content: result.content });
  });

  it('runs json_process and reports a refused regex as an error result', async () => {
    const query = await runOneToolCall(t, 'json_process', { operation: 'query', data: '{"a":[{"b":1},{"b":2}]}', path: '$.a[*].b' });
    expect(JSON.parse(query.result.content)).toMatchObject({ count: 2, values: [1, 2] });
    expect(query.stored.status).toBe('complete');

    const refused = await runOneToolCall(t, 'text_process', { operation: 'count', text: 'aaaa', pattern: '(a+)+$', regex: true });
    expect(refused.result.success).toBe(false);
    expect(JSON.parse(refused.result.content)).toEqual({ success: false, error: expect.stringMatching(/^The pattern can take exponential time/) });
    expect(refused.stored.status).toBe('complete');
  });
});
