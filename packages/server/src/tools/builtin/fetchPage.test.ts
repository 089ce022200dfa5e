import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { webSettingsSchema, type WebSettings } from '@nanoclaw/protocol';
import { createSafeFetcher, type ResolveHost } from '../web/safeFetch.js';
import { createFetchPageTool, type FetchPageArgs } from './fetchPage.js';
import { createCrawlBatchTool, type CrawlBatchResult } from './crawlBatch.js';
import type { ReadablePage } from '../web/pageToMarkdown.js';
import type { ToolContext } from '../types.js';
import { createToolRegistry } from '../toolRegistry.js';
import { createToolExecutor } from '../toolExecutor.js';
import { send, startFakeServer, type FakeServer } from '../../../test/tools-fakeServers.js';
import { ARTICLE_HTML } from '../../../test/tools-pageFixtures.js';
import { callTool } from '../callTool.testing.js';

const ctx: ToolContext = { userId: 'u', conversationId: 'c', projectId: null, model: 'm', signal: new AbortController().signal };

let server: FakeServer;
let slowBodyTimer: NodeJS.Timeout | undefined;
let inFlight = 0;
let maxInFlight = 0;

beforeAll(async () => {
  server = await startFakeServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    switch (path) {
      case '/article': return send(res, 200, 'text/html; charset=utf-8', ARTICLE_HTML);
      case '/plain': return send(res, 200, 'text/plain', 'just some text\nline two');
      case '/data.json': return send(res, 200, 'application/json', '{"a": [1, 2, 3]}');
      case '/latin1': return send(res, 200, 'text/plain; charset=iso-8859-1', Buffer.from([0x63, 0x61, 0x66, 0xe9]));
      case '/image.png': return send(res, 200, 'image/png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]));
      case '/untyped-binary': return send(res, 200, null, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0, 0, 0]));
      case '/untyped-html': return send(res, 200, null, '<html><head><title>T</title></head><body><p>Hello untyped</p></body></html>');
      case '/big': return send(res, 200, 'text/plain', 'x'.repeat(5000));
      case '/bomb': return send(res, 200, 'text/plain', gzipSync(Buffer.alloc(5_000_000, 0x61)), { 'content-encoding': 'gzip' });
      case '/gzip': return send(res, 200, 'text/plain', gzipSync('compressed hello'), { 'content-encoding': 'gzip' });
      case '/missing': return send(res, 404, 'text/html', '<html><body><h1>Not found</h1><p>No page here.</p></body></html>');
      case '/slow-headers': { setTimeout(() => send(res, 200, 'text/plain', 'late'), 3000); return; }
      case '/slow-body': {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('start ');
        slowBodyTimer = setTimeout(() => res.end('end'), 3000);
        return;
      }
      case '/redirect-local': return send(res, 302, null, '', { location: '/plain' });
      case '/redirect-private': return send(res, 301, null, '', { location: 'http://10.0.0.5/admin' });
      case '/redirect-metadata': return send(res, 307, null, '', { location: 'http://169.254.169.254/latest/meta-data/' });
      case '/redirect-loop': return send(res, 302, null, '', { location: '/redirect-loop' });
      case '/redirect-file': return send(res, 302, null, '', { location: 'file:///etc/passwd' });
      case '/tracked': {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        setTimeout(() => {
          inFlight--;
          send(res, 200, 'text/plain', `page ${req.url}`);
        }, 60);
        return;
      }
      default: return send(res, 404, 'text/plain', 'nope');
    }
  });
});
afterAll(async () => {
  clearTimeout(slowBodyTimer);
  await server?.close();
});

function settings(overrides: Partial<WebSettings> = {}): WebSettings {
  return webSettingsSchema.parse({ allow_private_hosts: ['127.0.0.1'], timeout_ms: 2000, ...overrides });
}

function fetchTool(overrides: Partial<WebSettings> = {}, resolve?: ResolveHost) {
  return createFetchPageTool(createSafeFetcher({ settings: settings(overrides), resolve }));
}

async function fetchPage(args: FetchPageArgs, overrides: Partial<WebSettings> = {}, resolve?: ResolveHost): Promise<ReadablePage> {
  return (await callTool(fetchTool(overrides, resolve), args, ctx)) as ReadablePage;
}

