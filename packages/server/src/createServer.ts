import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Config, ModelConfig } from '@nanoclaw/protocol';
import type { Simulator } from '@nanoclaw/llm-sim';
import { createDatabase, migrateToLatest, createRepositories, type Database } from './db/index.js';
import { createChatClient } from './llm/chatClient.js';
import { createUndiciTransport } from './llm/httpTransport.js';
import { createQuotaService } from './quotas/quotaService.js';
import { RedisCounterStore } from './quotas/redisCounterStore.js';
import type { CounterStore } from './quotas/counterStore.js';
import { ModelCatalog } from './llm/modelCatalog.js';
import { discoverModels } from './llm/discoverModels.js';
import { createToolRegistry } from './tools/toolRegistry.js';
import { createToolExecutor } from './tools/toolExecutor.js';
import { registerBuiltinTools } from './tools/builtin/index.js';
import { createMultiAgentTool } from './tools/builtin/multiAgent.js';
import type { McpBridge } from './tools/mcp/mcpBridge.js';
import { createPythonPool, type PythonPool, type PythonPoolStats } from './sandbox/pythonPool.js';
import { RunRegistry } from './agent/runRegistry.js';
import { RedisRunHub } from './agent/redisRunHub.js';
import type { RunHub } from './agent/runHub.js';
import type { Repositories } from './db/index.js';
import { createRunService } from './agent/runService.js';
import { createAttachmentService } from './attachments/attachmentService.js';
import { buildApp } from './http/app.js';
import { authConfigProblem } from './auth/jwtSecret.js';
import { createAuthService } from './auth/authService.js';
import { createApiKeyService } from './auth/apiKeyService.js';
import { createProjectWorkspaces } from './workspace/projectWorkspaces.js';
import { pathLimitsOf } from './workspace/resolveProjectPath.js';
import { LocalChangeFeed, type ProjectChangeFeed } from './workspace/projectChangeFeed.js';
import { RedisChangeFeed } from './workspace/redisChangeFeed.js';
import type { AppContext } from './http/appContext.js';
import { sql } from 'kysely';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { telemetryFromConfig } from './telemetry/createTelemetry.js';
import { createReadinessCheck } from './telemetry/readinessCheck.js';

export interface NanoclawServer {
  app: FastifyInstance;
  ctx: AppContext;
  /**
   * Loads the calculator's worker and the Python sandbox pool (`warm_up`), so that the first tool call does not
   * wait for them; resolves once both are ready. serve() calls it after listening without waiting for it.
   */
  warmUp(): Promise<void>;
  /** The calculator's and the Python sandbox's workers: started so far, and ready (diagnostics, tests). */
  toolWorkers(): { calculator: { live: number; idle: number; started: number }; python: PythonPoolStats };
  /** Interrupts running answers (stored as `interrupted`), then closes HTTP, the database and the demo model. */
  close(): Promise<void>;
}

export interface CreateServerOptions {
  config: Config;
  logger?: Logger;
  now?: () => Date;
  /** Working directory that relative paths in the config are resolved against. */
  cwd?: string;
  /** Traces go here (each span as it ends) instead of to the configured OTLP endpoint: tests. */
  spanExporter?: SpanExporter;
  /** Which worker process this is when `workers` > 1 (reported by GET /healthz). */
  worker?: { id: number };
}

/** How long GET /readyz waits for the database or Redis to answer, ms. */
const READINESS_TIMEOUT_MS = 2_000;

export const DEMO_MODEL_ID = 'nanoclaw-demo';

