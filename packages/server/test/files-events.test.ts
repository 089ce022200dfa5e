import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation, readSse, sendMessage, sseEvents, startTestServer, type SseEvent, type TestServer } from './helpers.js';
import { registerUser, startMultiUserServer } from './authHelpers.js';

/** A subscription to a project's file events; `next()` answers the next event in order. */
interface Feed {
  response: Response;
  next(): Promise<SseEvent>;
  /** Resolves with true once the server has ended the stream. */
  ended(): Promise<boolean>;
  close(): void;
}

async function openFeed(url: string, projectId: string, headers: Record<string, string> = {}): Promise<Feed> {
  const controller = new AbortController();
  const response = await fetch(`${url}/api/projects/${projectId}/file-events`, { headers, signal: controller.signal });
  if (response.status !== 200) return { response, next: () => Promise.reject(new Error(`status ${response.status}`)), ended: async () => true, close: () => {} };
  const events = sseEvents(response);
  return {
    response,
    async next() {
      const { value, done } = await events.next();
      if (done) throw new Error('the feed ended');
      return value;
    },
    async ended() {
      const { done } = await events.next();
      return done === true;
    },
    close: () => controller.abort(),
  };
}

let t: TestServer;
const feeds: Feed[] = [];
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  for (const feed of feeds) feed.close();
  await t?.close();
});

async function newProject(server: TestServer = t, name = `events-${randomBytes(3).toString('hex')}`): Promise<{ id: string; path: string }> {
  const { status, body } = await server.api('POST', '/api/projects', { name });
  expect(status).toBe(200);
  return body.data;
}