describe('fetch_page: reading pages', () => {
  it('turns an article page into Markdown of its main text, links made absolute', async () => {
    const page = await fetchPage({ url: `${server.url}/article` });
    expect(page).toMatchObject({ status: 200, content_type: 'text/html', extraction: 'article', truncated: false, title: 'Tide pools | Coast Notes' });
    expect(page.content).toContain('Tide pools are rocky hollows on the shore');
    expect(page.content).toContain(`[hermit crabs](${server.url}/species/hermit-crab)`);
    expect(page.content).toContain('## What to bring');
    expect(page.content).toMatch(/- +Shoes with a good grip/);
    expect(page.content).toContain('```\nlow_tide = "06:42"\n```');
    expect(page.content).not.toContain('SECRET_SCRIPT');
    expect(page.content).not.toContain('Log in');
    expect(page.content).not.toContain('.x{color');
  });

  it('converts the whole body when there is no article to extract', async () => {
    const page = await fetchPage({ url: `${server.url}/untyped-html` });
    expect(page).toMatchObject({ extraction: 'page', title: 'T', content: 'Hello untyped' });
  });

  it('passes plain text and JSON through unchanged, decoding the charset and gzip', async () => {
    expect(await fetchPage({ url: `${server.url}/plain` })).toMatchObject({ extraction: 'text', content: 'just some text\nline two', content_type: 'text/plain' });
    expect((await fetchPage({ url: `${server.url}/data.json` })).content).toBe('{"a": [1, 2, 3]}');
    expect((await fetchPage({ url: `${server.url}/latin1` })).content).toBe('café');
    expect((await fetchPage({ url: `${server.url}/gzip` })).content).toBe('compressed hello');
  });

  it('returns an error page with a note saying the status', async () => {
    const page = await fetchPage({ url: `${server.url}/missing` });
    expect(page.status).toBe(404);
    expect(page.notes?.[0]).toBe('The server answered HTTP 404; the content is its error page.');
    expect(page.content).toContain('No page here.');
  });

  it('refuses binary content with a clear sentence', async () => {
    await expect(fetchPage({ url: `${server.url}/image.png` })).rejects.toThrow(
      `${server.url}/image.png is binary content (image/png, 12 bytes), which cannot be shown as text. fetch_page reads HTML and text documents only.`,
    );
    await expect(fetchPage({ url: `${server.url}/untyped-binary` })).rejects.toThrow('is binary content (unknown, 10 bytes)');
  });

  it('follows redirects between allowed addresses and lists them', async () => {
    const page = await fetchPage({ url: `${server.url}/redirect-local` });
    expect(page).toMatchObject({ final_url: `${server.url}/plain`, content: 'just some text\nline two' });
  });
});

