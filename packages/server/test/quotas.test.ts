import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSse, sendMessage, stepsFromEvents, withinOneMinute, type TestServer } from './helpers.js';
import { registerUser, startMultiUserServer, TEST_PASSWORD, type SignedInUser } from './authHelpers.js';

const redisUrl = process.env.NANOCLAW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function conversationOf(user: SignedInUser, model = 'text'): Promise<string> {
  const res = await user.api('POST', '/api/conversations', { model });
  expect(res.status).toBe(200);
  return res.body.data.id as string;
}

async function messagesOf(user: SignedInUser, conversationId: string): Promise<any[]> {
  return (await user.api('GET', `/api/conversations/${conversationId}/messages`)).body.data.items;
}

describe('quotas', () => {
  let t: TestServer;
  let admin: SignedInUser;

  beforeAll(async () => {
    // Everyone gets 5 requests a minute unless an administrator says otherwise.
    t = await startMultiUserServer({ quotas: { default: { requests_per_minute: 5 } } });
    admin = await registerUser(t, 'quota-admin');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lets administrators read and set a user\'s limits: a number, 0 = unlimited, null or absent = the default', async () => {
    const bob = await registerUser(t, 'bob');
    const initial = await admin.api('GET', `/api/admin/users/${bob.id}/limits`);
    expect(initial.status).toBe(200);
    expect(initial.body.data).toMatchObject({
      user_id: bob.id,
      username: 'bob',
      overrides: { tokens_per_day: null, tokens_per_month: null, requests_per_minute: null },
    });
    expect(initial.body.data.limits).toEqual([
      { kind: 'tokens_per_day', limit: null, used: 0, resets_at: expect.any(String), source: 'default' },
      { kind: 'tokens_per_month', limit: null, used: 0, resets_at: expect.any(String), source: 'default' },
      { kind: 'requests_per_minute', limit: 5, used: 0, resets_at: expect.any(String), source: 'default' },
    ]);

    const set = await admin.api('PUT', `/api/admin/users/${bob.id}/limits`, { tokens_per_day: 1000, tokens_per_month: null, requests_per_minute: 0 });
    expect(set.status).toBe(200);
    expect(set.body.data.overrides).toEqual({ tokens_per_day: 1000, tokens_per_month: null, requests_per_minute: 0 });
    expect(set.body.data.limits.map((l: any) => [l.kind, l.limit, l.source])).toEqual([
      ['tokens_per_day', 1000, 'user'],
      ['tokens_per_month', null, 'default'],
      ['requests_per_minute', null, 'user'],
    ]);
    // The user sees the same limits on the stats page.
    const own = await bob.api('GET', '/api/stats/limits');
    expect(own.body.data.limits.map((l: any) => l.limit)).toEqual([1000, null, null]);

    // Bad input changes nothing.
    for (const body of [{ tokens_per_day: -1 }, { requests_per_minute: 1.5 }, { tokens_per_day: 'many' }]) {
      const bad = await admin.api('PUT', `/api/admin/users/${bob.id}/limits`, body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
    }
    expect((await admin.api('GET', `/api/admin/users/${bob.id}/limits`)).body.data.overrides.tokens_per_day).toBe(1000);
    expect((await admin.api('PUT', '/api/admin/users/nobody/limits', {})).status).toBe(404);

    // Absent fields go back to the default.
    expect((await admin.api('PUT', `/api/admin/users/${bob.id}/limits`, {})).body.data.overrides).toEqual({ tokens_per_day: null, tokens_per_month: null, requests_per_minute: null });
  });

  it('keeps limits to administrators', async () => {
    const carol = await registerUser(t, 'carol');
    for (const [method, path, body] of [
      ['GET', `/api/admin/users/${carol.id}/limits`],
      ['PUT', `/api/admin/users/${carol.id}/limits`, { tokens_per_day: 0 }],
      ['GET', '/api/admin/limits'],
    ] as const) {
      expect((await carol.api(method, path, body)).status, `${method} ${path}`).toBe(403);
    }
  });

  it('answers 429 with Retry-After and a sentence once the daily tokens are used, storing nothing', async () => {
    const dave = await registerUser(t, 'dave');
    await admin.api('PUT', `/api/admin/users/${dave.id}/limits`, { tokens_per_day: 5 });
    const id = await conversationOf(dave);
    const first = await readSse(await sendMessage(t.url, id, { text: 'hello' }, { headers: dave.headers }));
    expect(first.at(-1)!.event).toBe('done');
    const used = (await dave.api('GET', '/api/stats/limits')).body.data.limits[0];
    expect(used.used).toBeGreaterThanOrEqual(5);

    const refused = await sendMessage(t.url, id, { text: 'again' }, { headers: dave.headers });
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
    const body = (await refused.json()) as { code: number; message: string };
    expect(body.code).toBe(429);
    expect(body.message).toMatch(/^You have used your 5 tokens for today; the limit resets at 00:00 UTC \(in .+\)\.$/);
    expect((await messagesOf(dave, id)).map((m) => m.role)).toEqual(['user', 'assistant']);

    // Regenerating is refused the same way, and the answer stays.
    const answer = (await messagesOf(dave, id))[1];
    const regen = await dave.api('POST', `/api/conversations/${id}/regenerate/${answer.id}`, {});
    expect(regen.status).toBe(429);
    expect((await messagesOf(dave, id)).map((m) => m.id)).toContain(answer.id);

    // The administrator lifts the limit (0 = unlimited): the user can go on at once.
    await admin.api('PUT', `/api/admin/users/${dave.id}/limits`, { tokens_per_day: 0 });
    const after = await readSse(await sendMessage(t.url, id, { text: 'lifted' }, { headers: dave.headers }));
    expect(after.at(-1)!.event).toBe('done');
  });

  it('stops a run that reaches its limit mid-way with an error event, keeping what it produced', async () => {
    const erin = await registerUser(t, 'erin');
    await admin.api('PUT', `/api/admin/users/${erin.id}/limits`, { tokens_per_month: 1 });
    // The tool-call model asks for a tool in round 1 (which uses tokens), then would answer in round 2.
    const id = await conversationOf(erin, 'tool-call');
    const events = await readSse(await sendMessage(t.url, id, { text: 'what is 17*23?' }, { headers: erin.headers }));
    const last = events.at(-1)!;
    expect(last.event).toBe('error');
    expect(last.data.content).toMatch(/^You have used your 1 token for this month; the limit resets on 1 \w+ at 00:00 UTC \(in .+\)\.$/);
    const steps = stepsFromEvents(events);
    expect(steps.some((s) => s.type === 'tool_result')).toBe(true);
    const [, answer] = await messagesOf(erin, id);
    expect(answer.status).toBe('error');
    expect(answer.id).toBe(last.data.message_id);
    expect(answer.process_steps.some((s: any) => s.type === 'tool_result')).toBe(true);
  });

  it('checks each sub-agent request too: a refused sub-agent reports the sentence, and the run stops', async () => {
    await withinOneMinute(); // the run's request and its sub-agent's in one minute
    const gus = await registerUser(t, 'gus');
    await admin.api('PUT', `/api/admin/users/${gus.id}/limits`, { requests_per_minute: 1 });
    t.sim.script({ kind: 'stream', toolCalls: [{ name: 'multi_agent', arguments: JSON.stringify({ tasks: [{ task: 'Say hi.', name: 'greeter' }] }) }] });
    try {
      const id = await conversationOf(gus);
      const events = await readSse(await sendMessage(t.url, id, { text: 'Split this up' }, { headers: gus.headers }));
      const steps = stepsFromEvents(events);
      const result = steps.find((s) => s.type === 'tool_result' && s.name === 'multi_agent');
      const [agent] = JSON.parse(result!.content as string);
      expect(agent).toMatchObject({ name: 'greeter', status: 'error' });
      expect(JSON.stringify(agent)).toMatch(/You have made your 1 model request for this minute/);
      expect(events.at(-1)).toMatchObject({ event: 'error', data: { content: expect.stringMatching(/^You have made your 1 model request for this minute/) } });
    } finally {
      t.sim.clearScript();
    }
  });

  it('counts model requests per minute: the default applies until the user has their own', async () => {
    await withinOneMinute(); // its three requests in one minute
    const frank = await registerUser(t, 'frank');
    await admin.api('PUT', `/api/admin/users/${frank.id}/limits`, { requests_per_minute: 2 });
    const id = await conversationOf(frank);
    for (const text of ['one', 'two']) expect((await readSse(await sendMessage(t.url, id, { text }, { headers: frank.headers }))).at(-1)!.event).toBe('done');
    const refused = await sendMessage(t.url, id, { text: 'three' }, { headers: frank.headers });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(((await refused.json()) as { message: string }).message).toMatch(/^You have made your 2 model requests for this minute; the limit resets at \d\d:\d\d:00 UTC \(in (\d+ s|1 min)\)\.$/); // a full minute left reads "1 min"
    const own = (await frank.api('GET', '/api/stats/limits')).body.data.limits;
    expect(own[2]).toMatchObject({ kind: 'requests_per_minute', limit: 2, used: 2, source: 'user' });
  });

  it('shows administrators everyone\'s use against their limits', async () => {
    const all = await admin.api('GET', '/api/admin/limits');
    expect(all.status).toBe(200);
    const frank = all.body.data.users.find((u: any) => u.username === 'frank');
    expect(frank.overrides.requests_per_minute).toBe(2);
    expect(frank.limits[2].used).toBe(2);
    expect(all.body.data.users.find((u: any) => u.username === 'quota-admin').limits[2]).toMatchObject({ limit: 5, source: 'default' });
  });
});

describe('counters shared by several instances', () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const server of servers.reverse()) await server.close();
  });

  async function signInAttempts(url: string, count: number): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
      const res = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'nobody', password: TEST_PASSWORD }) });
      statuses.push(res.status);
    }
    return statuses;
  }

  it('counts sign-in attempts and quotas together through Redis', async () => {
    const redis = { redis_url: redisUrl, redis: { key_prefix: `nc-quota-${randomBytes(4).toString('hex')}` } };
    const a = await startMultiUserServer({ ...redis, auth_rate_limit: { max: 3, window_ms: 60_000 }, quotas: { default: { requests_per_minute: 1 } } });
    servers.push(a);
    const b = await startMultiUserServer({ ...redis, auth_rate_limit: { max: 3, window_ms: 60_000 }, quotas: { default: { requests_per_minute: 1 } }, database_url: a.server.ctx.config.database_url ?? `sqlite:${join(a.dataDir, 'nanoclaw.db')}` });
    servers.push(b);
    expect(await signInAttempts(a.url, 2)).toEqual([401, 401]);
    expect(await signInAttempts(b.url, 2)).toEqual([401, 429]);

    // One user, one request a minute: used on one instance, refused on the other (in the same minute).
    await withinOneMinute();
    const user = await registerUser(a, 'shared');
    const id = await conversationOf(user);
    expect((await readSse(await sendMessage(a.url, id, { text: 'one' }, { headers: user.headers }))).at(-1)!.event).toBe('done');
    expect((await sendMessage(b.url, id, { text: 'two' }, { headers: user.headers })).status).toBe(429);
  });

  it('counts what another instance admitted from its own snapshot once that is 250 ms old', async () => {
    await withinOneMinute(); // all of it in one minute
    const shared = { redis_url: redisUrl, redis: { key_prefix: `nc-quota-${randomBytes(4).toString('hex')}` }, quotas: { default: { requests_per_minute: 5 } } };
    const a = await startMultiUserServer(shared);
    servers.push(a);
    const b = await startMultiUserServer({ ...shared, database_url: a.server.ctx.config.database_url ?? `sqlite:${join(a.dataDir, 'nanoclaw.db')}` });
    servers.push(b);
    const user = await registerUser(a, 'spread');
    const id = await conversationOf(user);
    const send = async (url: string, text: string) => (await sendMessage(url, id, { text }, { headers: user.headers })).status;
    const answer = async (url: string, text: string) => (await readSse(await sendMessage(url, id, { text }, { headers: user.headers }))).at(-1)!.event;
    // b reads the counters (0 of 5: far from the limit) and then decides on its snapshot; a uses the other four.
    expect(await answer(b.url, 'one')).toBe('done');
    for (const text of ['two', 'three', 'four', 'five']) expect(await answer(a.url, text)).toBe('done');
    // Its snapshot more than 250 ms old, b reads again: all 5 used (b alone has made only one request). A
    // second, not 300 ms: a's counts are recorded after its answers end, and a loaded machine can take
    // longer than that to write them.
    await sleep(1_000);
    expect(await send(b.url, 'six')).toBe(429);
  });

  it('counts sign-in attempts together through the database without Redis', async () => {
    const a = await startMultiUserServer({ auth_rate_limit: { max: 2, window_ms: 60_000 } });
    servers.push(a);
    const b = await startMultiUserServer({ auth_rate_limit: { max: 2, window_ms: 60_000 }, database_url: a.server.ctx.config.database_url ?? `sqlite:${join(a.dataDir, 'nanoclaw.db')}` });
    servers.push(b);
    expect(await signInAttempts(a.url, 2)).toEqual([401, 401]);
    const refused = await fetch(`${b.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'nobody', password: TEST_PASSWORD }) });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(50);
  });
});
