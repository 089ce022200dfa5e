import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Config, ModelConfig } from '@nanoclaw/protocol';
import type { Simulator } from '@nanoclaw/llm-sim';
import { createDatabase, migrateToLatest, createRepositories, type Database } from './db/index.js';
import { createChatClient } from './llm/chatClient.js';
import { ModelCatalog } from './llm/modelCatalog.js';
import { createToolRegistry } from './tools/toolRegistry.js';
import { createToolExecutor } from './tools/toolExecutor.js';
import { registerBuiltinTools } from './tools/builtin/index.js';
import { RunRegistry } from './agent/runRegistry.js';
import { createRunService } from './agent/runService.js';
import { buildApp } from './http/app.js';
import type { AppContext } from './http/appContext.js';

export interface NanoclawServer {
  app: FastifyInstance;
  ctx: AppContext;
  /** Interrupts running answers (stored as `interrupted`), then closes HTTP, the database and the demo model. */
  close(): Promise<void>;
}

export interface CreateServerOptions {
  config: Config;
  logger?: Logger;
  now?: () => Date;
  /** Working directory that relative paths in the config are resolved against. */
  cwd?: string;
}

export const DEMO_MODEL_ID = 'nanoclaw-demo';

/** Wires the whole service together; main.ts and the integration tests both start it this way. */
export async function createServer(options: CreateServerOptions): Promise<NanoclawServer> {
  const { config } = options;
  const cwd = options.cwd ?? process.cwd();
  const logger = options.logger ?? pino({ level: config.log_level });
  const now = options.now ?? (() => new Date());
  const dataDir = resolve(cwd, config.data_dir);
  mkdirSync(dataDir, { recursive: true });

  let simulator: Simulator | null = null;
  let models: ModelConfig[] = config.models;
  let defaultModel = config.default_model;
  if (models.length === 0) {
    // Imported only when needed: a configured server never loads the simulator.
    const { startSimulator } = await import('@nanoclaw/llm-sim');
    simulator = await startSimulator({ host: '127.0.0.1', port: 0 });
    models = [{ id: DEMO_MODEL_ID, name: 'Offline demo (simulated, no real AI)', api_url: simulator.chatUrl, offline_demo: true, context_window: 32_768 }];
    defaultModel = DEMO_MODEL_ID;
    logger.warn('No model is configured: offering the offline demo model. See README to connect a real provider.');
  }

  let database: Database | null = null;
  try {
    database = await createDatabase({ url: config.database_url, dataDir });
    await migrateToLatest(database.db);
    const repos = createRepositories(database.db, now);
    await repos.users.ensureDefaultUser();
    const interrupted = await repos.messages.markUnfinished();
    if (interrupted) logger.warn({ count: interrupted }, 'answers cut off by an earlier shutdown are marked interrupted');

    const catalog = new ModelCatalog(models, defaultModel);
    const tools = createToolRegistry();
    registerBuiltinTools(tools, { now });
    const executor = createToolExecutor({
      registry: tools,
      maxWorkers: config.tool_max_workers,
      timeoutMs: config.tool_timeout_ms,
      outputMaxChars: config.tool_output_max_chars,
    });
    const chat = createChatClient({ settings: config.llm, logger });
    const registry = new RunRegistry(config.run_retention_ms);
    const runs = createRunService({
      config,
      repos,
      registry,
      catalog,
      logger,
      now,
      agent: {
        streamChat: (model, request, signal) => chat.streamChat(model, request, signal),
        toolDefinitions: () => tools.definitionsForModel(),
        executeTools: (calls, ctx) => executor.executeBatch(calls, ctx),
      },
    });
    const ctx: AppContext = { config: { ...config, models, default_model: defaultModel }, logger, repos, catalog, registry, runs, tools, now };
    const app = await buildApp(ctx);
    const db = database;
    return {
      app,
      ctx,
      async close() {
        await registry.shutdown();
        runs.stop();
        await app.close();
        await db.close();
        await simulator?.close();
      },
    };
  } catch (err) {
    await database?.close();
    await simulator?.close();
    throw err;
  }
}