/** Wires the whole service together; main.ts and the integration tests both start it this way. */
export async function createServer(options: CreateServerOptions): Promise<NanoclawServer> {
  const { config } = options;
  const cwd = options.cwd ?? process.cwd();
  const logger = options.logger ?? pino({ level: config.log_level });
  const now = options.now ?? (() => new Date());
  // Multi-user mode with a missing, short or placeholder jwt_secret must not start.
  const authProblem = authConfigProblem(config);
  if (authProblem) throw new Error(authProblem);
  const dataDir = resolve(cwd, config.data_dir);
  mkdirSync(dataDir, { recursive: true });

  const telemetry = await telemetryFromConfig(config, options.spanExporter);
  const transport = createUndiciTransport();
  // Model discovery only lists models; runs use the client below, which knows the quotas.
  const discovery = createChatClient({ settings: config.llm, logger, transport });
  let simulator: Simulator | null = null;
  let models: ModelConfig[] = [...config.models, ...(await discoverModels(config.discover_models, config.models, discovery, logger))];
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
  let python: PythonPool | null = null;
  let mcp: McpBridge | null = null;
  let fileChanges: ProjectChangeFeed | null = null;
  let counters: CounterStore | null = null;
  /** Set once close() begins: tools still loading then fail quietly. */
  let closing = false;
  try {
    database = await createDatabase({ url: config.database_url, dataDir });
    await migrateToLatest(database.db);
    const repos = createRepositories(database.db, now);
    await repos.users.ensureDefaultUser();
    const runHub = await createRunHub(config, repos, logger);
    const changes = config.redis_url
      ? await RedisChangeFeed.connect({ url: config.redis_url, keyPrefix: config.redis.key_prefix, logger })
      : new LocalChangeFeed();
    fileChanges = changes;
    const sharedCounters: CounterStore = config.redis_url
      ? await RedisCounterStore.connect({ url: config.redis_url, keyPrefix: config.redis.key_prefix, logger })
      : repos.rateCounters;
    counters = sharedCounters;
    const quotas = createQuotaService({ defaults: config.quotas.default, overrides: repos.userLimits, counters: sharedCounters, now, logger });
    const chat = createChatClient({ settings: config.llm, logger, transport, quota: quotas.gate, telemetry });

    const catalog = new ModelCatalog(models, defaultModel);
    const tools = createToolRegistry();
    const workspaceRoot = resolve(cwd, config.workspace_root ?? join(dataDir, 'workspaces'));
    mkdirSync(workspaceRoot, { recursive: true });
    const workspaces = createProjectWorkspaces({
      root: workspaceRoot,
      projects: repos.projects,
      limits: { maxReadBytes: config.max_file_read_bytes, maxWriteBytes: config.max_file_write_bytes, path: pathLimitsOf(config) },
      changes,
      logger,
    });
    const auth = createAuthService({ config, users: repos.users, now });
    const apiKeys = createApiKeyService({ keys: repos.apiKeys, users: repos.users, now });
    // The Python sandbox loads its workers on the first execute_python call unless prewarm is set.
    const pool = createPythonPool({
      poolSize: config.sandbox.pool_size,
      maxWorkers: config.sandbox.max_workers,
      memoryMb: config.sandbox.memory_mb,
      outputMaxChars: config.sandbox.output_max_chars,
      onError: (error) => {
        if (!closing) logger.warn({ err: error }, 'python sandbox worker failed to start');
      },
    });
    python = pool;
    if (config.sandbox.prewarm) pool.warm().catch((error: unknown) => logger.warn({ err: error }, 'python sandbox prewarm failed'));
    const pythonTool = { pool, defaultLevel: config.sandbox.default_level, maxLevel: config.sandbox.max_level };
    const builtins = registerBuiltinTools(tools, {
      now,
      workspaces,
      python: pythonTool,
      web: { web: config.web, search: config.search, weather: config.weather },
      keepCalculatorWarm: config.warm_up,
    });
    tools.register(createMultiAgentTool(config.multi_agent));
    // MCP servers connect in the background: their tools are registered as each one comes up.
    // The MCP SDK (≈10 MB of heap) is loaded only when a server is configured.
    const mcpBridge =
      config.mcp_servers.length > 0
        ? (await import('./tools/mcp/mcpBridge.js')).createMcpBridge({ servers: config.mcp_servers, registry: tools, logger, cwd, defaultTimeoutMs: config.tool_timeout_ms })
        : undefined;
    mcp = mcpBridge ?? null;
    mcpBridge?.start();
    const executor = createToolExecutor({
      registry: tools,
      maxWorkers: config.tool_max_workers,
      timeoutMs: config.tool_timeout_ms,
      outputMaxChars: config.tool_output_max_chars,
      telemetry,
    });
    const attachments = createAttachmentService({ settings: config.attachments, dataDir, repo: repos.attachments, now });
    const runs = createRunService({
      config,
      repos,
      files: { listByIds: attachments.listByIds, read: attachments.read },
      runHub,
      catalog,
      logger,
      now,
      telemetry,
      agent: {
        streamChat: (model, request, signal, log) => chat.streamChat(model, request, signal, log),
        toolDefinitions: () => tools.definitionsForModel(),
        executeTools: (calls, ctx) => executor.executeBatch(calls, ctx),
      },
    });
    const db = database;
    const readiness = createReadinessCheck(
      [{ name: 'The database', check: () => sql`select 1`.execute(db.db) }, ...(config.redis_url ? [{ name: 'Redis', check: () => runHub.ping() }] : [])],
      READINESS_TIMEOUT_MS,
    );
    const ctx: AppContext = {
      config: { ...config, models, default_model: defaultModel },
      logger,
      repos,
      catalog,
      runHub,
      runs,
      tools,
      ...(mcpBridge && { mcp: mcpBridge }),
      workspaces,
      fileChanges: changes,
      auth,
      quotas,
      counters: sharedCounters,
      apiKeys,
      chat,
      attachments,
      now,
      telemetry,
      readiness,
      ...(options.worker && { worker: { id: options.worker.id, pid: process.pid } }),
    };
    const app = await buildApp(ctx);
    return {
      app,
      ctx,
      async warmUp() {
        if (!config.warm_up) return;
        const started = performance.now();
        const results = await Promise.allSettled([builtins.calculator.warm(), config.sandbox.pool_size > 0 ? pool.warm() : Promise.resolve()]);
        for (const result of results) if (result.status === 'rejected' && !closing) logger.warn({ err: result.reason }, 'warming up a tool failed; it loads on its first call instead');
        logger.debug({ ms: Math.round(performance.now() - started) }, 'tools warmed up');
      },
      toolWorkers: () => ({ calculator: builtins.calculator.stats(), python: pool.stats() }),
      async close() {
        closing = true;
        await runHub.shutdown();
        runs.stop();
        await mcpBridge?.close();
        await pool.close();
        await attachments.close();
        await app.close();
        await changes.close();
        await sharedCounters.close();
        await db.close();
        await simulator?.close();
        await telemetry.shutdown();
      },
    };
  } catch (err) {
    await fileChanges?.close();
    await counters?.close();
    await mcp?.close();
    await python?.close();
    await database?.close();
    await simulator?.close();
    await telemetry.shutdown();
    throw err;
  }
}

