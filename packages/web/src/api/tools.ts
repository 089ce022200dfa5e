import type { ApiMcpServerStatus, ApiTool } from '@nanoclaw/protocol';
import { request } from './http';

export type { ApiMcpServerStatus, ApiTool };

/** GET /api/tools: every tool the model may be offered (MCP tools name their server and its state). */
export const fetchTools = () => request<ApiTool[]>('GET', '/api/tools');

/** GET /api/tools/status: every configured MCP server, connected or not, with the reason it is not. */
export const fetchToolStatus = () => request<{ mcp_servers: ApiMcpServerStatus[] }>('GET', '/api/tools/status');
