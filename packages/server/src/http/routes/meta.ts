import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../appContext.js';

/** Public metadata: auth mode, models, tools. (The profile lives in authRoutes.ts.) */
export function metaRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/auth/mode', async () => ({ code: 0, data: { mode: ctx.config.auth_mode } }));

    app.get('/models', async () => ({ code: 0, data: ctx.catalog.describe() }));

    // MCP tools carry their server and its status beside the usual fields.
    app.get('/tools', async () => ({
      code: 0,
      data: ctx.tools.describe().map((tool) => {
        const mcp = ctx.mcp?.toolInfo(tool.name);
        return mcp ? { ...tool, server: mcp.server, server_tool: mcp.tool, status: mcp.status } : tool;
      }),
    }));

    app.get('/tools/status', async () => ({ code: 0, data: { mcp_servers: ctx.mcp?.status() ?? [] } }));
  };
}
