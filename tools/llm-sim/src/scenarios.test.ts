import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleChatStream, readChatStream } from './chatStreamReader.js';
import { startSimulator, type Simulator } from './simulator.js';
import type { ChatMessage } from './types.js';

let sim: Simulator;
/** Demo tests run without the demo's default pacing. */
let fastSim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
  fastSim = await startSimulator({ tokenDelayMs: 0 });
});
afterAll(async () => {
  await sim.close();
  await fastSim.close();
});

const calculatorTool = { type: 'function', function: { name: 'calculator', parameters: { type: 'object' } } };
const timeTool = { type: 'function', function: { name: 'get_current_time', parameters: { type: 'object' } } };

function post(target: Simulator, body: Record<string, unknown>): Promise<Response> {
  return fetch(target.chatUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ stream: true, ...body }),
  });
}

async function ask(body: Record<string, unknown>, target = sim) {
  const response = await post(target, body);
  expect(response.status).toBe(200);
  return assembleChatStream((await readChatStream(response)).chunks);
}

/** The conversation after the model's tool calls were answered. */
function withToolResults(question: string, calls: Array<{ id: string; name: string; arguments: string }>, results: string[]): ChatMessage[] {
  return [
    { role: 'user', content: question },
    { role: 'assistant', content: null, tool_calls: calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })) },
    ...calls.map((call, i) => ({ role: 'tool', tool_call_id: call.id, content: results[i] ?? '' })),
  ];
}

describe('multi-round tool scenarios', () => {
  it('tool-call answers in text quoting the tool result once the round is over', async () => {
    const question = [{ role: 'user', content: 'what is 17*23?' }];
    const first = await ask({ model: 'tool-call', tools: [calculatorTool], messages: question });
    const result = '{"success":true,"result":391}';
    const second = await ask({ model: 'tool-call', tools: [calculatorTool], messages: withToolResults('what is 17*23?', first.toolCalls, [result]) });
    expect(second.toolCalls).toEqual([]);
    expect(second.finishReason).toBe('stop');
    expect(second.content).toContain(result);
    expect(second.content).toContain('calculator');
  });

  it('parallel-tools quotes every result after the round', async () => {
    const first = await ask({ model: 'parallel-tools', tools: [calculatorTool, timeTool], messages: [{ role: 'user', content: 'go' }] });
    const results = ['{"result":5}', '{"result":42}', '{"result":"2025-01-01T00:00:00Z"}'];
    const second = await ask({ model: 'parallel-tools', tools: [calculatorTool, timeTool], messages: withToolResults('go', first.toolCalls, results) });
    for (const result of results) expect(second.content).toContain(result);
  });

  it('tool scenarios answer in text when no tools are offered', async () => {
    const answer = await ask({ model: 'tool-call', messages: [{ role: 'user', content: 'what is 2+2' }] });
    expect(answer.toolCalls).toEqual([]);
    expect(answer.content.length).toBeGreaterThan(0);
  });

  it('tool-loop keeps calling the calculator, even after tool results', async () => {
    const first = await ask({ model: 'tool-loop', tools: [calculatorTool], messages: [{ role: 'user', content: 'hi' }] });
    expect(first.toolCalls[0]).toMatchObject({ name: 'calculator', arguments: '{"expression":"1+1"}' });
    const again = await ask({ model: 'tool-loop', tools: [calculatorTool], messages: withToolResults('hi', first.toolCalls, ['2']) });
    expect(again.toolCalls).toHaveLength(1);
  });

  it('tool-loop answers in text without tools or with tool_choice none', async () => {
    for (const extra of [{}, { tools: [calculatorTool], tool_choice: 'none' }]) {
      const answer = await ask({ model: 'tool-loop', messages: [{ role: 'user', content: 'hi' }], ...extra });
      expect(answer.toolCalls).toEqual([]);
      expect(answer.content).toBe('Final answer without tools.');
    }
  });
});

describe('echo', () => {
  it('summarises what the request carried', async () => {
    const answer = await ask({
      model: 'echo',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: [{ type: 'text', text: 'hello ' }, { type: 'text', text: 'there' }] },
      ],
      tools: [calculatorTool, timeTool],
      tool_choice: 'auto',
      temperature: 0.3,
      max_tokens: 8192,
      thinking: { type: 'enabled' },
    });
    expect(JSON.parse(answer.content)).toMatchObject({
      messages: 2,
      roles: ['system', 'user'],
      tools: ['calculator', 'get_current_time'],
      tool_choice: 'auto',
      temperature: 0.3,
      max_tokens: 8192,
      thinking: { type: 'enabled' },
      last_user: 'hello there',
    });
  });
});

