import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, ConfigError } from './loadConfig.js';

function dirWith(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'nc-config-'));
  writeFileSync(join(dir, 'config.yml'), yaml);
  return dir;
}

describe('loadConfig', () => {
  it('runs on defaults when there is no config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-config-'));
    const { config, source } = loadConfig({}, dir);
    expect(source).toBeNull();
    expect(config.port).toBe(3000);
    expect(config.data_dir).toBe('./data');
    expect(config.models).toEqual([]);
    expect(config.auth_mode).toBe('single');
  });

  it('accepts the keys of the original service and expands ${VAR}', () => {
    const dir = dirWith(`
models:
  - id: deepseek-chat
    name: DeepSeek
    api_url: https://api.deepseek.com/chat/completions
    api_key: \${DS_KEY}
default_model: deepseek-chat
max_iterations: 5
tool_max_workers: 2
workspace_root: \${WS:-/tmp/ws}
auth_mode: single
`);
    const { config } = loadConfig({ DS_KEY: 'sk-123' }, dir);
    expect(config.models[0]?.api_key).toBe('sk-123');
    expect(config.workspace_root).toBe('/tmp/ws');
    expect(config.max_iterations).toBe(5);
    expect(config.tool_max_workers).toBe(2);
    expect(config.default_model).toBe('deepseek-chat');
  });

  it('names the bad key in the error', () => {
    const dir = dirWith('max_iterations: many\n');
    expect(() => loadConfig({}, dir)).toThrow(ConfigError);
    expect(() => loadConfig({}, dir)).toThrow(/max_iterations/);
    const dir2 = dirWith('models:\n  - id: x\n    api_url: not-a-url\n');
    expect(() => loadConfig({}, dir2)).toThrow(/models\.0\.api_url/);
  });

  it('reports an unset variable by key', () => {
    const dir = dirWith('jwt_secret: ${NOPE_SECRET}\n');
    expect(() => loadConfig({}, dir)).toThrow(/jwt_secret uses \$\{NOPE_SECRET\}/);
  });

  it('lets the environment override file values', () => {
    const dir = dirWith('port: 4000\nhost: 127.0.0.1\n');
    const { config } = loadConfig({ PORT: '5050', HOST: '::1', DATA_DIR: '/x', DATABASE_URL: 'sqlite::memory:', WORKSPACE_ROOT: '/w' }, dir);
    expect(config).toMatchObject({ port: 5050, host: '::1', data_dir: '/x', database_url: 'sqlite::memory:', workspace_root: '/w' });
    expect(() => loadConfig({ PORT: 'abc' }, dir)).toThrow(/PORT/);
  });

  it('reads workers from WORKERS (a number or auto); one by default', () => {
    const dir = dirWith('port: 4000\n');
    expect(loadConfig({}, dir).config.workers).toBe(1);
    expect(loadConfig({ WORKERS: '3' }, dir).config.workers).toBe(3);
    expect(loadConfig({ WORKERS: 'auto' }, dir).config.workers).toBe('auto');
    expect(() => loadConfig({ WORKERS: 'many' }, dir)).toThrow(/workers/);
  });

  it('turns tracing on from OTEL_EXPORTER_OTLP_ENDPOINT and names the service from OTEL_SERVICE_NAME; metrics stay off by default', () => {
    const dir = dirWith('tracing:\n  sample_ratio: 0.5\n');
    expect(loadConfig({}, dir).config).toMatchObject({ metrics: { enabled: false, token: null }, tracing: { otlp_endpoint: null, service_name: 'nanoclaw', sample_ratio: 0.5 } });
    const { config } = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SERVICE_NAME: 'claw-eu' }, dir);
    expect(config.tracing).toEqual({ otlp_endpoint: 'http://127.0.0.1:4318', service_name: 'claw-eu', sample_ratio: 0.5 });
  });

  it('takes the OIDC client secret from OIDC_CLIENT_SECRET, and refuses an unknown oidc key', () => {
    const dir = dirWith('auth_mode: multi\noidc: { issuer: "https://id.example.com", client_id: nanoclaw, client_secret: from-file }\n');
    expect(loadConfig({ OIDC_CLIENT_SECRET: 'from-env' }, dir).config.oidc).toMatchObject({ client_secret: 'from-env', name: 'single sign-on', scopes: ['openid', 'email', 'profile'] });
    expect(loadConfig({}, dir).config.oidc?.client_secret).toBe('from-file');
    expect(loadConfig({ OIDC_CLIENT_SECRET: 'from-env' }, dirWith('port: 4000\n')).config.oidc).toBeUndefined();
    expect(() => loadConfig({}, dirWith('oidc: { issuer: "https://id.example.com", client_id: x, admin_group: y }\n'))).toThrow(/oidc\.admin_group/);
  });

  it('builds a model from OPENAI_API_KEY / OPENAI_BASE_URL when none is configured', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-config-'));
    const { config } = loadConfig({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1/', OPENAI_MODEL: 'llama3' }, dir);
    expect(config.models).toEqual([{ id: 'llama3', name: 'llama3', api_url: 'http://127.0.0.1:11434/v1/chat/completions', api_key: 'k' }]);
  });

  it('refuses an unknown key, naming it and the closest known key', () => {
    const dir = dirWith('max_iteration: 5\n');
    expect(() => loadConfig({}, dir)).toThrow(
      `Invalid config in ${join(dir, 'config.yml')}: Unknown config key "max_iteration" (did you mean "max_iterations"?). ` +
        'Fix or remove the unknown key, or set NANOCLAW_IGNORE_UNKNOWN_CONFIG=1 to start without it.',
    );
  });

  it('refuses unknown keys inside sections and list entries too, with their path', () => {
    const dir = dirWith('llm:\n  timeout: 5\nmodels:\n  - id: a\n    api_ur1: http://x/v1/chat/completions\n    api_url: http://x/v1/chat/completions\ndb_type: mysql\n');
    let message = '';
    try {
      loadConfig({}, dir);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toContain('Unknown config key "llm.timeout" (did you mean "timeout_ms"?)');
    expect(message).toContain('Unknown config key "models.0.api_ur1" (did you mean "api_url"?)');
    // Nothing close: no suggestion rather than a wrong one.
    expect(message).toContain('Unknown config key "db_type".');
    expect(message).toContain('Fix or remove the unknown keys');
  });

  it('ignores unknown keys with a warning when NANOCLAW_IGNORE_UNKNOWN_CONFIG=1', () => {
    const dir = dirWith('max_iteration: 5\nllm:\n  timeout: 5\n  max_retries: 1\n');
    const { config, warnings } = loadConfig({ NANOCLAW_IGNORE_UNKNOWN_CONFIG: '1' }, dir);
    expect(config.max_iterations).toBe(10);
    expect(config.llm.max_retries).toBe(1);
    expect(warnings.sort()).toEqual([
      'Unknown config key "llm.timeout" (did you mean "timeout_ms"?) is ignored (NANOCLAW_IGNORE_UNKNOWN_CONFIG is set).',
      'Unknown config key "max_iteration" (did you mean "max_iterations"?) is ignored (NANOCLAW_IGNORE_UNKNOWN_CONFIG is set).',
    ]);
    // A bad value still stops start-up: the override only concerns unknown keys.
    expect(() => loadConfig({ NANOCLAW_IGNORE_UNKNOWN_CONFIG: '1' }, dirWith('max_iteration: 5\nport: x\n'))).toThrow(/port/);
  });

  it('listens on loopback unless told otherwise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-config-'));
    expect(loadConfig({}, dir).config.host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }, dir).config.host).toBe('0.0.0.0');
  });

  it('refuses a default_model that is not configured', () => {
    const dir = dirWith('models:\n  - id: a\n    api_url: http://x/v1/chat/completions\ndefault_model: b\n');
    expect(() => loadConfig({}, dir)).toThrow(/default_model "b"/);
  });

  it('honours NANOCLAW_CONFIG and complains when it is missing', () => {
    const dir = dirWith('port: 4100\n');
    expect(loadConfig({ NANOCLAW_CONFIG: join(dir, 'config.yml') }, '/').config.port).toBe(4100);
    expect(() => loadConfig({ NANOCLAW_CONFIG: '/nonexistent/c.yml' }, '/')).toThrow(/does not exist/);
  });
});
