import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createToolRegistry } from './toolRegistry.js';
import type { JsonSchemaToolDefinition, ZodToolDefinition } from './types.js';

function makeTool(name: string, handler: JsonSchemaToolDefinition['handler'], extra: Partial<JsonSchemaToolDefinition> = {}): JsonSchemaToolDefinition {
  return { name, description: `${name} for tests`, category: 'test', parameters: { type: 'object', properties: {} }, handler, ...extra };
}

const shapeArguments = z.strictObject({
  name: z.string().min(1).describe('What to call it.'),
  count: z.int().min(1).max(10).optional(),
  mode: z.enum(['fast', 'slow']).default('fast'),
  items: z.array(z.strictObject({ id: z.number() })).max(2).optional(),
});

function makeZodTool(name: string, handler: ZodToolDefinition<z.infer<typeof shapeArguments>>['handler'] = () => 1): ZodToolDefinition<z.infer<typeof shapeArguments>> {
  return { name, description: `${name} for tests`, category: 'test', arguments: shapeArguments, handler };
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
    expect(registry.checkArguments('counted', { n: 1 })).toEqual({ valid: true, args: { n: 1 } });
    // Changing the definition afterwards no longer matters: the compiled validator is kept.
    parameters.properties.n.type = 'string';
    expect(registry.checkArguments('counted', { n: 2 })).toEqual({ valid: true, args: { n: 2 } });
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
    expect(registry.checkArguments('shape', args)).toEqual({ valid: true, args: { name: 'x', mode: 'fast' } });

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

  it("offers a zod tool's arguments to the model as a draft-07 JSON Schema: object, properties, required, no extra keys", () => {
    const registry = createToolRegistry();
    registry.register(makeZodTool('shape'));
    const expected = {
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1, description: 'What to call it.' },
        count: { type: 'integer', minimum: 1, maximum: 10 },
        mode: { type: 'string', enum: ['fast', 'slow'], default: 'fast' },
        items: {
          type: 'array',
          maxItems: 2,
          items: { type: 'object', properties: { id: { type: 'number' } }, required: ['id'], additionalProperties: false },
        },
      },
      // A field with a default is optional for the model.
      required: ['name'],
      additionalProperties: false,
    };
    expect(registry.describe()[0]?.parameters).toStrictEqual(expected);
    expect(registry.definitionsForModel()).toStrictEqual([
      { type: 'function', function: { name: 'shape', description: 'shape for tests', parameters: expected } },
    ]);
  });

  it("checks a zod tool's arguments with its schema: defaults filled in, every wrong argument named", () => {
    const registry = createToolRegistry();
    registry.register(makeZodTool('shape'));
    const args = { name: 'x' };
    expect(registry.checkArguments('shape', args)).toEqual({ valid: true, args: { name: 'x', mode: 'fast' } });
    expect(args).toEqual({ name: 'x' });

    expect(registry.checkArguments('shape', { count: 1.5, mode: 'medium', items: [{ id: 'a' }], extra: true })).toEqual({
      valid: false,
      problems: [
        '"name" is required',
        '"count" must be an integer',
        '"mode" must be one of "fast", "slow"',
        '"items[0].id" must be a number',
        '"extra" is not an accepted argument',
      ],
    });
    expect(registry.checkArguments('shape', { name: '', count: 11, items: [{ id: 1 }, { id: 2 }, { id: 3 }] })).toEqual({
      valid: false,
      problems: ['"name" must NOT have fewer than 1 characters', '"count" must be <= 10', '"items" must NOT have more than 2 items'],
    });
  });
});
