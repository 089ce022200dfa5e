import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation, readSse, sendMessage, startTestServer, stepsFromEvents, type TestServer } from './helpers.js';
import { FINAL_ROUND_NOTE } from '../src/agent/runAgent.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ max_iterations: 3, modelOverrides: { echo: { context_window: 1200, max_tokens: 200 } } });
});
afterAll(async () => {
  await t?.close();
});

const lastRequest = () => t.sim.requests().at(-1)!.body as any;

describe('what the model is sent', () => {
  it('replays earlier turns including their tool calls and results', async () => {
    const conversation = await createConversation(t, { model: 'tool-call', system_prompt: 'You are terse.' });
    await readSse(await sendMessage(t.url, conversation.id, { text: 'What is 3*3?' }));
    await readSse(await sendMessage(t.url, conversation.id, { text: 'And 4*4?' }));
    const request = t.sim.requests().find((r: any) => (r.body as any).messages.at(-1).content === 'And 4*4?')!.body as any;
    expect(request.messages.map((m: any) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'user']);
    expect(request.messages[0]).toEqual({ role: 'system', content: 'You are terse.' });
    expect(request.messages[2].tool_calls[0].function).toEqual({ name: 'calculator', arguments: JSON.stringify({ expression: '3*3' }) });
    expect(JSON.parse(request.messages[3].content).result).toBe(9);
    expect(request.messages[4].content).toContain('9');
  });

  it('passes the conversation settings and attachments', async () => {
    const conversation = await createConversation(t, { model: 'echo', temperature: 0.3, max_tokens: 150 });
    await readSse(await sendMessage(t.url, conversation.id, { text: 'see file', attachments: [{ name: 'a.py', extension: 'py', content: 'print(1)' }] }));
    const request = lastRequest();
    expect(request).toMatchObject({ model: 'echo', stream: true, temperature: 0.3, max_tokens: 150, stream_options: { include_usage: true } });
    expect(request.messages.at(-1).content).toContain('see file');
    expect(request.messages.at(-1).content).toContain('```py\nprint(1)\n```');
    expect(request.tools.map((tool: any) => tool.function.name)).toEqual(expect.arrayContaining(['calculator', 'get_current_time']));
  });

  it('trims the oldest turns to the context budget but keeps the system prompt and the latest question', async () => {
    const conversation = await createConversation(t, { model: 'echo', system_prompt: 'SYSTEM', max_tokens: 200 });
    for (let i = 0; i < 6; i++) await readSse(await sendMessage(t.url, conversation.id, { text: `turn ${i} ${'x'.repeat(800)}` }));
    const request = lastRequest();
    expect(request.messages[0]).toEqual({ role: 'system', content: 'SYSTEM' });
    expect(request.messages.at(-1).content).toContain('turn 5');
    const users = request.messages.filter((m: any) => m.role === 'user');
    expect(users.length).toBeLessThan(6);
    expect(users.some((m: any) => m.content.includes('turn 0'))).toBe(false);
    // Never starts the kept history on an orphaned tool message or an assistant reply.
    expect(request.messages[1].role).toBe('user');
  });

  it('asks for an answer without tools on the last allowed round', async () => {
    const conversation = await createConversation(t, { model: 'tool-loop' });
    const events = await readSse(await sendMessage(t.url, conversation.id, { text: 'loop forever' }));
    const requests = t.sim.requests().slice(-3).map((r) => r.body as any);
    expect(requests.map((r) => r.tool_choice)).toEqual(['auto', 'auto', 'none']);
    expect(requests[2].messages.at(-1)).toEqual({ role: 'system', content: FINAL_ROUND_NOTE });
    expect(events.at(-1)!.event).toBe('done');
    const steps = stepsFromEvents(events);
    expect(steps.filter((s) => s.type === 'tool_call')).toHaveLength(2);
    // The same calculation in the next round comes from the run's cache.
    expect(steps.filter((s) => s.type === 'tool_result').map((s) => s.skipped)).toEqual([false, true]);
    expect(steps.at(-1)).toMatchObject({ type: 'text', content: 'Final answer without tools.' });
  });
});
