import { describe, expect, it } from 'vitest';
import { registerBuiltinTools } from './index.js';
import { createToolRegistry } from '../toolRegistry.js';
import { createToolExecutor } from '../toolExecutor.js';
import { createMultiAgentTool } from './multiAgent.js';
import type { PythonPool } from '../../sandbox/pythonPool.js';

describe('registerBuiltinTools', () => {
  it('registers the calculator and the clock, usable through the executor', async () => {
    const registry = createToolRegistry();
    registerBuiltinTools(registry, { now: () => new Date('2025-01-01T00:00:00Z'), defaultTimeZone: 'UTC' });
    expect(registry.describe().map(({ name, category }) => [name, category])).toEqual([
      ['calculator', 'math'],
      ['get_current_time', 'utility'],
      ['text_process', 'text'],
      ['json_process', 'data'],
    ]);
    const executor = createToolExecutor({ registry, maxWorkers: 2, timeoutMs: 1000, outputMaxChars: 1000 });
    const ctx = { userId: 'u', conversationId: 'c', projectId: null, model: 'm', signal: new AbortController().signal };
    const outcomes = await executor.executeBatch(
      [
        { id: '1', name: 'get_current_time', arguments: '' },
        { id: '2', name: 'get_current_time', arguments: '{"format": "iso", "timezone": "Mars/Base"}' },
        { id: '3', name: 'get_current_time', arguments: '{"format": "long"}' },
      ],
      ctx,
    );
    expect(JSON.parse(outcomes[0]?.content ?? '')).toMatchObject({ timezone: 'UTC', iso: '2025-01-01T00:00:00Z', weekday: 'Wednesday' });
    expect(outcomes[1]?.content).toBe('{"success": false, "error": "Unknown time zone: Mars/Base"}');
    expect(outcomes[2]?.content).toBe(
      '{"success": false, "error": "Invalid arguments for get_current_time: \\"format\\" must be one of \\"iso\\", \\"human\\""}',
    );
  });
});

describe('registerBuiltinTools: every schema', () => {
  it('generates a provider-ready JSON Schema and checks arguments for every built-in tool (both happen on first use, not at start-up)', async () => {
    const { configSchema } = await import('@nanoclaw/protocol');
    const config = configSchema.parse({});
    const registry = createToolRegistry();
    registerBuiltinTools(registry, {
      now: () => new Date(),
      workspaces: { filesOf: async () => null },
      // Only the tool's definition is read here; the pool is used when the tool runs.
      python: { pool: {} as PythonPool, defaultLevel: 'standard', maxLevel: 'standard' },
      web: { web: config.web, search: config.search, weather: config.weather },
    });
    registry.register(createMultiAgentTool(config.multi_agent));
    const names = registry.list().map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['calculator', 'file_read', 'execute_python', 'fetch_page', 'multi_agent']));
    for (const name of names) expect(() => registry.checkArguments(name, {}), name).not.toThrow();
    for (const { name, parameters } of registry.describe()) {
      expect(parameters, name).toMatchObject({ type: 'object', properties: expect.any(Object) });
      expect(Object.keys(parameters), name).not.toContain('$schema');
      const required = (parameters.required ?? []) as string[];
      expect(required.every((field) => field in (parameters.properties as object)), name).toBe(true);
    }
    const parametersOf = (name: string) => registry.describe().find((tool) => tool.name === name)?.parameters;
    expect(parametersOf('calculator')).toStrictEqual({
      type: 'object',
      properties: {
        expression: { type: 'string', minLength: 1, maxLength: 1000, description: 'The expression, e.g. "(3 + 4) * sqrt(16) / 2" or "12 inch to cm".' },
        precision: { type: 'integer', minimum: 0, maximum: 20, description: 'Round a numeric result to this many decimal places.' },
      },
      required: ['expression'],
    });
    expect(parametersOf('file_list')).toMatchObject({ additionalProperties: false, properties: { max_results: { default: 500 } } });
    expect(parametersOf('file_list')).not.toHaveProperty('required');
  });
});

describe('registerBuiltinTools: web tools', () => {
  it('offers fetch_page, crawl_batch, web_search and get_weather when web settings are given', async () => {
    const { configSchema } = await import('@nanoclaw/protocol');
    const config = configSchema.parse({});
    const registry = createToolRegistry();
    registerBuiltinTools(registry, { now: () => new Date(), web: { web: config.web, search: config.search, weather: config.weather } });
    expect(registry.describe().filter((tool) => tool.category === 'web').map((tool) => tool.name)).toEqual(['fetch_page', 'crawl_batch', 'web_search', 'get_weather']);
  });

  it('fails at start-up on an unreadable allowlist entry', async () => {
    const { configSchema } = await import('@nanoclaw/protocol');
    const config = configSchema.parse({ web: { allow_private_hosts: ['10.0.0.0/40'] } });
    expect(() => registerBuiltinTools(createToolRegistry(), { now: () => new Date(), web: { web: config.web, search: config.search, weather: config.weather } })).toThrow(
      'web.allow_private_hosts: "10.0.0.0/40" is not a valid CIDR range',
    );
  });
});
