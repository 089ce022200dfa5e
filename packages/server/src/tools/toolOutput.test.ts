import { describe, expect, it } from 'vitest';
import { errorContent, serializeOutput, truncateOutput } from './toolOutput.js';
import { canonicalJson } from './canonicalJson.js';

describe('toolOutput', () => {
  it('writes errors in the exact shape the original service sent', () => {
    expect(errorContent('Bad "quote"\nline')).toBe('{"success": false, "error": "Bad \\"quote\\"\\nline"}');
    expect(JSON.parse(errorContent('x'))).toEqual({ success: false, error: 'x' });
  });

  it('serializes non-strings as JSON', () => {
    expect(serializeOutput('raw')).toBe('raw');
    expect(serializeOutput({ a: [1, null] })).toBe('{"a":[1,null]}');
    expect(serializeOutput(undefined)).toBe('null');
  });

  it('does not split a surrogate pair when truncating', () => {
    const text = `ab${'😀'}cd`;
    expect(truncateOutput(text, 3)).toBe(`ab\n… [output truncated: 2 of ${text.length} characters shown]`);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
  });
});