async function subscribe(url: string, projectId: string, headers?: Record<string, string>): Promise<Feed> {
  const feed = await openFeed(url, projectId, headers);
  feeds.push(feed);
  expect(feed.response.status).toBe(200);
  expect(feed.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  expect(await feed.next()).toEqual({ id: undefined, event: 'ready', data: { project_id: projectId } });
  return feed;
}

describe('file events', () => {
  it('announce every change made through the API: write, mkdir, move, delete, upload', async () => {
    const project = await newProject();
    const feed = await subscribe(t.url, project.id);
    const files = `/api/projects/${project.id}/files`;

    await t.api('PUT', `${files}/src/app.py`, { content: 'print(1)\n' });
    expect(await feed.next()).toEqual({ id: undefined, event: 'change', data: { project_id: project.id, kind: 'written', paths: ['src/app.py'] } });
    await t.api('POST', `/api/projects/${project.id}/directories`, { path: 'docs' });
    expect((await feed.next()).data).toEqual({ project_id: project.id, kind: 'directory_created', paths: ['docs'] });
    // A folder that already exists is no change: the next event is the move.
    await t.api('POST', `/api/projects/${project.id}/directories`, { path: 'docs' });
    await t.api('PATCH', `${files}/src/app.py`, { new_path: 'docs/app.py' });
    expect((await feed.next()).data).toEqual({ project_id: project.id, kind: 'moved', paths: ['src/app.py', 'docs/app.py'] });
    await t.api('DELETE', `${files}/src`);
    expect((await feed.next()).data).toEqual({ project_id: project.id, kind: 'deleted', paths: ['src'] });
    // Refused requests change nothing and announce nothing.
    expect((await t.api('PUT', `${files}/..%2Fescape.txt`, { content: 'x' })).status).toBe(400);
    const form = new FormData();
    form.append('files', new Blob(['a']), 'a.txt');
    form.append('files', new Blob(['b']), 'sub/b.txt');
    expect((await fetch(`${t.url}/api/projects/${project.id}/upload?path=docs`, { method: 'POST', body: form })).status).toBe(200);
    expect((await feed.next()).data).toEqual({ project_id: project.id, kind: 'uploaded', paths: ['docs/a.txt', 'docs/sub/b.txt'] });
  });

  it('announce a file written by the agent file tool during a run', async () => {
    const project = await newProject();
    const feed = await subscribe(t.url, project.id);
    const conversation = await createConversation(t, { project_id: project.id });
    t.sim.script(
      { kind: 'stream', toolCalls: [{ name: 'file_write', arguments: JSON.stringify({ path: 'report/summary.md', content: '# Summary\n' }) }] },
      { kind: 'stream', content: 'I wrote the summary.' },
    );
    const run = readSse(await sendMessage(t.url, conversation.id, { text: 'write a summary' }));
    expect(await feed.next()).toEqual({ id: undefined, event: 'change', data: { project_id: project.id, kind: 'written', paths: ['report/summary.md'] } });
    expect((await run).at(-1)?.event).toBe('done');
  });

  it('carry only the subscribed project', async () => {
    const watched = await newProject();
    const other = await newProject();
    const feed = await subscribe(t.url, watched.id);
    await t.api('PUT', `/api/projects/${other.id}/files/elsewhere.txt`, { content: 'x' });
    await t.api('PUT', `/api/projects/${watched.id}/files/here.txt`, { content: 'x' });
    expect((await feed.next()).data).toEqual({ project_id: watched.id, kind: 'written', paths: ['here.txt'] });
  });

  it('answer 404 for an unknown project', async () => {
    const feed = await openFeed(t.url, 'no-such-project');
    expect(feed.response.status).toBe(404);
    expect(await feed.response.json()).toEqual({ code: 404, message: 'Project was not found.' });
  });

  it('end when the server closes, so shutdown never waits for a browser tab', async () => {
    const own = await startTestServer();
    const project = await newProject(own);
    const feed = await openFeed(own.url, project.id);
    feeds.push(feed);
    expect((await feed.next()).event).toBe('ready');
    await own.close();
    expect(await feed.ended()).toBe(true);
  });
});

describe('file events in multi-user mode', () => {
  let multi: TestServer;
  beforeAll(async () => {
    multi = await startMultiUserServer();
  });
  afterAll(async () => {
    await multi?.close();
  });

  it('need the bearer token, like the other routes, and show a project to its owner only', async () => {
    const alice = await registerUser(multi, 'alice');
    const bob = await registerUser(multi, 'bob');
    const project = (await alice.api('POST', '/api/projects', { name: 'secret plans' })).body.data;
    const anonymous = await openFeed(multi.url, project.id);
    expect(anonymous.response.status).toBe(401);
    const intruder = await openFeed(multi.url, project.id, bob.headers);
    expect(intruder.response.status).toBe(404);
    const feed = await subscribe(multi.url, project.id, alice.headers);
    await alice.api('PUT', `/api/projects/${project.id}/files/plan.txt`, { content: 'x' });
    expect((await feed.next()).data).toEqual({ project_id: project.id, kind: 'written', paths: ['plan.txt'] });
  });
});

describe('file events across instances (Redis)', () => {
  const redisUrl = process.env.NANOCLAW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    const redis = { key_prefix: `nc-test-files-${randomBytes(4).toString('hex')}` };
    a = await startTestServer({ redis_url: redisUrl, redis });
    // B shares A's database and workspace directory, as instances behind one load balancer do.
    const databaseUrl = a.server.ctx.config.database_url ?? `sqlite:${join(a.dataDir, 'nanoclaw.db')}`;
    b = await startTestServer({ redis_url: redisUrl, redis, database_url: databaseUrl, workspace_root: join(a.dataDir, 'workspaces') });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('reach subscribers on another instance, and the own instance once', async () => {
    const project = await newProject(a);
    const onA = await subscribe(a.url, project.id);
    const onB = await subscribe(b.url, project.id);
    await a.api('PUT', `/api/projects/${project.id}/files/first.txt`, { content: '1' });
    for (const feed of [onA, onB]) expect((await feed.next()).data).toEqual({ project_id: project.id, kind: 'written', paths: ['first.txt'] });
    await b.api('DELETE', `/api/projects/${project.id}/files/first.txt`);
    // Had A delivered its own change a second time (locally and again from Redis), this would be first.txt again.
    for (const feed of [onA, onB]) expect((await feed.next()).data).toEqual({ project_id: project.id, kind: 'deleted', paths: ['first.txt'] });
  });
});
