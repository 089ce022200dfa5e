import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ApiAuthMode } from '@nanoclaw/protocol';
import type { AppContext } from '../appContext.js';
import { OIDC_LOGIN_PATH } from './oidcRoutes.js';

/** Public metadata: auth mode, models, tools. (The profile lives in authRoutes.ts.) */
export function metaRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/auth/mode', async () => {
      const multi = ctx.config.auth_mode === 'multi';
      const oidc = multi && ctx.config.oidc ? { name: ctx.config.oidc.name, login_url: OIDC_LOGIN_PATH } : null;
      const data: ApiAuthMode = { mode: ctx.config.auth_mode, local_login: multi && ctx.config.local_login, oidc };
      return { code: 0, data };
    });

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
