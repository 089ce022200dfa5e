import { fileURLToPath } from 'node:url';
import { test, expect, sendMessage, lastAssistant, simUrl } from './fixtures';
import { startNanoclaw, type Started } from './globalSetup';

/**
 * What an operator watches, after a person used the app in the browser: the health endpoints answer,
 * and the Prometheus metrics (on, behind a scrape token, in an instance of this spec's own) count the
 * run the browser started, its model request and its tool call.
 */
const TOKEN = 'e2e-scrape-token-3b9d0c7e5a1f';
let app: Started;

test.beforeAll(async () => {
  const serverMain = fileURLToPath(new URL('../../server/dist/main.js', import.meta.url));
  app = await startNanoclaw(serverMain, `${simUrl()}/chat/completions`, [`metrics: { enabled: true, token: ${JSON.stringify(TOKEN)} }`]);
});

test.afterAll(async () => {
  await app?.stop();
});

test('a chat in the browser shows up in /metrics; /healthz and /readyz answer', async ({ page, request }) => {
  await page.goto(app.address);
  await sendMessage(page, 'what is 6 times 7?');
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'complete', { timeout: 30_000 });

  expect(await (await request.get(`${app.address}/healthz`)).json()).toEqual({ status: 'ok' });
  expect(await (await request.get(`${app.address}/readyz`)).json()).toEqual({ status: 'ok' });

  // Without the token the metrics are refused; with it they count what the browser did.
  expect((await request.get(`${app.address}/metrics`)).status()).toBe(401);
  const metrics = await (await request.get(`${app.address}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
  expect(metrics).toMatch(/nanoclaw_runs_finished_total\{model="tool-call",outcome="complete"\} 1\b/);
  expect(metrics).toMatch(/nanoclaw_tool_calls_total\{tool="[a-z_]+",outcome="success"\} [1-9]/);
  expect(metrics).toMatch(/nanoclaw_llm_time_to_first_token_seconds_count\{model="tool-call"\} [1-9]/);
  expect(metrics).toMatch(/nanoclaw_http_requests_total\{method="POST",route="\/api\/conversations\/:id\/messages",status="200"\} 1\b/);
});