describe('upstream failures', () => {
  it('rate-limit answers 429 with Retry-After once per conversation, then succeeds', async () => {
    const messages = [{ role: 'user', content: `rate ${Math.random()}` }];
    const limited = await post(sim, { model: 'rate-limit', messages });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('0');
    expect(limited.headers.get('retry-after-ms')).toBe('10');
    expect(((await limited.json()) as { error: { type: string } }).error.type).toBe('requests');
    const retried = await post(sim, { model: 'rate-limit', messages });
    expect(retried.status).toBe(200);
    expect(assembleChatStream((await readChatStream(retried)).chunks).content.length).toBeGreaterThan(0);
  });

  it('rate-limit:K fails K times per conversation, counted separately for each', async () => {
    const first = [{ role: 'user', content: `a ${Math.random()}` }];
    const second = [{ role: 'user', content: `b ${Math.random()}` }];
    const statuses: number[] = [];
    for (const messages of [first, second, first, second, first]) {
      const response = await post(sim, { model: 'rate-limit:2', messages });
      statuses.push(response.status);
      await response.body?.cancel();
    }
    expect(statuses).toEqual([429, 429, 429, 429, 200]);
  });

  it.each([
    ['error-500', 500],
    ['error-503', 503],
  ])('%s always answers %i with an OpenAI error body', async (model, status) => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await post(sim, { model, messages: [{ role: 'user', content: 'x' }] });
      expect(response.status).toBe(status);
      const body = (await response.json()) as { error: { message: string; type: string } };
      expect(body.error).toMatchObject({ type: 'server_error', message: expect.any(String) });
    }
  });
});

describe('demo', () => {
  const user = (content: string) => [{ role: 'user', content }];

  it('thinks, then calls the calculator for arithmetic and presents the result in Markdown', async () => {
    const tools = [calculatorTool, timeTool];
    const first = await ask({ model: 'demo', tools, messages: user('what is 17*23?') }, fastSim);
    expect(first.reasoning).toMatch(/^The user asked "what is 17\*23\?"; I'll /);
    expect(first.toolCalls).toHaveLength(1);
    expect(first.toolCalls[0]).toMatchObject({ name: 'calculator', arguments: '{"expression":"17*23"}' });
    const messages = withToolResults('what is 17*23?', first.toolCalls, ['{"success":true,"result":391}']);
    const second = await ask({ model: 'demo', tools, messages }, fastSim);
    expect(second.toolCalls).toEqual([]);
    expect(second.content).toContain('**17*23 = 391**');
  });

  it('calls get_current_time for time questions, in English or Chinese', async () => {
    for (const question of ['What time is it?', '现在几点了？']) {
      const first = await ask({ model: 'demo', tools: [calculatorTool, timeTool], messages: user(question) }, fastSim);
      expect(first.toolCalls[0]).toMatchObject({ name: 'get_current_time', arguments: '{}' });
      const messages = withToolResults(question, first.toolCalls, ['{"success":true,"result":"2025-06-01 12:00 UTC"}']);
      const second = await ask({ model: 'demo', tools: [timeTool], messages }, fastSim);
      expect(second.content).toContain('2025-06-01 12:00 UTC');
    }
  });

  it('tells the time as a sentence, not the raw JSON of the tool', async () => {
    const question = 'What time is it?';
    const first = await ask({ model: 'demo', tools: [timeTool], messages: user(question) }, fastSim);
    const result = { timezone: 'Asia/Shanghai', iso: '2025-06-01T20:00:00+08:00', local: 'Sunday, June 1, 2025 at 8:00:00 PM GMT+8', unix: 1748779200, weekday: 'Sunday' };
    const messages = withToolResults(question, first.toolCalls, [JSON.stringify({ success: true, result })]);
    const second = await ask({ model: 'demo', tools: [timeTool], messages }, fastSim);
    expect(second.content).toMatch(/^It's currently \*\*Sunday, June 1, 2025 at 8:00:00 PM GMT\+8 \(Asia\/Shanghai\)\*\*\./);
    expect(second.content).not.toContain('{');
  });

  it('explains itself with a list and a code block when no tool fits', async () => {
    const answer = await ask({ model: 'demo', tools: [calculatorTool], messages: user('hello!') }, fastSim);
    expect(answer.toolCalls).toEqual([]);
    expect(answer.reasoning).toContain('The user asked "hello!"');
    expect(answer.content).toContain('offline demo model');
    expect(answer.content).toContain('`models:`');
    expect(answer.content).toContain('OPENAI_API_KEY');
    expect(answer.content).toContain('OPENAI_BASE_URL');
    expect(answer.content).toContain('17*23');
    expect(answer.content).toMatch(/^- /m);
    expect(answer.content).toContain('```yaml');
  });

  it('does not call a tool the request does not offer', async () => {
    const answer = await ask({ model: 'demo', tools: [timeTool], messages: user('what is 17*23?') }, fastSim);
    expect(answer.toolCalls).toEqual([]);
    expect(answer.content).toContain('offline demo model');
  });

  it('is the fallback for unknown model names', async () => {
    const answer = await ask({ model: 'gpt-4o-mini', tools: [calculatorTool], messages: user('2+2?') }, fastSim);
    expect(answer.toolCalls[0]?.name).toBe('calculator');
  });

  it('paces its pieces 25 ms apart by default', async () => {
    const started = Date.now();
    const answer = await ask({ model: 'demo', tools: [timeTool], messages: user('time?') });
    const pieces = answer.reasoning.split(/\s+/).length;
    expect(Date.now() - started).toBeGreaterThanOrEqual((pieces - 1) * 25 * 0.9);
  });
});
