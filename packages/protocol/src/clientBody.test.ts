import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { clientBody, ignoredBodyFields } from './clientBody.js';

const schema = clientBody({
  title: z.string().max(5).optional(),
  tags: z.array(z.string()).optional(),
  project_id: z.string().nullable().optional(),
  id: z.string().optional(),
});

describe('clientBody', () => {
  it('reads null as absent for fields that have no use for it, and keeps null where it is a value', () => {
    expect(schema.parse({ title: null, tags: null, project_id: null })).toEqual({ project_id: null });
  });

  it('drops server-owned and unknown fields but keeps server-owned ones the shape lists', () => {
    const body = { title: 'a', id: 'c1', user_id: 'u1', created_at: 'x', message_count: 3, colour: 'red' };
    expect(schema.parse(body)).toEqual({ title: 'a', id: 'c1' });
    expect(ignoredBodyFields(schema, body)).toEqual(['colour']);
  });

  it('reads no body as an empty one, so required fields are named', () => {
    expect(schema.parse(undefined)).toEqual({});
    expect(schema.parse(null)).toEqual({});
    const required = clientBody({ text: z.string() }).safeParse(undefined);
    expect(required.success).toBe(false);
    expect(required.error?.issues[0]?.path).toEqual(['text']);
  });

  it('still refuses wrong types and values on the fields it uses, naming them', () => {
    const wrong = schema.safeParse({ title: 42, tags: 'x' });
    expect(wrong.success).toBe(false);
    expect(wrong.error?.issues.map((issue) => issue.path[0]).sort()).toEqual(['tags', 'title']);
    expect(schema.safeParse({ title: 'too long' }).success).toBe(false);
    expect(schema.safeParse([1, 2]).success).toBe(false);
    expect(schema.safeParse('text').success).toBe(false);
  });

  it('names ignored fields only for clientBody schemas and object bodies', () => {
    expect(ignoredBodyFields(z.object({}), { colour: 1 })).toEqual([]);
    expect(ignoredBodyFields(undefined, { colour: 1 })).toEqual([]);
    expect(ignoredBodyFields(schema, [1])).toEqual([]);
  });
});
