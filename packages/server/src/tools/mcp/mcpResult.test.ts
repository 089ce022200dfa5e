import { describe, expect, it } from 'vitest';
import { convertMcpResult, McpToolError } from './mcpResult.js';
import { mcpToolName } from './mcpToolName.js';

describe('convertMcpResult', () => {
  it('joins text parts', () => {
    expect(convertMcpResult({ content: [{ type: 'text', text: 'one' }, { type: 'text', text: 'two' }] })).toBe('one\ntwo');
  });

  it('describes images and audio instead of passing base64 to the model', () => {
    const text = convertMcpResult({
      content: [
        { type: 'text', text: 'here:' },
        { type: 'image', mimeType: 'image/png', data: 'AAAA' },
        { type: 'audio', mimeType: 'audio/wav', data: 'AAA=' },
      ],
    });
    expect(text).toBe('here:\n[image: image/png, 3 bytes — not shown to the model]\n[audio: audio/wav, 2 bytes — not shown to the model]');
    expect(text).not.toContain('AAAA');
  });

  it('shows embedded text resources, describes binary ones and resource links', () => {
    expect(
      convertMcpResult({
        content: [
          { type: 'resource', resource: { uri: 'file:///a.txt', mimeType: 'text/plain', text: 'hello' } },
          { type: 'resource', resource: { uri: 'file:///b.bin', mimeType: 'application/octet-stream', blob: 'AAAAAA==' } },
          { type: 'resource_link', uri: 'test://c', name: 'c', mimeType: 'text/plain' },
        ],
      }),
    ).toBe('[resource file:///a.txt]\nhello\n[resource file:///b.bin: application/octet-stream, 4 bytes — not shown to the model]\n[resource link: c test://c (text/plain)]');
  });

  it('falls back to structured content, then to the legacy toolResult', () => {
    expect(convertMcpResult({ content: [], structuredContent: { temperature: 21 } })).toBe('{"temperature":21}');
    expect(convertMcpResult({ toolResult: { ok: true } })).toBe('{"ok":true}');
    expect(convertMcpResult({ toolResult: 'plain' })).toBe('plain');
    expect(convertMcpResult({ content: [] })).toBe('');
  });

  it('names unknown part types rather than dropping them silently', () => {
    expect(convertMcpResult({ content: [{ type: 'video' }, null, 'x'] })).toBe('[unsupported content part: video]');
  });

  it('throws the server message when isError is set', () => {
    expect(() => convertMcpResult({ isError: true, content: [{ type: 'text', text: 'division by zero' }] })).toThrow(new McpToolError('division by zero'));
    expect(() => convertMcpResult({ isError: true, content: [] })).toThrow(/without a message/);
    expect(() => convertMcpResult({ isError: false, content: [{ type: 'text', text: 'fine' }] })).not.toThrow();
  });
});

describe('mcpToolName', () => {
  it('prefixes server and tool', () => {
    expect(mcpToolName('everything', 'get-sum')).toBe('mcp__everything__get-sum');
  });

  it('replaces characters model APIs refuse', () => {
    expect(mcpToolName('fs', 'read.file/v2 now')).toBe('mcp__fs__read_file_v2_now');
  });

  it('keeps long names within 64 characters and distinct', () => {
    const a = mcpToolName('server', `${'x'.repeat(80)}a`);
    const b = mcpToolName('server', `${'x'.repeat(80)}b`);
    expect(a).toHaveLength(64);
    expect(b).toHaveLength(64);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^mcp__server__x+_[0-9a-f]{8}$/);
  });
});
