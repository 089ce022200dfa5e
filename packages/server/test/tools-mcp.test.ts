import { execFileSync } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { startTestServer, waitFor, type TestServer } from './helpers.js';
import { runOneToolCall } from './tools-fakeServers.js';

/** The published reference server, run with this Node over stdio (no npx, no network). */
const require = createRequire(import.meta.url);
const EVERYTHING_BIN = join(dirname(require.resolve('@modelcontextprotocol/server-everything/package.json')), 'dist/index.js');
const HTTP_TOKEN = 'Bearer mcp-test-token';

/** A streamable-HTTP MCP server with one tool, stateless (a fresh McpServer per request), checking a header. */
async function startHttpMcpServer(atPort = 0): Promise<{ url: string; port: number; requests: number; close(): Promise<void> }> {
  const state = { requests: 0 };
  const server: Server = createHttpServer(async (req, res) => {
    state.requests++;
    if (req.headers.authorization !== HTTP_TOKEN) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
      return;
    }
    const mcp = new McpServer({ name: 'calc-http', version: '1.0.0' });
    mcp.registerTool(
      'multiply',
      { description: 'Multiplies two numbers.', inputSchema: { a: z.number(), b: z.number() } },
      async ({ a, b }) => (b === 0 ? { isError: true, content: [{ type: 'text', text: 'refusing to multiply by zero' }] } : { content: [{ type: 'text', text: String(a * b) }] }),
    );
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => server.listen(atPort, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    port,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Live children of this process whose command line holds `marker` (the stdio MCP servers the app started). */
function childProcesses(marker: string): number[] {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes(marker))
    .map((line) => Number.parseInt(line.trim(), 10));
}

const everythingChildren = (): number[] => childProcesses(`${EVERYTHING_BIN} stdio`);

async function mcpStatus(t: TestServer, name: string): Promise<any> {
  const { body } = await t.api('GET', '/api/tools/status');
  return body.data.mcp_servers.find((server: any) => server.name === name);
}

async function listTools(t: TestServer): Promise<any[]> {
  return (await t.api('GET', '/api/tools')).body.data;
}

let t: TestServer;
let http: Awaited<ReturnType<typeof startHttpMcpServer>>;

beforeAll(async () => {
  http = await startHttpMcpServer();
  const started = Date.now();
  t = await startTestServer({
    tool_timeout_ms: 5_000,
    mcp_servers: [
      { name: 'everything', command: process.execPath, args: [EVERYTHING_BIN, 'stdio'], timeout_ms: 1_500 },
      { name: 'calc', url: http.url, headers: { Authorization: HTTP_TOKEN } },
      { name: 'broken', command: '/nonexistent/bin/mcp-server-that-is-not-there' },
    ],
  });
  // Start-up does not wait for the servers: the app answers before they have connected.
  expect(Date.now() - started).toBeLessThan(5_000);
  await waitFor(async () => (await mcpStatus(t, 'everything'))?.status === 'connected' && (await mcpStatus(t, 'calc'))?.status === 'connected', 15_000);
});

afterAll(async () => {
  await t?.close();
  await http?.close();
});

describe('MCP servers', () => {
  it('lists a stdio server\'s tools as mcp__<server>__<tool> with their own schemas', async () => {
    const tools = await listTools(t);
    const echo = tools.find((tool) => tool.name === 'mcp__everything__echo');
    expect(echo).toMatchObject({
      category: 'mcp',
      server: 'everything',
      server_tool: 'echo',
      status: 'connected',
      parameters: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
    });
    expect(echo.description).toMatch(/echo/i);
    expect(echo.parameters).not.toHaveProperty('$schema');
    expect(tools.find((tool) => tool.name === 'mcp__everything__get-sum')).toMatchObject({
      category: 'mcp',
      parameters: { properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
    });
    // Builtin tools keep their shape (no MCP fields).
    expect(tools.find((tool) => tool.name === 'calculator')).toEqual(expect.not.objectContaining({ server: expect.anything() }));
    const status = await mcpStatus(t, 'everything');
    expect(status).toMatchObject({ transport: 'stdio', status: 'connected', error: null });
    expect(status.tools).toContain('mcp__everything__get-sum');
  });

  it('runs a stdio tool end to end: the sum comes back as the tool_result and is stored', async () => {
    const { steps, call, result, stored, toolMessage } = await runOneToolCall(t, 'mcp__everything__get-sum', { a: 2, b: 3 });
    expect(steps.map((s) => s.type)).toEqual(['tool_call', 'tool_result', 'text']);
    expect(result).toMatchObject({ name: 'mcp__everything__get-sum', id_ref: call.id_ref, success: true });
    expect(result.content).toBe('The sum of 2 and 3 is 5.');
    expect(stored.process_steps.find((s: any) => s.type === 'tool_result').content).toBe(result.content);
    expect(toolMessage).toMatchObject({ role: 'tool', content: 'The sum of 2 and 3 is 5.' });
  });

  it('validates arguments against the server\'s schema before calling it', async () => {
    const { result } = await runOneToolCall(t, 'mcp__everything__echo', { text: 'wrong field' });
    expect(result.success).toBe(false);
    expect(JSON.parse(result.content).error).toMatch(/Invalid arguments for mcp__everything__echo: .*message/);
  });

  it('applies the server\'s timeout_ms through the executor', async () => {
    const { result, stored } = await runOneToolCall(t, 'mcp__everything__trigger-long-running-operation', { duration: 5, steps: 5 });
    expect(result.success).toBe(false);
    expect(JSON.parse(result.content).error).toBe('Tool mcp__everything__trigger-long-running-operation timed out after 1500 ms');
    expect(stored.status).toBe('complete');
  });

  it('calls a streamable HTTP server (with its configured headers) end to end, and reports isError as a failed call', async () => {
    const tools = await listTools(t);
    expect(tools.find((tool) => tool.name === 'mcp__calc__multiply')).toMatchObject({
      category: 'mcp',
      description: 'Multiplies two numbers.',
      parameters: { properties: { a: { type: 'number' }, b: { type: 'number' } } },
    });
    expect((await mcpStatus(t, 'calc')).transport).toBe('http');
    const { result, stored } = await runOneToolCall(t, 'mcp__calc__multiply', { a: 6, b: 7 });
    expect(result).toMatchObject({ success: true, content: '42' });
    expect(stored.status).toBe('complete');

    const refused = await runOneToolCall(t, 'mcp__calc__multiply', { a: 6, b: 0 });
    expect(refused.result.success).toBe(false);
    expect(JSON.parse(refused.result.content)).toEqual({ success: false, error: 'refusing to multiply by zero' });
  });

  it('answers a clear error when the HTTP server goes away, and reconnects once it is back', async () => {
    const port = http.port;
    await http.close();
    const down = await runOneToolCall(t, 'mcp__calc__multiply', { a: 2, b: 2 });
    expect(down.result.success).toBe(false);
    expect(JSON.parse(down.result.content).error).toMatch(/^MCP server "calc" (lost the connection during the call|is unavailable)/);
    expect(down.stored.status).toBe('complete');
    expect((await mcpStatus(t, 'calc')).status).not.toBe('connected');

    http = await startHttpMcpServer(port);
    const back = await runOneToolCall(t, 'mcp__calc__multiply', { a: 2, b: 21 });
    expect(back.result).toMatchObject({ success: true, content: '42' });
    expect(await mcpStatus(t, 'calc')).toMatchObject({ status: 'connected', error: null });
  });

  it('reports a server whose command does not exist, offers none of its tools, and keeps the rest working', async () => {
    const broken = await waitFor(async () => {
      const status = await mcpStatus(t, 'broken');
      return status?.status === 'failed' ? status : undefined;
    });
    expect(broken).toMatchObject({ transport: 'stdio', tools: [], connected_at: null });
    expect(broken.error).toContain('command not found: /nonexistent/bin/mcp-server-that-is-not-there');
    expect((await listTools(t)).some((tool) => tool.name.startsWith('mcp__broken__'))).toBe(false);

    const { result } = await runOneToolCall(t, 'calculator', { expression: '2 + 2' });
    expect(result.success).toBe(true);
    const sum = await runOneToolCall(t, 'mcp__everything__get-sum', { a: 1, b: 1 });
    expect(sum.result.content).toBe('The sum of 1 and 1 is 2.');
  });

  it('reconnects a stdio server killed mid-session on the next call', async () => {
    const [pid] = everythingChildren();
    expect(pid).toBeGreaterThan(0);
    process.kill(pid as number, 'SIGKILL');
    const lost = await waitFor(async () => {
      const status = await mcpStatus(t, 'everything');
      return status?.status === 'disconnected' ? status : undefined;
    });
    expect(lost.error).toMatch(/closed/);
    // Its tools stay offered, so the model's next call is what brings it back.
    expect((await listTools(t)).find((tool) => tool.name === 'mcp__everything__echo')).toMatchObject({ status: 'disconnected' });

    const { result } = await runOneToolCall(t, 'mcp__everything__echo', { message: 'back again' });
    expect(result).toMatchObject({ success: true, content: 'Echo: back again' });
    expect(await mcpStatus(t, 'everything')).toMatchObject({ status: 'connected', error: null });
    const children = everythingChildren();
    expect(children).toHaveLength(1);
    expect(children[0]).not.toBe(pid);
  });

  it('answers a clear error when the reconnection fails too', async () => {
    // Starts the everything server once; every later start exits at once with a message on stderr.
    const dir = mkdtempSync(join(tmpdir(), 'nc-mcp-'));
    const script = [
      "import { existsSync, writeFileSync } from 'node:fs';",
      'const marker = process.env.NC_MARKER;',
      "if (existsSync(marker)) { console.error('refusing to start twice'); process.exit(3); }",
      "writeFileSync(marker, '');",
      `await import(${JSON.stringify(pathToFileURL(EVERYTHING_BIN).href)});`,
    ].join('\n');
    const local = await startTestServer({
      mcp_servers: [{ name: 'flaky', command: process.execPath, args: ['--input-type=module', '-e', script], env: { NC_MARKER: join(dir, 'started') } }],
    });
    try {
      await waitFor(async () => (await mcpStatus(local, 'flaky'))?.status === 'connected', 15_000);
      const [pid] = childProcesses('refusing to start twice');
      process.kill(pid as number, 'SIGKILL');
      await waitFor(async () => (await mcpStatus(local, 'flaky'))?.status === 'disconnected');

      const { result, stored } = await runOneToolCall(local, 'mcp__flaky__echo', { message: 'hello?' });
      expect(result.success).toBe(false);
      const error: string = JSON.parse(result.content).error;
      expect(error).toMatch(/^MCP server "flaky" is unavailable: reconnecting failed: /);
      expect(error).toContain('refusing to start twice');
      expect(stored.status).toBe('complete');
      expect(await mcpStatus(local, 'flaky')).toMatchObject({ status: 'failed', error: expect.stringContaining('refusing to start twice') });
      // The tools stay offered: a later call tries again.
      expect((await listTools(local)).some((tool) => tool.name === 'mcp__flaky__echo')).toBe(true);
    } finally {
      await local.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('close() ends the stdio children', async () => {
    const local = await startTestServer({ mcp_servers: [{ name: 'everything', command: process.execPath, args: [EVERYTHING_BIN, 'stdio'] }] });
    try {
      await waitFor(async () => (await mcpStatus(local, 'everything'))?.status === 'connected', 15_000);
      const before = everythingChildren();
      expect(before.length).toBeGreaterThanOrEqual(2);
    } finally {
      await local.close();
    }
    await waitFor(() => everythingChildren().length === 1);
  });
});