/**
 * One instance: runs live in this process, and answers left `streaming` by an earlier process are
 * interrupted. With Redis: runs are shared, and only answers whose run has no live owner are.
 */
async function createRunHub(config: Config, repos: Repositories, logger: Logger): Promise<RunHub> {
  if (!config.redis_url) {
    const interrupted = await repos.messages.markUnfinished();
    if (interrupted) logger.warn({ count: interrupted }, 'answers cut off by an earlier shutdown are marked interrupted');
    return new RunRegistry({ ms: config.run_retention_ms, maxRuns: config.run_retention_max_runs, maxBytes: config.run_retention_max_bytes });
  }
  const hub = await RedisRunHub.connect({
    url: config.redis_url,
    keyPrefix: config.redis.key_prefix,
    retentionMs: config.run_retention_ms,
    maxRetainedRuns: config.run_retention_max_runs,
    maxRetainedBytes: config.run_retention_max_bytes,
    runTtlMs: config.redis.run_ttl_ms,
    sweepIntervalMs: config.redis.sweep_interval_ms,
    logger,
    sweep: async (isLive) => {
      let count = 0;
      for (const answer of await repos.messages.listStreaming()) {
        if (!(await isLive(answer.conversation_id)) && (await repos.messages.markInterrupted(answer.id))) count++;
      }
      return count;
    },
  });
  await hub.sweep();
  return hub;
}
