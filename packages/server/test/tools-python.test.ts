import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation, readSse, sendMessage, startTestServer, stepsFromEvents, type TestServer } from './helpers.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.close();
});

describe('execute_python through the agent run', () => {
  it('is listed among the tools', async () => {
    const { body } = await t.api('GET', '/api/tools');
    const list = Array.isArray(body.data) ? body.data : (body.data.tools ?? body.data.items);
    expect(list.find((tool: any) => tool.name === 'execute_python')).toMatchObject({ category: 'code' });
  });

  it('runs the model’s code and streams and stores the result', async () => {
    t.sim.script(
      { kind: 'stream', toolCalls: [{ name: 'execute_python', arguments: JSON.stringify({ code: 'print(sum(range(10)))' }) }] },
      { kind: 'stream', content: 'done' },
    );
    const conversation = await createConversation(t, { model: 'text' });
    const events = await readSse(await sendMessage(t.url, conversation.id, { text: 'Add 0..9 in Python' }));
    const steps = stepsFromEvents(events);
    const result = steps.find((s) => s.type === 'tool_result');
    expect(result).toMatchObject({ name: 'execute_python', success: true });
    expect(result.content).toContain('45');
    expect(JSON.parse(result.content)).toMatchObject({ success: true, stdout: '45\n' });
    const messages = (await t.api('GET', `/api/conversations/${conversation.id}/messages`)).body.data.items;
    const answer = messages.at(-1);
    expect(answer).toMatchObject({ role: 'assistant', status: 'complete', text: 'done' });
    expect(answer.process_steps.find((s: any) => s.type === 'tool_result').content).toContain('45');
  }, 60_000);
});
