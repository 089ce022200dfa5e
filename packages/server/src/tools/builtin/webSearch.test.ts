import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchSettingsSchema, type SearchSettings } from '@nanoclaw/protocol';
import { createWebSearchTool, type WebSearchResult } from './webSearch.js';
import type { ToolContext } from '../types.js';
import { send, startFakeServer, type FakeServer } from '../../../test/tools-fakeServers.js';
import { BRAVE_ANSWER, DUCKDUCKGO_CHALLENGE_HTML, DUCKDUCKGO_HTML, DUCKDUCKGO_NO_RESULTS_HTML, SEARXNG_ANSWER } from '../../../test/tools-searchFixtures.js';
import { callTool } from '../callTool.testing.js';

const ctx: ToolContext = { userId: 'u', conversationId: 'c', projectId: null, model: 'm', signal: new AbortController().signal };
let server: FakeServer;
let hangTimer: NodeJS.Timeout | undefined;

beforeAll(async () => {
  server = await startFakeServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const q = url.searchParams.get('q');
    // SearXNG
    if (url.pathname === '/searx/search') {
      if (url.searchParams.get('format') !== 'json') return send(res, 403, 'text/html', '<h1>403 Forbidden</h1>');
      if (q === 'nothing') return send(res, 200, 'application/json', JSON.stringify({ ...SEARXNG_ANSWER, query: q, results: [] }));
      if (q === 'broken') return send(res, 200, 'text/html', '<html>oops</html>');
      return send(res, 200, 'application/json', JSON.stringify(SEARXNG_ANSWER));
    }
    if (url.pathname === '/forbidden/search') return send(res, 403, 'text/html', '<h1>403 Forbidden</h1>');
    if (url.pathname === '/hang/search') {
      hangTimer = setTimeout(() => send(res, 200, 'application/json', '{}'), 5000);
      return;
    }
    // Brave
    if (url.pathname === '/res/v1/web/search') {
      if (req.headers['x-subscription-token'] !== 'brave-key') return send(res, 401, 'application/json', JSON.stringify({ type: 'ErrorResponse', error: { code: 'SUBSCRIPTION_TOKEN_INVALID', status: 401 } }));
      if (q === 'limit') return send(res, 429, 'application/json', '{"type":"ErrorResponse"}');
      return send(res, 200, 'application/json', JSON.stringify(BRAVE_ANSWER));
    }
    // DuckDuckGo HTML
    if (url.pathname === '/html/') {
      if (q === 'zzqqxx') return send(res, 200, 'text/html', DUCKDUCKGO_NO_RESULTS_HTML);
      if (q === 'bot') return send(res, 200, 'text/html', DUCKDUCKGO_CHALLENGE_HTML);
      return send(res, 200, 'text/html; charset=UTF-8', DUCKDUCKGO_HTML);
    }
    send(res, 404, 'text/plain', 'not found');
  });
});
afterAll(async () => {
  clearTimeout(hangTimer);
  await server?.close();
});

function search(settings: Partial<SearchSettings>, query: string, max_results?: number): Promise<WebSearchResult> {
  const tool = createWebSearchTool(searchSettingsSchema.parse(settings));
  return Promise.resolve(callTool(tool, max_results === undefined ? { query } : { query, max_results }, ctx)) as Promise<WebSearchResult>;
}

describe('web_search: SearXNG', () => {
  it('asks /search?q=&format=json and maps results to title, url, snippet', async () => {
    const result = await search({ backend: 'searxng', base_url: `${server.url}/searx` }, '  rust async runtime ');
    expect(result).toEqual({
      query: 'rust async runtime',
      backend: 'searxng',
      results: [
        { title: 'Tokio - An asynchronous Rust runtime', url: 'https://tokio.rs/', snippet: expect.stringMatching(/^Tokio is an asynchronous runtime/) },
        { title: 'async-std', url: 'https://async.rs/', snippet: 'Async version of the Rust standard library' },
        { title: 'smol - Rust', url: 'https://docs.rs/smol', snippet: 'A small and fast async runtime.' },
      ],
      note: 'Engines that did not answer: google (Suspended: CAPTCHA).',
    });
    const request = server.requests.at(-1)!;
    expect(request.url).toBe('/searx/search?q=rust+async+runtime&format=json&pageno=1');
  });

  it('honours max_results and says when nothing was found', async () => {
    expect((await search({ backend: 'searxng', base_url: `${server.url}/searx` }, 'x', 1)).results).toHaveLength(1);
    expect((await search({ backend: 'searxng', base_url: `${server.url}/searx`, max_results: 2 }, 'x')).results).toHaveLength(2);
    const none = await search({ backend: 'searxng', base_url: `${server.url}/searx` }, 'nothing');
    expect(none.results).toEqual([]);
    expect(none.note).toBe('No results were found for this query. Engines that did not answer: google (Suspended: CAPTCHA).');
  });

  it('explains a 403 (json format disabled) and a non-JSON answer', async () => {
    await expect(search({ backend: 'searxng', base_url: `${server.url}/forbidden` }, 'x')).rejects.toThrow(
      `The searxng search backend at ${server.url}/forbidden answered HTTP 403 (access denied: enable the json format under search.formats in its settings.yml)`,
    );
    await expect(search({ backend: 'searxng', base_url: `${server.url}/searx` }, 'broken')).rejects.toThrow('answered with something that is not JSON');
  });

  it('gives up after search.timeout_ms', async () => {
    await expect(search({ backend: 'searxng', base_url: `${server.url}/hang`, timeout_ms: 150 }, 'x')).rejects.toThrow(
      `The searxng search backend at ${server.url}/hang did not answer within 150 ms`,
    );
  });
});