describe('fetch_page: limits', () => {
  it('cuts the body at web.max_bytes and says so', async () => {
    const page = await fetchPage({ url: `${server.url}/big` }, { max_bytes: 1000 });
    expect(page.content).toBe('x'.repeat(1000));
    expect(page.truncated).toBe(true);
    expect(page.notes).toEqual(['The page is larger than the size limit; only its first 1000 bytes were read.']);
  });

  it('caps decompressed size, so a gzip bomb stops at the limit', async () => {
    const page = await fetchPage({ url: `${server.url}/bomb` }, { max_bytes: 10_000 });
    expect(page.content.length).toBe(10_000);
    expect(page.truncated).toBe(true);
  });

  it('cuts long content at max_chars with a note', async () => {
    const page = await fetchPage({ url: `${server.url}/big`, max_chars: 100 });
    expect(page.content).toHaveLength(100);
    expect(page).toMatchObject({ total_chars: 5000, truncated: true });
    expect(page.notes).toEqual(['Content cut to 100 of 5000 characters; ask for a larger max_chars if you need more.']);
  });

  it('gives up after web.timeout_ms, whether headers or body are slow', async () => {
    const started = Date.now();
    await expect(fetchPage({ url: `${server.url}/slow-headers` }, { timeout_ms: 200 })).rejects.toThrow(
      `Fetching ${server.url}/slow-headers took longer than 200 ms`,
    );
    await expect(fetchPage({ url: `${server.url}/slow-body` }, { timeout_ms: 200 })).rejects.toThrow('took longer than 200 ms');
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('counts a slow DNS answer against web.timeout_ms', async () => {
    const never: ResolveHost = () => new Promise(() => undefined);
    await expect(fetchPage({ url: 'http://slow-dns.example.com/' }, { timeout_ms: 150 }, never)).rejects.toThrow(
      'Fetching http://slow-dns.example.com/ took longer than 150 ms',
    );
  });

  it('gives the executor a deadline longer than the fetch deadline', () => {
    const fetcher = createSafeFetcher({ settings: settings() });
    expect(createFetchPageTool(fetcher, 15_000).timeoutMs).toBe(25_000);
    expect(createCrawlBatchTool(fetcher, { crawl_max_urls: 10, crawl_concurrency: 4, timeout_ms: 15_000 }).timeoutMs).toBe(75_000);
  });

  it('stops following redirects past web.max_redirects', async () => {
    await expect(fetchPage({ url: `${server.url}/redirect-loop` }, { max_redirects: 3 })).rejects.toThrow(
      `Too many redirects (more than 3) starting at ${server.url}/redirect-loop`,
    );
  });

  it('says when nothing listens', async () => {
    const closed = await startFakeServer(() => undefined);
    const url = `${closed.url}/`;
    await closed.close();
    await expect(fetchPage({ url })).rejects.toThrow(`Could not fetch ${url}: connection refused`);
  });
});

describe('fetch_page: SSRF guard', () => {
  const blocked = settings({ allow_private_hosts: [] });
  const refuse = (url: string, resolve?: ResolveHost) =>
    expect(callTool(createFetchPageTool(createSafeFetcher({ settings: blocked, resolve })), { url }, ctx)).rejects.toThrow(/^Refused to fetch /);

  it('refuses loopback, also in decimal, octal, hex, short and IPv6 forms', async () => {
    const port = server.port;
    const before = server.requests.length;
    for (const host of ['127.0.0.1', '2130706433', '0177.0.0.1', '0x7f.1', '0x7f000001', '127.1', '[::1]', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '[0:0:0:0:0:ffff:127.0.0.1]']) {
      await refuse(`http://${host}:${port}/plain`);
    }
    // Refused before connecting: the server (which listens on 127.0.0.1) saw none of them.
    expect(server.requests.length).toBe(before);
  });

  it.each([
    ['10.0.0.1', 'a private address'],
    ['172.16.5.4', 'a private address'],
    ['192.168.1.1', 'a private address'],
    ['100.64.0.1', 'a carrier-grade NAT (shared, 100.64.0.0/10) address'],
    ['169.254.169.254', 'a link-local address'],
    ['[fe80::1]', 'a link-local address'],
    ['224.0.0.1', 'a multicast address'],
    ['[ff02::1]', 'a multicast address'],
    ['0.0.0.0', 'an unspecified address'],
    ['[::]', 'an unspecified address'],
    ['[fc00::1]', 'an IPv6 unique-local (private) address'],
    ['[fd12:3456::1]', 'an IPv6 unique-local (private) address'],
    ['240.0.0.1', 'a reserved address'],
    ['255.255.255.255', 'a broadcast address'],
  ])('refuses %s as %s without connecting', async (host, reason) => {
    const tool = createFetchPageTool(createSafeFetcher({ settings: blocked }));
    const error = await Promise.resolve(callTool(tool, { url: `http://${host}/` }, ctx)).catch((e: Error) => e);
    expect((error as Error).message).toMatch(new RegExp(`^Refused to fetch http://.+/: .+ is ${reason.replace(/[()/.]/g, '\\$&')}\\. Private, loopback`));
    expect((error as Error).message).toContain('web.allow_private_hosts');
  });

  it('refuses a host name that resolves to a private address, naming both', async () => {
    const resolve: ResolveHost = async (host) => (host === 'intranet.example.com' ? [{ address: '10.1.2.3', family: 4 }] : []);
    await expect(fetchPage({ url: 'http://intranet.example.com/' }, { allow_private_hosts: [] }, resolve)).rejects.toThrow(
      'Refused to fetch http://intranet.example.com/: 10.1.2.3 is a private address (intranet.example.com resolves to 10.1.2.3).',
    );
  });

  it('refuses when any of the resolved addresses is private, and IPv4-mapped answers', async () => {
    const mixed: ResolveHost = async () => [{ address: '93.184.216.34', family: 4 }, { address: '192.168.0.10', family: 4 }];
    await refuse('http://mixed.example.com/', mixed);
    const mapped: ResolveHost = async () => [{ address: '::ffff:127.0.0.1', family: 6 }];
    await refuse('http://mapped.example.com/', mapped);
  });

  it('refuses localhost by name (it resolves to loopback)', async () => {
    await refuse(`http://localhost:${server.port}/plain`);
  });

  it('re-checks every redirect hop', async () => {
    await expect(fetchPage({ url: `${server.url}/redirect-private` })).rejects.toThrow('Refused to fetch http://10.0.0.5/admin: 10.0.0.5 is a private address');
    await expect(fetchPage({ url: `${server.url}/redirect-metadata` })).rejects.toThrow(
      'Refused to fetch http://169.254.169.254/latest/meta-data/: 169.254.169.254 is a link-local address',
    );
    await expect(fetchPage({ url: `${server.url}/redirect-file` })).rejects.toThrow('Only http and https URLs can be fetched, not file');
  });

  it('refuses other schemes and URLs with credentials', async () => {
    await expect(fetchPage({ url: 'file:///etc/passwd' })).rejects.toThrow('Only http and https URLs can be fetched, not file');
    await expect(fetchPage({ url: 'ftp://example.com/x' })).rejects.toThrow('not ftp');
    await expect(fetchPage({ url: 'not a url' })).rejects.toThrow('Not a valid URL: not a url');
    await expect(fetchPage({ url: `http://user:pw@127.0.0.1:${server.port}/plain` })).rejects.toThrow('URLs with a user name or password are not fetched');
  });

  it('connects to the vetted address only (no second DNS lookup, so rebinding cannot switch it)', async () => {
    let calls = 0;
    const rebinding: ResolveHost = async () => (calls++ === 0 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '10.9.9.9', family: 4 }]);
    const page = await fetchPage({ url: `http://rebind.test:${server.port}/plain` }, { allow_private_hosts: ['127.0.0.1'] }, rebinding);
    expect(page.content).toBe('just some text\nline two');
    expect(calls).toBe(1);
    expect(server.requests.at(-1)?.headers.host).toBe(`rebind.test:${server.port}`);
  });

  it('lets the allowlist permit host:port, addresses and CIDR ranges, and nothing more', async () => {
    const port = server.port;
    expect((await fetchPage({ url: `http://localhost:${port}/plain` }, { allow_private_hosts: [`localhost:${port}`] }, async () => [{ address: '127.0.0.1', family: 4 }])).content).toContain('just some text');
    await expect(fetchPage({ url: `http://localhost:${port + 1}/plain` }, { allow_private_hosts: [`localhost:${port}`] }, async () => [{ address: '127.0.0.1', family: 4 }])).rejects.toThrow('Refused');
    expect((await fetchPage({ url: `http://127.0.0.1:${port}/plain` }, { allow_private_hosts: ['127.0.0.0/8'] })).status).toBe(200);
    expect((await fetchPage({ url: `http://2130706433:${port}/plain` }, { allow_private_hosts: [`127.0.0.1:${port}`] })).status).toBe(200);
    await expect(fetchPage({ url: 'http://10.0.0.1/' }, { allow_private_hosts: ['127.0.0.0/8'] })).rejects.toThrow('Refused');
  });
});

