import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';
import { runOneToolCall, send, startFakeServer, type FakeServer } from './tools-fakeServers.js';
import { SEARXNG_ANSWER } from './tools-searchFixtures.js';

let searx: FakeServer;
let t: TestServer;
let unconfigured: TestServer;
beforeAll(async () => {
  searx = await startFakeServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/search' && url.searchParams.get('format') === 'json') return send(res, 200, 'application/json', JSON.stringify(SEARXNG_ANSWER));
    send(res, 403, 'text/html', 'forbidden');
  });
  t = await startTestServer({ search: { backend: 'searxng', base_url: searx.url } });
  unconfigured = await startTestServer();
});
afterAll(async () => {
  await t?.close();
  await unconfigured?.close();
  await searx?.close();
});

describe('web_search through the agent run', () => {
  it('searches the configured SearXNG and stores the results', async () => {
    const { result, stored, toolMessage } = await runOneToolCall(t, 'web_search', { query: 'rust async runtime', max_results: 2 });
    expect(result).toMatchObject({ name: 'web_search', success: true });
    const answer = JSON.parse(result.content);
    expect(answer).toMatchObject({ query: 'rust async runtime', backend: 'searxng' });
    expect(answer.results).toEqual([
      { title: 'Tokio - An asynchronous Rust runtime', url: 'https://tokio.rs/', snippet: expect.any(String) },
      { title: 'async-std', url: 'https://async.rs/', snippet: 'Async version of the Rust standard library' },
    ]);
    expect(searx.requests.at(-1)?.url).toBe('/search?q=rust+async+runtime&format=json&pageno=1');
    expect(stored).toMatchObject({ status: 'complete', text: 'done' });
    expect(toolMessage.content).toBe(result.content);
  });

  it('answers a clear error when no backend is configured', async () => {
    const { result, stored } = await runOneToolCall(unconfigured, 'web_search', { query: 'anything' });
    expect(result.success).toBe(false);
    expect(JSON.parse(result.content).error).toMatch(/^Web search is not configured\./);
    expect(stored.status).toBe('complete');
  });
});