describe('web_search: Brave', () => {
  it('sends the subscription token and strips the highlighting markup', async () => {
    const result = await search({ backend: 'brave', base_url: server.url, api_key: 'brave-key' }, 'rust async runtime', 5);
    expect(result.results).toEqual([
      { title: 'Tokio - An asynchronous Rust runtime', url: 'https://tokio.rs/', snippet: 'Tokio is an asynchronous runtime for the Rust programming language & more.' },
      { title: 'Asynchronous Programming in Rust', url: 'https://rust-lang.github.io/async-book/', snippet: 'This book aims to be a thorough guide to asynchronous programming in Rust.' },
    ]);
    const request = server.requests.at(-1)!;
    expect(request.url).toBe('/res/v1/web/search?q=rust+async+runtime&count=5');
    expect(request.headers['x-subscription-token']).toBe('brave-key');
  });

  it('explains a refused key, rate limiting and a missing key', async () => {
    await expect(search({ backend: 'brave', base_url: server.url, api_key: 'wrong' }, 'x')).rejects.toThrow('answered HTTP 401 (access denied: check search.api_key)');
    await expect(search({ backend: 'brave', base_url: server.url, api_key: 'brave-key' }, 'limit')).rejects.toThrow('answered HTTP 429 (rate limited; try again later)');
    await expect(search({ backend: 'brave', base_url: server.url }, 'x')).rejects.toThrow('search.api_key (a Brave Search API subscription token) is required');
  });
});

describe('web_search: DuckDuckGo HTML', () => {
  it('reads results from the page, unwrapping links and skipping ads', async () => {
    const result = await search({ backend: 'duckduckgo', base_url: server.url }, 'rust async runtime');
    expect(result.results).toEqual([
      { title: 'Tokio - An asynchronous Rust runtime', url: 'https://tokio.rs/', snippet: 'Tokio is an asynchronous runtime for the Rust programming language.' },
      { title: 'async_std - Rust', url: 'https://docs.rs/async-std/latest/async_std/?search=task&x=1', snippet: 'Async version of the Rust standard library & friends.' },
    ]);
    expect(server.requests.at(-1)!.url).toBe('/html/?q=rust+async+runtime');
  });

  it('answers an empty list for no results and an error for a bot check', async () => {
    expect((await search({ backend: 'duckduckgo', base_url: server.url }, 'zzqqxx')).results).toEqual([]);
    await expect(search({ backend: 'duckduckgo', base_url: server.url }, 'bot')).rejects.toThrow('DuckDuckGo asked for a bot check');
  });
});

describe('web_search: not configured or not reachable', () => {
  it('says search is not configured', async () => {
    await expect(search({}, 'x')).rejects.toThrow(/^Web search is not configured\. An administrator can enable it by setting search\.backend/);
    await expect(search({ backend: 'searxng' }, 'x')).rejects.toThrow('search.base_url (the SearXNG instance URL) is required');
  });

  it('says the backend cannot be reached', async () => {
    const closed = await startFakeServer(() => undefined);
    await closed.close();
    await expect(search({ backend: 'searxng', base_url: closed.url }, 'x')).rejects.toThrow(`The searxng search backend at ${closed.url} could not be reached: connection refused`);
    await expect(search({ backend: 'duckduckgo', base_url: closed.url }, 'x')).rejects.toThrow('could not be reached: connection refused');
  });

  it('refuses an empty query', async () => {
    await expect(search({ backend: 'duckduckgo', base_url: server.url }, '   ')).rejects.toThrow('The query is empty');
  });
});
