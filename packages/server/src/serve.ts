import cluster from 'node:cluster';
import { loadConfig, ConfigError } from './config/loadConfig.js';
import { metricsExposureWarning, networkExposureWarning } from './config/networkExposureWarning.js';
import { createLogger, logFormatFor } from './createLogger.js';
import { listenProblem } from './listenProblem.js';
import { describeTarget, isDatabaseUnavailable, parseDatabaseUrl } from './db/index.js';
import { authConfigProblem } from './auth/jwtSecret.js';
import { workerCountOf, workersConfigProblem } from './cluster/workerCount.js';
import { WARM_UP_MESSAGE, WORKER_ID_ENV, type WorkerListening } from './cluster/workerMessages.js';

/**
 * Connections the kernel may hold for the server while its event loop is busy, before it refuses more.
 * Node's default (511) overflowed when a thousand clients connected at once: each connection refused
 * waits for its client's retry (1 s, then 3, 7, 15 s), measured as 15–20 s to create a conversation.
 * Linux caps it at net.core.somaxconn (4096 by default).
 */
const LISTEN_BACKLOG = 4096;

/**
 * Loads the configuration, starts the server and handles shutdown signals; resolves once it listens.
 * With `workers` > 1 this process becomes the primary (cluster/runPrimary.ts) and forks the server processes,
 * each of which comes back here as a worker: the primary says what is said once (warnings, the listening line).
 */
export async function serve(startedAt: number): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const { config, source, warnings } = loaded;
  const workerId = cluster.isWorker ? Number(process.env[WORKER_ID_ENV]) || cluster.worker?.id || 0 : 0;
  const workers = workerCountOf(config.workers);
  const baseLogger = await createLogger(config.log_level, logFormatFor(process.stdout));
  const logger = workerId ? baseLogger.child({ worker: workerId }) : baseLogger;
  if (!workerId) {
    const problem = workersConfigProblem(config, workers);
    if (problem) {
      console.error(problem);
      process.exit(2);
    }
    for (const warning of warnings) logger.warn(warning);
    const exposure = networkExposureWarning(config);
    if (exposure) logger.warn(exposure);
    const metricsExposure = metricsExposureWarning(config);
    if (metricsExposure) logger.warn(metricsExposure);
  }
  const authProblem = authConfigProblem(config);
  if (authProblem) {
    logger.fatal(authProblem);
    process.exit(2);
  }
  if (workers > 1 && cluster.isPrimary) {
    const { runPrimary } = await import('./cluster/runPrimary.js');
    await runPrimary({ count: workers, logger, startedAt, source: source ?? 'defaults' });
    return;
  }

  // Loaded here: the primary of several workers never loads the server itself.
  const { createServer } = await import('./createServer.js');
  let server;
  try {
    server = await createServer({ config, logger, ...(workerId && { worker: { id: workerId } }) });
  } catch (err) {
    if (!isDatabaseUnavailable(err)) throw err;
    const where = describeTarget(parseDatabaseUrl(config.database_url, config.data_dir));
    console.error(`The database at ${where} is not reachable (${(err as Error).message}). Start it, or point database_url (DATABASE_URL) at one that runs.`);
    process.exit(2);
  }
  let address: string;
  try {
    address = await server.app.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG });
  } catch (err) {
    const problem = listenProblem(err, config.host, config.port);
    if (!problem) throw err;
    console.error(problem);
    await server.close().catch(() => {});
    process.exit(2);
  }
  const models = server.ctx.catalog.models.map((m) => m.id);
  if (workerId) logger.debug({ pid: process.pid }, `worker ${workerId} is listening`);
  else logger.info({ config: source ?? 'defaults', models, startupMs: Math.round(performance.now() - startedAt) }, `NanoClaw is listening on ${address}`);
  if (process.send) process.send({ type: 'listening', address, models } satisfies WorkerListening);
  // In the background: the server answers meanwhile, and tool calls made before it is done simply wait for it.
  // A worker waits for the primary's word that every worker listens.
  if (!workerId) void server.warmUp();
  else process.on('message', (message: { type?: unknown } | null) => message?.type === WARM_UP_MESSAGE && void server.warmUp());

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: storing running answers as interrupted');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await server.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
