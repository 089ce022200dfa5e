import { describe, expect, it } from 'vitest';
import type { ApiMcpServerStatus, ApiTool } from '@nanoclaw/protocol';
import { anyServerSettling, groupTools } from './toolGroups';

const builtin = (name: string): ApiTool => ({ name, description: `${name} does things`, category: 'utility', parameters: {} });
const mcp = (server: string, tool: string): ApiTool => ({
  name: `mcp__${server}__${tool}`,
  description: `${tool} on ${server}`,
  category: 'mcp',
  parameters: {},
  server,
  server_tool: tool,
  status: 'connected',
});
const server = (name: string, status: ApiMcpServerStatus['status'], error: string | null = null): ApiMcpServerStatus => ({
  name,
  transport: 'stdio',
  status,
  error,
  tools: [],
  connected_at: null,
});

describe('groupTools', () => {
  it('puts built-in tools first, then one group per configured MCP server in configured order, each sorted by its own tool names', () => {
    const tools = [builtin('web_search'), mcp('files', 'read'), builtin('calculator'), mcp('everything', 'get-sum'), mcp('everything', 'echo')];
    const groups = groupTools(tools, [server('everything', 'connected'), server('files', 'connected')]);
    expect(groups.map((g) => (g.kind === 'mcp' ? g.server.name : g.kind))).toEqual(['builtin', 'everything', 'files']);
    expect(groups[0]!.tools.map((t) => t.label)).toEqual(['calculator', 'web_search']);
    expect(groups[1]!.tools.map((t) => [t.label, t.name])).toEqual([
      ['echo', 'mcp__everything__echo'],
      ['get-sum', 'mcp__everything__get-sum'],
    ]);
  });

  it('keeps servers that have no tools (connecting, failed) with their state and error', () => {
    const groups = groupTools([builtin('calculator')], [server('slow', 'connecting'), server('broken', 'failed', 'command not found: nope')]);
    expect(groups.slice(1)).toMatchObject([
      { kind: 'mcp', server: { name: 'slow', status: 'connecting' }, tools: [] },
      { kind: 'mcp', server: { name: 'broken', status: 'failed', error: 'command not found: nope' }, tools: [] },
    ]);
  });
});

describe('anyServerSettling', () => {
  it('is true only while some server is still connecting', () => {
    expect(anyServerSettling(groupTools([], [server('a', 'connected'), server('b', 'connecting')]))).toBe(true);
    expect(anyServerSettling(groupTools([], [server('a', 'connected'), server('b', 'failed', 'x')]))).toBe(false);
    expect(anyServerSettling(groupTools([builtin('calculator')], []))).toBe(false);
  });
});
