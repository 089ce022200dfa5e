import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';
import { runOneToolCall, send, startFakeServer, type FakeServer } from './tools-fakeServers.js';

const PAGE = `<!doctype html><html><head><title>Release notes</title></head><body>
<nav><a href="/">Home</a></nav>
<article><h1>Version 2.0 released</h1>
<p>Version 2.0 brings a rewritten storage engine that is twice as fast on large workspaces, and streams every step of an answer as it happens, so nothing is lost when the browser closes.</p>
<p>Upgrading is automatic: the server migrates its database on start-up and keeps a backup of the previous file next to it, so that a rollback is a matter of swapping two files.</p>
<p>Thanks to everyone who tested the release candidates and reported the problems they found along the way; <a href="/contributors">the full list</a> is on the site.</p>
</article></body></html>`;

let site: FakeServer;
let t: TestServer;
beforeAll(async () => {
  site = await startFakeServer((req, res) => {
    if (req.url === '/notes') return send(res, 200, 'text/html; charset=utf-8', PAGE);
    if (req.url === '/robots.txt') return send(res, 200, 'text/plain', 'User-agent: *\nDisallow:');
    send(res, 404, 'text/plain', 'not found');
  });
  // Only this test server's own port is allowed: other loopback ports stay refused.
  t = await startTestServer({ web: { allow_private_hosts: [`127.0.0.1:${site.port}`], timeout_ms: 3000 } });
});
afterAll(async () => {
  await t?.close();
  await site?.close();
});

describe('fetch_page and crawl_batch through the agent run', () => {
  it('fetches an allowed local page as Markdown, streamed and stored', async () => {
    const { steps, call, result, stored, toolMessage } = await runOneToolCall(t, 'fetch_page', { url: `${site.url}/notes` });
    expect(steps.map((s) => s.type)).toEqual(['tool_call', 'tool_result', 'text']);
    expect(result).toMatchObject({ name: 'fetch_page', id_ref: call.id_ref, success: true });
    const page = JSON.parse(result.content);
    expect(page).toMatchObject({ url: `${site.url}/notes`, status: 200, content_type: 'text/html', extraction: 'article' });
    expect(page.content).toContain('rewritten storage engine');
    expect(page.content).toContain(`[the full list](${site.url}/contributors)`);
    expect(stored).toMatchObject({ status: 'complete', text: 'done' });
    expect(stored.process_steps.find((s: any) => s.type === 'tool_result').content).toBe(result.content);
    expect(toolMessage).toMatchObject({ role: 'tool', content: result.content });
  });

  it('refuses a loopback address the allowlist does not name, as an error result', async () => {
    const { result, stored } = await runOneToolCall(t, 'fetch_page', { url: `${t.url}/api/tools` });
    expect(result.success).toBe(false);
    expect(JSON.parse(result.content).error).toMatch(/^Refused to fetch http:\/\/127\.0\.0\.1:\d+\/api\/tools: 127\.0\.0\.1 is a loopback address\./);
    expect(stored.status).toBe('complete');
  });

  it('crawls several URLs in one call, each with its own outcome', async () => {
    const { result } = await runOneToolCall(t, 'crawl_batch', { urls: [`${site.url}/notes`, `${site.url}/robots.txt`, 'http://169.254.169.254/latest/meta-data/'] });
    expect(result.success).toBe(true);
    const crawl = JSON.parse(result.content);
    expect(crawl).toMatchObject({ succeeded: 2, failed: 1 });
    expect(crawl.results[1]).toMatchObject({ success: true, content: 'User-agent: *\nDisallow:' });
    expect(crawl.results[2]).toMatchObject({ success: false, error: expect.stringContaining('169.254.169.254 is a link-local address') });
  });
});
