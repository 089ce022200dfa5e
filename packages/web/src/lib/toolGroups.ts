import type { ApiMcpServerStatus, ApiTool } from '@nanoclaw/protocol';

export type McpState = ApiMcpServerStatus['status'];

/** A tool as the list shows it: its name where it lives (an MCP tool by its own name on its server). */
export interface ListedTool {
  name: string;
  label: string;
  description: string;
}

export type ToolGroup =
  | { kind: 'builtin'; key: string; tools: ListedTool[] }
  | { kind: 'mcp'; key: string; server: ApiMcpServerStatus; tools: ListedTool[] };

/**
 * The tools grouped for display: the built-in ones first, then each configured MCP server in its
 * configured order, servers without tools (still connecting, failed) included so that their state shows.
 * Fetch the status before the tools: a server is marked connected only once its tools are registered.
 */
export function groupTools(tools: ApiTool[], servers: ApiMcpServerStatus[]): ToolGroup[] {
  const byLabel = (a: ListedTool, b: ListedTool) => a.label.localeCompare(b.label);
  const builtin = tools
    .filter((tool) => tool.server === undefined)
    .map((tool) => ({ name: tool.name, label: tool.name, description: tool.description }))
    .sort(byLabel);
  const groups: ToolGroup[] = [{ kind: 'builtin', key: 'builtin', tools: builtin }];
  for (const server of servers) {
    const own = tools
      .filter((tool) => tool.server === server.name)
      .map((tool) => ({ name: tool.name, label: tool.server_tool ?? tool.name, description: tool.description }))
      .sort(byLabel);
    groups.push({ kind: 'mcp', key: `mcp:${server.name}`, server, tools: own });
  }
  return groups;
}

/** While a server is on its way up, its state is worth asking again. */
export function anyServerSettling(groups: ToolGroup[]): boolean {
  return groups.some((group) => group.kind === 'mcp' && group.server.status === 'connecting');
}
