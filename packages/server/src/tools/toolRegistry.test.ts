import { describe, expect, it } from 'vitest';
import { createToolRegistry } from './toolRegistry.js';
import type { ToolDefinition } from './types.js';

function makeTool(name: string, handler: ToolDefinition['handler'], extra: Partial<ToolDefinition> = {}): ToolDefinition {
  return { name, description: `${name} for tests`, category: 'test', parameters: { type: 'object', properties: {} }, handler, ...extra };
}

describe('createToolRegistry', () => {
  it('lists registered tools in registration order and finds them by name', () => {
    const registry = createToolRegistry();
    const first = makeTool('first', () => 1);
    registry.register(first);
    registry.register(makeTool('second', () => 2));
    expect(registry.list().map((tool) => tool.name)).toEqual(['first', 'second']);
    expect(registry.get('first')).toBe(first);
    expect(registry.get('missing')).toBeUndefined();
  });

  it('refuses a second tool with the same name', () => {
    const registry = createToolRegistry();
    registry.register(makeTool('echo', () => 1));
    expect(() => registry.register(makeTool('echo', () => 2))).toThrow('A tool named "echo" is already registered');
  });

  it('compiles the schema at registration when asked, so a broken schema from outside fails immediately', () => {
    const registry = createToolRegistry();
    expect(() => registry.register(makeTool('broken', () => 1, { parameters: { type: 'no-such-type' } }), { compileNow: true })).toThrow();
    expect(registry.get('broken')).toBeUndefined();
  });

  it('otherwise compiles a schema when arguments are first checked, once', () => {
    const registry = createToolRegistry();
    registry.register(makeTool('broken', () => 1, { parameters: { type: 'no-such-type' } }));
    expect(registry.get('broken')).toBeDefined();
    expect(() => registry.checkArguments('broken', {})).toThrow();
    const parameters = { type: 'object', properties: { n: { type: 'integer' } } };
    registry.register(makeTool('counted', () => 1, { parameters }));
    expect(registry.checkArguments('counted', { n: 1 })).toEqual({ valid: true });
    // Changing the definition afterwards no longer matters: the compiled validator is kept.
    parameters.properties.n.type = 'string';
    expect(registry.checkArguments('counted', { n: 2 })).toEqual({ valid: true });
  });

  it('gives the model OpenAI function definitions, optionally filtered', () => {
    const registry = createToolRegistry();
    const parameters = { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] };
    registry.register(makeTool('search', () => 1, { parameters, description: 'Search things' }));
    registry.register(makeTool('other', () => 1));
    expect(registry.definitionsForModel((tool) => tool.name === 'search')).toEqual([
      { type: 'function', function: { name: 'search', description: 'Search things', parameters } },
    ]);
    expect(registry.definitionsForModel()).toHaveLength(2);
  });

  it('describes tools without their handlers', () => {
    const registry = createToolRegistry();
    registry.register(makeTool('echo', () => 1, { category: 'utility', timeoutMs: 5 }));
    expect(registry.describe()).toEqual([
      { name: 'echo', description: 'echo for tests', category: 'utility', parameters: { type: 'object', properties: {} } },
    ]);
  });

  it('validates arguments, fills in schema defaults and names every bad field', () => {
    const registry = createToolRegistry();
    registry.register(
      makeTool('shape', () => 1, {
        parameters: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            count: { type: 'integer', minimum: 1 },
            mode: { type: 'string', enum: ['fast', 'slow'], default: 'fast' },
            items: { type: 'array', items: { type: 'object', properties: { id: { type: 'number' } } } },
          },
          required: ['name'],
          additionalProperties: false,
        },
      }),
    );
    const args: Record<string, unknown> = { name: 'x' };
    expect(registry.checkArguments('shape', args)).toEqual({ valid: true });
    expect(args).toEqual({ name: 'x', mode: 'fast' });

    expect(registry.checkArguments('shape', { count: 1.5, mode: 'medium', items: [{ id: 'a' }], extra: true })).toEqual({
      valid: false,
      problems: [
        '"name" is required',
        '"extra" is not an accepted argument',
        '"count" must be an integer',
        '"mode" must be one of "fast", "slow"',
        '"items[0].id" must be a number',
      ],
    });
    expect(registry.checkArguments('shape', { name: 'x', count: 0 })).toEqual({ valid: false, problems: ['"count" must be >= 1'] });
  });
});
