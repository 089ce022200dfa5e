import type { Logger } from 'pino';
import type { Config } from '@nanoclaw/protocol';
import type { Repositories, UserRow } from '../db/index.js';
import type { ModelCatalog } from '../llm/modelCatalog.js';
import type { RunRegistry } from '../agent/runRegistry.js';
import type { RunService } from '../agent/runService.js';
import type { ToolRegistry } from '../tools/toolRegistry.js';

/** Everything the routes need, built once in main.ts (tests build it against temp dirs and the simulator). */
export interface AppContext {
  config: Config;
  logger: Logger;
  repos: Repositories;
  catalog: ModelCatalog;
  registry: RunRegistry;
  runs: RunService;
  tools: ToolRegistry;
  now: () => Date;
}

declare module 'fastify' {
  interface FastifyRequest {
    user: UserRow;
  }
}
