import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation, readSse, sendMessage, startTestServer, stepsFromEvents, type TestServer } from './helpers.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ tool_max_workers: 2 });
});
afterAll(async () => {
  await t?.close();
});

async function run(model: string, text: string, options: { query?: string; body?: object } = {}) {
  const conversation = await createConversation(t, { model });
  const res = await sendMessage(t.url, conversation.id, { text, ...(options.body ?? {}) }, { query: options.query });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const events = await readSse(res);
  const messages = (await t.api('GET', `/api/conversations/${conversation.id}/messages`)).body.data.items;
  return { conversation, events, messages };
}

describe('the agent run', () => {
  it('streams a plain answer as text deltas and stores it', async () => {
    const { events, messages, conversation } = await run('text', 'Hello there');
    const done = events.at(-1)!;
    expect(done.event).toBe('done');
    const steps = stepsFromEvents(events);
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ id: 'step-0', index: 0, type: 'text' });
    expect(steps[0].content.length).toBeGreaterThan(20);
    expect(messages.map((m: any) => m.role)).toEqual(['user', 'assistant']);
    const answer = messages[1];
    expect(answer).toMatchObject({ status: 'complete', text: steps[0].content, parent_id: messages[0].id, conversation_id: conversation.id });
    expect(answer.process_steps).toEqual([{ id: 'step-0', index: 0, type: 'text', content: steps[0].content }]);
    expect(done.data).toMatchObject({ message_id: answer.id, suggested_title: 'Hello there', status: 'complete' });
    expect(done.data.token_count).toBeGreaterThan(0);
    expect(answer.token_count).toBe(done.data.token_count);
  });

  it('sends the model its request before storing the new rows: the store does not hold the request back', async () => {
    const conversation = await createConversation(t, { model: 'text' });
    // A kept-alive connection to the model, as in steady use: the request is written at once, not after a connect.
    expect((await readSse(await sendMessage(t.url, conversation.id, { text: 'First' }))).at(-1)!.event).toBe('done');
    const answers = t.server.ctx.repos.answers;
    const start = answers.start;
    const requestsWhenStoring: number[] = [];
    answers.start = (answer) => {
      requestsWhenStoring.push(t.sim.requests().length);
      return start(answer);
    };
    try {
      const before = t.sim.requests().length;
      expect((await readSse(await sendMessage(t.url, conversation.id, { text: 'Second' }))).at(-1)!.event).toBe('done');
      expect(requestsWhenStoring).toEqual([before + 1]);
    } finally {
      answers.start = start;
    }
  });

  it('gives every event an SSE id made of the run id and an increasing sequence', async () => {
    const { events } = await run('reasoning', 'Think first');
    const ids = events.map((e) => e.id!);
    const runId = ids[0]!.split(':')[0];
    expect(ids.every((id) => id.startsWith(`${runId}:`))).toBe(true);
    expect(ids.map((id) => Number(id.split(':')[1]))).toEqual(events.map((_, i) => i + 1));
  });

  it('sends thinking before text, each as one step with its own index', async () => {
    // Paced pieces, so each arrives in its own read and becomes its own event.
    t.sim.script({ kind: 'stream', reasoning: ['Light ', 'scatters ', 'more ', 'at blue.'], content: ['Rayleigh ', 'scattering.'], chunkDelayMs: 5 });
    const { events, messages } = await run('reasoning', 'Why is the sky blue?');
    const steps = stepsFromEvents(events);
    expect(steps.map((s) => s.type)).toEqual(['thinking', 'text']);
    expect(steps.map((s) => s.index)).toEqual([0, 1]);
    expect(messages[1].process_steps).toEqual(steps);
    const deltas = events.filter((e) => e.event === 'process_step');
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.every((e) => typeof e.data.delta === 'string' && !('content' in e.data))).toBe(true);
  });

  it('runs a tool call end to end: call step, result step, then the answer using it', async () => {
    const { events, messages } = await run('tool-call', 'What is 17*23?');
    const steps = stepsFromEvents(events);
    expect(steps.map((s) => s.type)).toEqual(['thinking', 'tool_call', 'tool_result', 'text']);
    expect(steps.map((s) => s.index)).toEqual([0, 1, 2, 3]);
    const [, call, result, text] = steps;
    expect(call).toMatchObject({ name: 'calculator', arguments: JSON.stringify({ expression: '17*23' }) });
    expect(result).toMatchObject({ name: 'calculator', id_ref: call.id_ref, skipped: false, success: true });
    expect(JSON.parse(result.content).result).toBe(391);
    expect(text.content).toContain('391');
    const answer = messages[1];
    expect(answer.process_steps).toEqual(steps);
    expect(answer.tool_calls).toEqual([
      expect.objectContaining({ id: call.id_ref, type: 'function', function: { name: 'calculator', arguments: call.arguments }, result: result.content, success: true, skipped: false }),
    ]);
    // The second request replayed the assistant tool_calls message and one tool message per call.
    const second = t.sim.requests().at(-1)!.body as any;
    const tail = second.messages.slice(-2);
    expect(tail[0]).toMatchObject({ role: 'assistant', tool_calls: [{ id: call.id_ref, type: 'function', function: { name: 'calculator' } }] });
    expect(tail[1]).toMatchObject({ role: 'tool', tool_call_id: call.id_ref, content: result.content });
  });

  it('runs parallel calls and reports results in call order', async () => {
    const { events } = await run('parallel-tools', 'Do several things');
    const steps = stepsFromEvents(events);
    const calls = steps.filter((s) => s.type === 'tool_call');
    const results = steps.filter((s) => s.type === 'tool_result');
    expect(calls).toHaveLength(3);
    expect(results.map((r) => r.id_ref)).toEqual(calls.map((c) => c.id_ref));
    // All calls come before all results in one round.
    expect(Math.max(...calls.map((c) => c.index))).toBeLessThan(Math.min(...results.map((r) => r.index)));
    expect(results.every((r) => r.success)).toBe(true);
  });

  it('merges arguments streamed in many fragments', async () => {
    const { events } = await run('split-args', 'Compute 12*12 please');
    const call = stepsFromEvents(events).find((s) => s.type === 'tool_call');
    expect(JSON.parse(call.arguments)).toEqual({ expression: '12*12' });
    expect(stepsFromEvents(events).find((s) => s.type === 'tool_result').content).toContain('144');
  });

  it('sends full content snapshots with ?protocol=v1 and with X-Stream-Protocol: v1', async () => {
    const conversation = await createConversation(t, { model: 'reasoning' });
    for (const init of [{ query: '?protocol=v1' }, { headers: { 'x-stream-protocol': 'v1' } }]) {
      t.sim.script({ kind: 'stream', reasoning: ['One ', 'two ', 'three.'], content: ['Four ', 'five.'], chunkDelayMs: 5 });
      const events = await readSse(await sendMessage(t.url, conversation.id, { text: 'snapshots' }, init));
      const thinking = events.filter((e) => e.event === 'process_step' && e.data.type === 'thinking');
      expect(thinking.length).toBeGreaterThan(1);
      for (let i = 1; i < thinking.length; i++) {
        expect(thinking[i]!.data.content.startsWith(thinking[i - 1]!.data.content)).toBe(true);
        expect(thinking[i]!.data).not.toHaveProperty('delta');
      }
      const lastText = events.filter((e) => e.event === 'process_step' && e.data.type === 'text').at(-1)!;
      const messages = (await t.api('GET', `/api/conversations/${conversation.id}/messages`)).body.data.items;
      expect(lastText.data.content).toBe(messages.at(-1).text);
    }
  });

  it('writes each event in one piece (id, event and data together)', async () => {
    const conversation = await createConversation(t, { model: 'text' });
    const res = await sendMessage(t.url, conversation.id, { text: 'chunks' }, { query: '?protocol=v1' });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let sawEvent = false;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const text = decoder.decode(value, { stream: true });
      // Every read holds whole events: it starts at an event boundary and ends with a blank line.
      for (const block of text.split('\n\n').filter(Boolean)) {
        if (block.startsWith(':')) continue;
        expect(block).toMatch(/^id: .+\nevent: (process_step|done|error)\ndata: .+$/);
        sawEvent = true;
      }
      expect(text.endsWith('\n\n')).toBe(true);
    }
    expect(sawEvent).toBe(true);
  });

  it('sums usage over rounds into the message and the token statistics', async () => {
    const before = (await t.api('GET', '/api/stats/tokens?period=daily')).body.data.total;
    const { events, messages } = await run('tool-call', 'What is 2+3?');
    const done = events.at(-1)!.data;
    const usageRequests = t.sim.requests().slice(-2);
    expect(usageRequests).toHaveLength(2);
    expect(done.usage.prompt_tokens).toBeGreaterThan(0);
    expect(done.usage.completion_tokens).toBe(done.token_count);
    expect(messages[1].token_count).toBe(done.token_count);
    const after = (await t.api('GET', '/api/stats/tokens?period=daily')).body.data.total;
    expect(after.prompt_tokens - before.prompt_tokens).toBe(done.usage.prompt_tokens);
    expect(after.completion_tokens - before.completion_tokens).toBe(done.usage.completion_tokens);
  });

  it('turns a tool that fails into an error result and carries on', async () => {
    const { events, messages } = await run('tool-call', 'What is 1/0?');
    const steps = stepsFromEvents(events);
    const result = steps.find((s) => s.type === 'tool_result');
    expect(result.success).toBe(false);
    expect(JSON.parse(result.content)).toEqual({ success: false, error: expect.any(String) });
    expect(steps.at(-1).type).toBe('text');
    expect(messages[1].status).toBe('complete');
  });

  it('sends no tools when tools_enabled is false', async () => {
    const { events } = await run('echo', 'no tools please', { body: { tools_enabled: false } });
    const text = stepsFromEvents(events).map((s) => s.content).join('');
    expect(JSON.parse(text.slice(text.indexOf('{')))).toMatchObject({ tools: [] });
  });
});

