import { afterAll, beforeAll, afterEach, describe, expect, it } from 'vitest';
import { createConversation, readSse, sendMessage, startTestServer, stepsFromEvents, type TestServer } from './helpers.js';

let t: TestServer;
beforeAll(async () => {
  // One sub-agent at a time, so the scripted answers reach them in a known order.
  t = await startTestServer({ multi_agent: { max_agents: 3, concurrency: 1, max_iterations: 3, timeout_ms: 10_000 } });
});
afterAll(async () => {
  await t?.close();
});
afterEach(() => {
  t.sim.clearScript();
});

const call = (name: string, args: object) => ({ kind: 'stream' as const, toolCalls: [{ name, arguments: JSON.stringify(args) }] });
const say = (content: string) => ({ kind: 'stream' as const, content });

describe('multi_agent', () => {
  it('runs sub-agents with their own tool loops, streams their steps nested under the call and returns their answers', async () => {
    t.sim.script(
      call('multi_agent', { tasks: [{ task: 'Compute 2+2 with the calculator.', name: 'math', tools: ['calculator'] }, { task: 'Say hi.', name: 'greeter' }] }),
      call('calculator', { expression: '2+2' }),
      say('Four.'),
      say('Hi!'),
      say('Both done.'),
    );
    const before = t.sim.requests().length;
    const conversation = await createConversation(t, { model: 'text' });
    const events = await readSse(await sendMessage(t.url, conversation.id, { text: 'Split this up' }));
    expect(events.at(-1)!.event).toBe('done');
    const steps = stepsFromEvents(events);
    const parent = steps.find((s) => s.type === 'tool_call' && s.name === 'multi_agent');
    const nested = steps.filter((s) => s.parent_id === parent.id);
    expect(nested.map((s) => [s.agent, s.type, s.name ?? s.content])).toEqual([
      ['math', 'tool_call', 'calculator'],
      ['math', 'tool_result', 'calculator'],
      ['math', 'text', 'Four.'],
      ['greeter', 'text', 'Hi!'],
    ]);
    const result = steps.find((s) => s.type === 'tool_result' && s.id_ref === parent.id_ref);
    expect(result.success).toBe(true);
    expect(JSON.parse(result.content)).toEqual([
      { name: 'math', task: 'Compute 2+2 with the calculator.', status: 'complete', answer: 'Four.' },
      { name: 'greeter', task: 'Say hi.', status: 'complete', answer: 'Hi!' },
    ]);
    expect(steps.at(-1)).toMatchObject({ type: 'text', content: 'Both done.' });
    expect(steps.filter((s) => !s.parent_id).map((s) => s.type)).toEqual(['tool_call', 'tool_result', 'text']);

    // What each sub-agent was offered: never multi_agent; the math one only its chosen tool.
    const requests = t.sim.requests().slice(before).map((r) => r.body as any);
    const toolNames = (r: any) => (r.tools ?? []).map((tool: any) => tool.function.name);
    expect(toolNames(requests[1])).toEqual(['calculator']);
    expect(toolNames(requests[3])).not.toContain('multi_agent');
    expect(toolNames(requests[3]).length).toBeGreaterThan(1);
    expect(requests[3].messages.at(-1)).toEqual({ role: 'user', content: 'Say hi.' });
    // The parent's second round sees one tool message with every answer, not the sub-agents' steps.
    expect(requests[4].messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: parent.id_ref });

    const stored = (await t.api('GET', `/api/conversations/${conversation.id}/messages`)).body.data.items[1];
    expect(stored.process_steps).toEqual(steps);
    expect(stored.text).toBe('Both done.');
  });

  it('refuses a sub-agent that tries to start sub-agents', async () => {
    t.sim.script(
      call('multi_agent', { tasks: [{ task: 'Delegate further.', name: 'nested' }] }),
      call('multi_agent', { tasks: [{ task: 'deeper' }] }),
      say('I could not delegate.'),
      say('Done.'),
    );
    const conversation = await createConversation(t, { model: 'text' });
    const steps = stepsFromEvents(await readSse(await sendMessage(t.url, conversation.id, { text: 'go' })));
    const inner = steps.find((s) => s.type === 'tool_result' && s.agent === 'nested');
    expect(inner.success).toBe(false);
    expect(JSON.parse(inner.content).error).toContain('Sub-agents cannot start other sub-agents');
    expect(steps.at(-1)).toMatchObject({ content: 'Done.' });
  });

  it('refuses more tasks than allowed, naming the limit', async () => {
    t.sim.script(call('multi_agent', { tasks: [{ task: 'a' }, { task: 'b' }, { task: 'c' }, { task: 'd' }] }), say('ok'));
    const conversation = await createConversation(t, { model: 'text' });
    const steps = stepsFromEvents(await readSse(await sendMessage(t.url, conversation.id, { text: 'too many' })));
    const result = steps.find((s) => s.type === 'tool_result');
    expect(result.success).toBe(false);
    expect(JSON.parse(result.content).error).toMatch(/tasks/);
  });
});
