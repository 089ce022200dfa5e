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
  /** Uploaded files attached to messages. */
  attachments?: AttachmentService;
  now: () => Date;
}

declare module 'fastify' {
  interface FastifyRequest {
    user: UserRow;
  }
}
