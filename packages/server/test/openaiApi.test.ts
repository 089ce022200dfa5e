import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startMultiUserServer } from './authHelpers.js';
import { startTestServer, waitFor, withinOneMinute, type TestServer } from './helpers.js';

/** The official `openai` SDK, as other tools use it, against NanoClaw's `/v1` with an API key. */
function client(t: TestServer, apiKey: string): OpenAI {
  return new OpenAI({ baseURL: `${t.url}/v1`, apiKey, maxRetries: 0 });
}

async function createKey(t: TestServer, name = 'test', headers: Record<string, string> = {}): Promise<{ id: string; key: string }> {
  const res = await t.api('POST', '/api/api-keys', { name }, headers);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

async function totalTokens(t: TestServer, headers: Record<string, string> = {}): Promise<number> {
  return (await t.api('GET', '/api/stats/tokens?period=daily', undefined, headers)).body.data.total.total_tokens;
}

const CALCULATOR = {
  type: 'function' as const,
  function: { name: 'calculator', description: 'Evaluates arithmetic.', parameters: { type: 'object', properties: { expression: { type: 'string' } }, required: ['expression'] } },
};

describe('OpenAI-compatible API with the official SDK', () => {
  let t: TestServer;
  let openai: OpenAI;
  beforeAll(async () => {
    t = await startTestServer();
    openai = client(t, (await createKey(t)).key);
  });
  afterAll(() => t.close());

  it('lists the configured models and their agent variants', async () => {
    const ids = [];
    for await (const model of openai.models.list()) ids.push(model.id);
    expect(ids).toContain('text');
    expect(ids).toContain('agent/text');
  });

  it('answers without streaming, with usage, counted in the token statistics', async () => {
    const before = await totalTokens(t);
    const completion = await openai.chat.completions.create({ model: 'text', messages: [{ role: 'user', content: 'Hello there' }] });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('text');
    expect(completion.choices[0]!.message.role).toBe('assistant');
    expect(completion.choices[0]!.message.content!.length).toBeGreaterThan(0);
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage!.total_tokens).toBeGreaterThan(0);
    expect(await totalTokens(t)).toBe(before + completion.usage!.total_tokens);
  });

  it('streams text and, when asked, a usage chunk', async () => {
    const stream = await openai.chat.completions.create({
      model: 'text',
      messages: [{ role: 'user', content: 'Tell me something' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    let finish: string | null = null;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (choice?.delta.content) text += choice.delta.content;
      if (choice?.finish_reason) finish = choice.finish_reason;
    }
    expect(chunks).toBeGreaterThan(3);
    expect(text.length).toBeGreaterThan(0);
    expect(finish).toBe('stop');
    expect(usage!.prompt_tokens).toBeGreaterThan(0);
  });

  it('streams reasoning as reasoning_content', async () => {
    const stream = await openai.chat.completions.create({ model: 'reasoning', messages: [{ role: 'user', content: 'Think first' }], stream: true });
    let reasoning = '';
    let text = '';
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined;
      reasoning += delta?.reasoning_content ?? '';
      text += delta?.content ?? '';
    }
    expect(reasoning.length).toBeGreaterThan(0);
    expect(text.length).toBeGreaterThan(0);
  });

  it('relays the caller\'s tools: the model asks for a call, the caller runs it and sends the result back', async () => {
    const question = { role: 'user' as const, content: 'What is 6*7?' };
    const first = await openai.chat.completions.create({ model: 'tool-call', messages: [question], tools: [CALCULATOR] });
    const call = first.choices[0]!.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    expect(call.function.name).toBe('calculator');
    expect(JSON.parse(call.function.arguments)).toEqual({ expression: '6*7' });

    // Streaming: the SDK's own helper assembles the tool call from the deltas.
    const runner = openai.chat.completions.stream({ model: 'split-args', messages: [question], tools: [CALCULATOR] });
    const streamed = await runner.finalChatCompletion();
    const streamedCall = streamed.choices[0]!.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(streamedCall.function.name).toBe('calculator');
    expect(JSON.parse(streamedCall.function.arguments)).toEqual({ expression: '6*7' });
    expect(streamed.choices[0]!.finish_reason).toBe('tool_calls');

    const second = await openai.chat.completions.create({
      model: 'tool-call',
      tools: [CALCULATOR],
      messages: [question, first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: '42' }],
    });
    expect(second.choices[0]!.message.content).toContain('returned: 42');
  });

  it('runs the agent with server-side tools, streams steps as reasoning and stores the conversation', async () => {
    const before = (await t.api('GET', '/api/conversations')).body.data.items.length;
    const stream = await openai.chat.completions.create({
      model: 'agent/tool-call',
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'What is 6*7?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let reasoning = '';
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined;
      reasoning += delta?.reasoning_content ?? '';
      text += delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(reasoning).toContain('calculator');
    expect(reasoning).toContain('42');
    expect(text).toContain('returned:');
    expect(usage!.completion_tokens).toBeGreaterThan(0);

    const conversations = (await t.api('GET', '/api/conversations')).body.data.items;
    expect(conversations.length).toBe(before + 1);
    const stored = conversations[0];
    expect(stored.system_prompt).toBe('Be brief.');
    const messages = await waitFor(async () => {
      const items = (await t.api('GET', `/api/conversations/${stored.id}/messages`)).body.data.items;
      return items.at(-1)?.status === 'complete' ? items : undefined;
    });
    expect(messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant']);
    expect(messages[1].text).toBe(text);
    expect(messages[1].tool_calls[0].function.name).toBe('calculator');
  });

  it('runs the agent without streaming with "nanoclaw": {"agent": true}', async () => {
    const completion = await openai.chat.completions.create({
      model: 'text',
      messages: [{ role: 'user', content: 'Hi' }],
      // @ts-expect-error NanoClaw's own option, beside OpenAI's
      nanoclaw: { agent: true },
    });
    expect(completion.choices[0]!.message.content!.length).toBeGreaterThan(0);
    expect(completion.usage!.total_tokens).toBeGreaterThan(0);
  });

  it('an agent stream whose client goes away still finishes and is stored', async () => {
    const controller = new AbortController();
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${openai.apiKey}` },
      body: JSON.stringify({ model: 'agent/slow:50', messages: [{ role: 'user', content: 'Count slowly' }], stream: true }),
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    const conversationId = res.headers.get('x-nanoclaw-conversation-id')!;
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    const messages = await waitFor(async () => {
      const items = (await t.api('GET', `/api/conversations/${conversationId}/messages`)).body.data.items;
      return items.at(-1)?.status === 'complete' ? items : undefined;
    }, 15_000);
    expect(messages[1].text.length).toBeGreaterThan(0);
  });

  it('answers OpenAI errors the SDK understands: bad key 401, unknown model 404, bad body 400 naming the field', async () => {
    await expect(client(t, 'nck_wrong').models.list()).rejects.toMatchObject({ status: 401, type: 'authentication_error' });
    const missing = await fetch(`${t.url}/v1/models`);
    expect(missing.status).toBe(401);
    expect((await missing.json()).error.message).toMatch(/API key/);
    await expect(openai.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
      param: 'model',
    });
    await expect(
      openai.chat.completions.create({ model: 'text', messages: [{ role: 'robot', content: 'x' }] as never }),
    ).rejects.toMatchObject({ status: 400, param: 'messages.0.role' });
    await expect(openai.chat.completions.create({ model: 'text', messages: [] })).rejects.toMatchObject({ status: 400, param: 'messages' });
    const auth = { authorization: `Bearer ${openai.apiKey}` };
    const unknown = await fetch(`${t.url}/v1/embeddings`, { method: 'POST', headers: auth });
    expect([unknown.status, (await unknown.json()).error.code]).toEqual([404, 'unknown_url']);
    const wrongMethod = await fetch(`${t.url}/v1/chat/completions`, { headers: auth });
    expect([wrongMethod.status, wrongMethod.headers.get('allow')]).toEqual([405, 'POST']);
    expect((await wrongMethod.json()).error.type).toBe('invalid_request_error');
    const notJson = await fetch(`${t.url}/v1/chat/completions`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{' });
    expect([notJson.status, (await notJson.json()).error.message]).toEqual([400, 'The request body is not valid JSON.']);
  });

  it('passes a rate limit through as 429', async () => {
    await expect(openai.chat.completions.create({ model: 'rate-limit:9', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 429 });
    const stream = openai.chat.completions.create({ model: 'rate-limit:9', messages: [{ role: 'user', content: 'x' }], stream: true });
    await expect(stream).rejects.toMatchObject({ status: 429 });
  });

  it('stops answering a revoked key', async () => {
    const { id, key } = await createKey(t, 'short-lived');
    const sdk = client(t, key);
    await expect(sdk.models.list()).resolves.toBeDefined();
    expect((await t.api('DELETE', `/api/api-keys/${id}`)).status).toBe(200);
    await expect(sdk.models.list()).rejects.toMatchObject({ status: 401 });
  });
});

describe('API keys', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startMultiUserServer();
  });
  afterAll(() => t.close());

  it('are shown once, stored hashed, listed with prefix and last use, and belong to their user', async () => {
    const admin = await registerUser(t, 'admin');
    const alice = await registerUser(t, 'alice');
    const created = await createKey(t, 'laptop', alice.headers);
    expect(created.key).toMatch(/^nck_[A-Za-z0-9_-]{43}$/);
    const listed = (await alice.api('GET', '/api/api-keys')).body.data;
    expect(listed).toEqual([{ id: created.id, name: 'laptop', prefix: created.key.slice(0, 12), created_at: expect.any(String), last_used_at: null }]);
    expect(JSON.stringify(listed)).not.toContain(created.key);

    // The key works on /v1 as alice and counts in alice's statistics only.
    const before = await totalTokens(t, alice.headers);
    const completion = await client(t, created.key).chat.completions.create({ model: 'text', messages: [{ role: 'user', content: 'Hi' }] });
    expect(await totalTokens(t, alice.headers)).toBe(before + completion.usage!.total_tokens);
    expect(await totalTokens(t, admin.headers)).toBe(0);
    expect((await alice.api('GET', '/api/api-keys')).body.data[0].last_used_at).not.toBeNull();

    // Keys are not sign-in tokens, and sign-in tokens are not keys.
    expect((await t.api('GET', '/api/api-keys', undefined, { authorization: `Bearer ${created.key}` })).status).toBe(401);
    expect((await fetch(`${t.url}/v1/models`, { headers: alice.headers })).status).toBe(401);

    // Another user neither sees nor revokes it; an administrator sees and revokes everyone's.
    expect((await admin.api('GET', '/api/api-keys')).body.data).toEqual([]);
    expect((await admin.api('DELETE', `/api/api-keys/${created.id}`)).status).toBe(404);
    expect((await alice.api('GET', '/api/admin/api-keys')).status).toBe(403);
    expect((await alice.api('DELETE', `/api/admin/api-keys/${created.id}`)).status).toBe(403);
    const all = (await admin.api('GET', '/api/admin/api-keys')).body.data;
    expect(all).toEqual([expect.objectContaining({ id: created.id, username: 'alice', user_id: alice.id })]);
    expect((await admin.api('DELETE', `/api/admin/api-keys/${created.id}`)).status).toBe(200);
    expect((await fetch(`${t.url}/v1/models`, { headers: { authorization: `Bearer ${created.key}` } })).status).toBe(401);
  });

  it('need a name', async () => {
    const bob = await registerUser(t, 'bob');
    const res = await bob.api('POST', '/api/api-keys', { name: '  ' });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('"name"');
  });
});

describe('OpenAI-compatible API under quotas', () => {
  let t: TestServer;
  let openai: OpenAI;
  beforeAll(async () => {
    // Two model requests a minute for everyone.
    t = await startTestServer({ quotas: { default: { requests_per_minute: 2 } } });
    openai = client(t, (await createKey(t)).key);
  });
  afterAll(() => t.close());

  it('counts relayed requests against the user\'s limits and refuses the one past them with 429, Retry-After and the sentence', async () => {
    await withinOneMinute(); // its four requests in one minute
    await openai.chat.completions.create({ model: 'text', messages: [{ role: 'user', content: 'one' }] });
    await openai.chat.completions.create({ model: 'text', messages: [{ role: 'user', content: 'two' }] });
    const refused = await openai.chat.completions
      .create({ model: 'text', messages: [{ role: 'user', content: 'three' }] })
      .then(() => null, (err: unknown) => err as InstanceType<typeof OpenAI.APIError>);
    expect(refused).toMatchObject({ status: 429, code: 'quota_exceeded' });
    expect(refused!.message).toMatch(/model requests/);
    expect(Number(refused!.headers?.get('retry-after'))).toBeGreaterThan(0);
    const stream = openai.chat.completions.create({ model: 'text', messages: [{ role: 'user', content: 'four' }], stream: true });
    await expect(stream).rejects.toMatchObject({ status: 429, code: 'quota_exceeded' });
  });
});
