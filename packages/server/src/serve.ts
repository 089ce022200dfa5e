import { loadConfig, ConfigError } from './config/loadConfig.js';
import { metricsExposureWarning, networkExposureWarning } from './config/networkExposureWarning.js';
import { createLogger, logFormatFor } from './createLogger.js';
import { listenProblem } from './listenProblem.js';
import { describeTarget, isDatabaseUnavailable, parseDatabaseUrl } from './db/index.js';
import { createServer } from './createServer.js';
import { authConfigProblem } from './auth/jwtSecret.js';

/** Loads the configuration, starts the server and handles shutdown signals; resolves once it listens. */
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
  const logger = await createLogger(config.log_level, logFormatFor(process.stdout));
  for (const warning of warnings) logger.warn(warning);
  const exposure = networkExposureWarning(config);
  if (exposure) logger.warn(exposure);
  const metricsExposure = metricsExposureWarning(config);
  if (metricsExposure) logger.warn(metricsExposure);
  const authProblem = authConfigProblem(config);
  if (authProblem) {
    logger.fatal(authProblem);
    process.exit(2);
  }

  let server;
  try {
    server = await createServer({ config, logger });
  } catch (err) {
    if (!isDatabaseUnavailable(err)) throw err;
    const where = describeTarget(parseDatabaseUrl(config.database_url, config.data_dir));
    console.error(`The database at ${where} is not reachable (${(err as Error).message}). Start it, or point database_url (DATABASE_URL) at one that runs.`);
    process.exit(2);
  }
  let address: string;
  try {
    address = await server.app.listen({ port: config.port, host: config.host });
  } catch (err) {
    const problem = listenProblem(err, config.host, config.port);
    if (!problem) throw err;
    console.error(problem);
    await server.close().catch(() => {});
    process.exit(2);
  }
  logger.info(
    { config: source ?? 'defaults', models: server.ctx.catalog.models.map((m) => m.id), startupMs: Math.round(performance.now() - startedAt) },
    `NanoClaw is listening on ${address}`,
  );
  if (process.send) process.send({ type: 'listening', address });

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
