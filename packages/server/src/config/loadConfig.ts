import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { configSchema, type Config, type ModelConfig } from '@nanoclaw/protocol';
import { expandEnv } from './expandEnv.js';
import { describeUnknownKey, unknownKeysIn, withoutKeys } from './unknownKeys.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface LoadedConfig {
  config: Config;
  /** Where the file came from, or null when running on defaults. */
  source: string | null;
  /** Non-fatal findings (unknown keys ignored on request…). */
  warnings: string[];
}

/** Set to 1 to start with unknown config keys ignored (an emergency, e.g. a config written for a newer version). */
export const IGNORE_UNKNOWN_CONFIG_ENV = 'NANOCLAW_IGNORE_UNKNOWN_CONFIG';

/** Reads config.yml (or NANOCLAW_CONFIG), expands `${VAR}`, applies environment overrides, validates. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LoadedConfig {
  const explicitPath = env.NANOCLAW_CONFIG;
  const path = resolve(cwd, explicitPath ?? 'config.yml');
  let raw: unknown = {};
  let source: string | null = null;
  if (existsSync(path)) {
    source = path;
    try {
      raw = parseYaml(readFileSync(path, 'utf8')) ?? {};
    } catch (err) {
      throw new ConfigError(`Cannot parse ${path}: ${(err as Error).message}`);
    }
    if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${path} must contain a mapping of settings.`);
  } else if (explicitPath) {
    throw new ConfigError(`NANOCLAW_CONFIG points to ${path}, which does not exist.`);
  }

  const missing: string[] = [];
  const expanded = expandEnv(raw, env, [], missing) as Record<string, unknown>;
  if (missing.length) throw new ConfigError(`Invalid config: ${missing.join('; ')}.`);

  const warnings: string[] = [];
  applyEnvOverrides(expanded, env);

  let parsed = configSchema.safeParse(expanded);
  const ignoreUnknown = env[IGNORE_UNKNOWN_CONFIG_ENV] === '1' || env[IGNORE_UNKNOWN_CONFIG_ENV] === 'true';
  if (!parsed.success && ignoreUnknown) {
    const unknown = unknownKeysIn(configSchema, parsed.error.issues);
    if (unknown.length > 0) {
      withoutKeys(expanded, unknown);
      warnings.push(...unknown.map((key) => `${describeUnknownKey(key)} is ignored (${IGNORE_UNKNOWN_CONFIG_ENV} is set).`));
      parsed = configSchema.safeParse(expanded);
    }
  }
  if (!parsed.success) {
    const unknown = unknownKeysIn(configSchema, parsed.error.issues);
    const problems = [
      ...unknown.map(describeUnknownKey),
      ...parsed.error.issues.filter((issue) => issue.code !== 'unrecognized_keys').map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    ];
    const them = unknown.length > 1 ? ['keys', 'them'] : ['key', 'it'];
    const hint = unknown.length > 0 ? ` Fix or remove the unknown ${them[0]}, or set ${IGNORE_UNKNOWN_CONFIG_ENV}=1 to start without ${them[1]}.` : '';
    throw new ConfigError(`Invalid config${source ? ` in ${source}` : ''}: ${problems.join('; ')}.${hint}`);
  }
  const config = parsed.data;
  if (config.default_model && config.models.length && !config.models.some((m) => m.id === config.default_model)) {
    throw new ConfigError(`Invalid config: default_model "${config.default_model}" is not one of the configured models.`);
  }
  return { config, source, warnings };
}

function applyEnvOverrides(target: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  if (env.PORT !== undefined) target.port = parsePort(env.PORT);
  if (env.HOST) target.host = env.HOST;
  if (env.WORKERS) target.workers = env.WORKERS.trim() === 'auto' ? 'auto' : Number(env.WORKERS);
  if (env.DATA_DIR) target.data_dir = env.DATA_DIR;
  if (env.DATABASE_URL) target.database_url = env.DATABASE_URL;
  if (env.REDIS_URL) target.redis_url = env.REDIS_URL;
  if (env.WORKSPACE_ROOT) target.workspace_root = env.WORKSPACE_ROOT;
  if (env.AUTH_MODE) target.auth_mode = env.AUTH_MODE;
  if (env.JWT_SECRET) target.jwt_secret = env.JWT_SECRET;
  if (env.LOG_LEVEL) target.log_level = env.LOG_LEVEL;
  // OpenTelemetry's own variables, as every OTel SDK reads them.
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_SERVICE_NAME) {
    const tracing = (typeof target.tracing === 'object' && target.tracing !== null ? target.tracing : {}) as Record<string, unknown>;
    if (env.OTEL_EXPORTER_OTLP_ENDPOINT) tracing.otlp_endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
    if (env.OTEL_SERVICE_NAME) tracing.service_name = env.OTEL_SERVICE_NAME;
    target.tracing = tracing;
  }
  const oidc = target.oidc;
  if (env.OIDC_CLIENT_SECRET && oidc && typeof oidc === 'object' && !Array.isArray(oidc)) {
    (oidc as Record<string, unknown>).client_secret = env.OIDC_CLIENT_SECRET;
  }
  const models = Array.isArray(target.models) ? target.models : [];
  if (models.length === 0 && (env.OPENAI_API_KEY || env.OPENAI_BASE_URL)) {
    target.models = [openAiModelFromEnv(env)];
  }
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`Invalid config: PORT must be a whole number between 0 and 65535, got "${text}".`);
  }
  return port;
}

/** One model from OPENAI_API_KEY / OPENAI_BASE_URL / OPENAI_MODEL, for a zero-file set-up. */
function openAiModelFromEnv(env: NodeJS.ProcessEnv): ModelConfig {
  const base = (env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1').replace(/\/+$/, '');
  const id = env.OPENAI_MODEL ?? 'gpt-4o-mini';
  return { id, name: id, api_url: `${base}/chat/completions`, ...(env.OPENAI_API_KEY ? { api_key: env.OPENAI_API_KEY } : {}) };
}
