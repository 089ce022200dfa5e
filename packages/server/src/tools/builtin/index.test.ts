import { describe, expect, it } from 'vitest';
import { registerBuiltinTools } from './index.js';
import { createToolRegistry } from '../toolRegistry.js';
import { createToolExecutor } from '../toolExecutor.js';

describe('registerBuiltinTools', () => {
  it('registers the calculator and the clock, usable through the executor', async () => {
    const registry = createToolRegistry();
    registerBuiltinTools(registry, { now: () => new Date('2025-01-01T00:00:00Z'), defaultTimeZone: 'UTC' });
    expect(registry.describe().map(({ name, category }) => [name, category])).toEqual([
      ['calculator', 'math'],
      ['get_current_time', 'utility'],
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
