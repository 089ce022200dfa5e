import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { configSchema } from '@nanoclaw/protocol';
import { createToolRegistry } from '../toolRegistry.js';
import { createMcpBridge, type McpBridge } from './mcpBridge.js';

const logger = pino({ level: 'silent' });
let bridge: McpBridge | undefined;
afterEach(async () => {
  await bridge?.close();
  bridge = undefined;
});

describe('mcp_servers config', () => {
  it('accepts stdio and HTTP entries with defaults', () => {
    const config = configSchema.parse({
      mcp_servers: [
        { name: 'files', command: 'npx', args: ['-y', 'some-server'], env: { TOKEN: 'x' }, cwd: './srv' },
        { name: 'remote_1', url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer t' }, timeout_ms: 5000 },
      ],
    });
    expect(config.mcp_servers).toEqual([
      { name: 'files', command: 'npx', args: ['-y', 'some-server'], env: { TOKEN: 'x' }, cwd: './srv', connect_timeout_ms: 30_000, enabled: true },
      { name: 'remote_1', url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer t' }, timeout_ms: 5000, connect_timeout_ms: 30_000, enabled: true },
    ]);
    expect(configSchema.parse({}).mcp_servers).toEqual([]);
  });

  it('refuses bad names, duplicates, mixed and unknown fields', () => {
    expect(() => configSchema.parse({ mcp_servers: [{ name: 'a b', command: 'x' }] })).toThrow();
    expect(() => configSchema.parse({ mcp_servers: [{ name: 'a', command: 'x' }, { name: 'a', url: 'http://h/mcp' }] })).toThrow(/unique/);
    expect(() => configSchema.parse({ mcp_servers: [{ name: 'a', command: 'x', url: 'http://h/mcp' }] })).toThrow();
    expect(() => configSchema.parse({ mcp_servers: [{ name: 'a', url: 'not a url' }] })).toThrow();
    expect(() => configSchema.parse({ mcp_servers: [{ name: 'a' }] })).toThrow();
  });
});

describe('createMcpBridge', () => {
  it('starts in the background: a server that never answers times out as failed and registers nothing', async () => {
    const registry = createToolRegistry();
    const [server] = configSchema.parse({
      mcp_servers: [{ name: 'silent', command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'], connect_timeout_ms: 300 }],
    }).mcp_servers;
    bridge = createMcpBridge({ servers: [server!], registry, logger, cwd: process.cwd(), defaultTimeoutMs: 1000, retryBaseMs: 60_000 });
    // start() returns at once (it is synchronous): the server is still connecting afterwards.
    bridge.start();
    expect(bridge.status()[0]).toMatchObject({ name: 'silent', transport: 'stdio', status: 'connecting' });
    await bridge.settled();
    expect(bridge.status()[0]).toMatchObject({ status: 'failed', tools: [], error: expect.stringMatching(/timed out/i) });
    expect(registry.list().filter((tool) => tool.category === 'mcp')).toEqual([]);
    // The child that never answered does not outlive the bridge.
    await bridge.close();
    const children = execFileSync('ps', ['-o', 'args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
    expect(children).not.toContain('setInterval(() => {}, 1000)');
  });

  it('leaves a disabled server alone and reports it', async () => {
    const [server] = configSchema.parse({ mcp_servers: [{ name: 'off', url: 'http://127.0.0.1:1/mcp', enabled: false }] }).mcp_servers;
    bridge = createMcpBridge({ servers: [server!], registry: createToolRegistry(), logger, cwd: process.cwd(), defaultTimeoutMs: 1000 });
    bridge.start();
    await bridge.settled();
    expect(bridge.status()).toEqual([{ name: 'off', transport: 'http', status: 'disabled', error: null, tools: [], connected_at: null }]);
  });

  it('reports an unreachable HTTP server as failed', async () => {
    const [server] = configSchema.parse({ mcp_servers: [{ name: 'gone', url: 'http://127.0.0.1:1/mcp', connect_timeout_ms: 2000 }] }).mcp_servers;
    bridge = createMcpBridge({ servers: [server!], registry: createToolRegistry(), logger, cwd: process.cwd(), defaultTimeoutMs: 1000, retryBaseMs: 60_000 });
    bridge.start();
    await bridge.settled();
    expect(bridge.status()[0]).toMatchObject({ status: 'failed', error: expect.any(String) });
  });
});

describe('ToolRegistry.unregister', () => {
  it('removes a tool so the name can be registered again', () => {
    const registry = createToolRegistry();
    const tool = { name: 'mcp__s__t', description: 'd', category: 'mcp', parameters: { type: 'object' }, handler: () => 'x' };
    registry.register(tool);
    expect(registry.unregister('mcp__s__t')).toBe(true);
    expect(registry.get('mcp__s__t')).toBeUndefined();
    expect(registry.unregister('mcp__s__t')).toBe(false);
    expect(() => registry.register(tool)).not.toThrow();
  });
});
