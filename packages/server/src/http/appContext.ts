import type { Logger } from 'pino';
import type { Config } from '@nanoclaw/protocol';
import type { Repositories, UserRow } from '../db/index.js';
import type { ModelCatalog } from '../llm/modelCatalog.js';
import type { RunHub } from '../agent/runHub.js';
import type { RunService } from '../agent/runService.js';
import type { ToolRegistry } from '../tools/toolRegistry.js';
import type { McpBridge } from '../tools/mcp/mcpBridge.js';
import type { ProjectWorkspaces } from '../workspace/projectWorkspaces.js';
import type { ProjectChangeFeed } from '../workspace/projectChangeFeed.js';
import type { AuthService } from '../auth/authService.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import type { Readiness } from '../telemetry/readinessCheck.js';
import type { QuotaService } from '../quotas/quotaService.js';
import type { CounterStore } from '../quotas/counterStore.js';
import type { ApiKeyService } from '../auth/apiKeyService.js';
import type { ChatClient } from '../llm/chatClient.js';
import type { AttachmentService } from '../attachments/attachmentService.js';

/** Everything the routes need, built once in main.ts (tests build it against temp dirs and the simulator). */
export interface AppContext {
  config: Config;
  logger: Logger;
  repos: Repositories;
  catalog: ModelCatalog;
  runHub: RunHub;
  runs: RunService;
  tools: ToolRegistry;
  /** Configured MCP servers: their status, and which server each `mcp__…` tool belongs to. */
  mcp?: McpBridge;
  /** Projects with their directories; the only way to their files. */
  workspaces: ProjectWorkspaces;
  /** Changes to project files, for the file-events streams (shared through Redis when configured). */
  fileChanges: ProjectChangeFeed;
  /** Accounts and tokens (multi-user mode). */
  auth: AuthService;
  /** Per-user token and request limits (the chat client asks them before every model request). */
  quotas: QuotaService;
  /** Counters shared by every instance (Redis or the database): quotas, sign-in attempts. */
  counters: CounterStore;
  /** API keys of the OpenAI-compatible API (`/v1`). */
  apiKeys: ApiKeyService;
  /** The model client every model request goes through (agent runs and `/v1` relays alike). */
  chat: ChatClient;
  /** Uploaded files attached to messages. */
  attachments?: AttachmentService;
  now: () => Date;
  /** Metrics and traces (no-ops when both are off). */
  telemetry: Telemetry;
  /** Whether the database (and Redis, when configured) answer, for GET /readyz. */
  readiness: () => Promise<Readiness>;
  /** Which of several server processes (`workers` > 1) this is; absent when there is one. */
  worker?: { id: number; pid: number };
}

declare module 'fastify' {
  interface FastifyRequest {
    user: UserRow;
  }
  interface FastifyInstance {
    /** Every route of the app, as registered (method and URL pattern; the web app's catch-all left out). */
    registeredRoutes(): ReadonlyArray<{ method: string; url: string }>;
  }
}