describe('upstream failures', () => {
  const cases: Array<[string, string]> = [
    ['error-500', 'LLM service unavailable (500)'],
    ['error-503', 'LLM service unavailable (503)'],
    ['rate-limit:9', 'Rate limit exceeded, please try again later'],
    ['hang', 'LLM request timed out'],
  ];
  for (const [model, sentence] of cases) {
    it(`ends the run with "${sentence}" (${model}) and stores the message as error`, async () => {
      const { events, messages } = await run(model, 'hello');
      const last = events.at(-1)!;
      expect(last.event).toBe('error');
      expect(last.data.content).toBe(sentence);
      expect(messages[1]).toMatchObject({ role: 'assistant', status: 'error', error: sentence });
      expect(last.data.message_id).toBe(messages[1].id);
    });
  }

  it('retries a 429 and then answers, saying so with a retry event before the answer', async () => {
    const before = t.sim.requests().length;
    const { events, messages } = await run('rate-limit', 'retry me');
    expect(events.at(-1)!.event).toBe('done');
    expect(t.sim.requests().length - before).toBe(2);
    expect(messages[1].status).toBe('complete');
    expect(events[0]).toMatchObject({ event: 'retry', data: { attempt: 2, max_attempts: 3, delay_ms: expect.any(Number), reason: 'Rate limit exceeded, please try again later' } });
    expect(events.slice(1).every((e) => e.event !== 'retry')).toBe(true);
  });

  it('says every retry of a failing provider, then the error; protocol v1 clients get neither retry event', async () => {
    const conversation = await createConversation(t, { model: 'error-503' });
    const events = await readSse(await sendMessage(t.url, conversation.id, { text: 'are you there?' }));
    expect(events.map((e) => e.event)).toEqual(['retry', 'retry', 'error']);
    expect(events.slice(0, 2).map((e) => [e.data.attempt, e.data.max_attempts, e.data.reason])).toEqual([
      [2, 3, 'LLM service unavailable (503)'],
      [3, 3, 'LLM service unavailable (503)'],
    ]);
    const again = await createConversation(t, { model: 'error-503' });
    const v1 = await readSse(await sendMessage(t.url, again.id, { text: 'are you there?' }, { query: '?protocol=v1' }));
    expect(v1.map((e) => e.event)).toEqual(['error']);
  });

  it('says it cannot connect when the provider is not there', async () => {
    const other = await startTestServer({ modelOverrides: { text: { api_url: 'http://127.0.0.1:1/v1/chat/completions' } } });
    try {
      const conversation = await createConversation(other, { model: 'text' });
      const events = await readSse(await sendMessage(other.url, conversation.id, { text: 'hi' }));
      expect(events.at(-1)).toMatchObject({ event: 'error', data: { content: 'Unable to connect to LLM service' } });
    } finally {
      await other.close();
    }
  });

  it('keeps what streamed before the connection broke', async () => {
    const { events, messages } = await run('disconnect', 'hello');
    expect(events.at(-1)!.event).toBe('error');
    const streamed = stepsFromEvents(events).map((s) => s.content).join('');
    expect(streamed.length).toBeGreaterThan(0);
    expect(messages[1].status).toBe('error');
    expect(messages[1].text).toBe(streamed);
  });
});