describe('crawl_batch', () => {
  const crawl = (urls: string[], overrides: Partial<WebSettings> = {}) => {
    const s = settings(overrides);
    return callTool(createCrawlBatchTool(createSafeFetcher({ settings: s }), s), { urls }, ctx) as Promise<CrawlBatchResult>;
  };

  it('returns every page in the order given, failures beside successes', async () => {
    const result = await crawl([`${server.url}/plain`, 'http://10.0.0.1/', `${server.url}/image.png`, `${server.url}/data.json`]);
    expect(result).toMatchObject({ succeeded: 2, failed: 2 });
    expect(result.results.map((item) => item.success)).toEqual([true, false, false, true]);
    expect(result.results[0]).toMatchObject({ url: `${server.url}/plain`, content: 'just some text\nline two' });
    expect(result.results[1]).toMatchObject({ url: 'http://10.0.0.1/', error: expect.stringMatching(/^Refused to fetch/) });
    expect(result.results[2]).toMatchObject({ error: expect.stringContaining('binary content') });
  });

  it('fetches at most web.crawl_concurrency pages at once', async () => {
    maxInFlight = 0;
    const urls = Array.from({ length: 6 }, (_, i) => `${server.url}/tracked?i=${i}`);
    const result = await crawl(urls, { crawl_concurrency: 2 });
    expect(result.succeeded).toBe(6);
    expect(maxInFlight).toBe(2);
    expect(result.results.map((item) => (item.success ? item.content : ''))).toEqual(urls.map((_, i) => `page /tracked?i=${i}`));
  });

  it('refuses more URLs than web.crawl_max_urls through the schema', async () => {
    const s = settings({ crawl_max_urls: 2 });
    const registry = createToolRegistry();
    registry.register(createCrawlBatchTool(createSafeFetcher({ settings: s }), s));
    const executor = createToolExecutor({ registry, maxWorkers: 1, timeoutMs: 5000, outputMaxChars: 100_000 });
    const [outcome] = await executor.executeBatch([{ id: '1', name: 'crawl_batch', arguments: JSON.stringify({ urls: ['http://a/', 'http://b/', 'http://c/'] }) }], ctx);
    expect(outcome?.content).toBe('{"success": false, "error": "Invalid arguments for crawl_batch: \\"urls\\" must NOT have more than 2 items"}');
  });
});
