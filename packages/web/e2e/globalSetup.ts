import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '@nanoclaw/llm-sim';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Models the tests use; every one is a simulator scenario (tools/llm-sim). */
export const E2E_MODELS = ['tool-call', 'slow:250', 'slow:200', 'echo', 'text', 'text:3', 'reasoning', 'error-503', 'parts'];

/** What some models can do beyond the defaults (badges and the thinking switch in the model picker). */
const MODEL_EXTRAS: Record<string, string> = { reasoning: ', thinking: true, vision: true', parts: ', vision: true' };

/** Starts the simulator and a real NanoClaw (built server + built UI) on free ports; returns the teardown. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const serverMain = join(repoRoot, 'packages/server/dist/main.js');
  const webIndex = join(repoRoot, 'packages/web/dist/index.html');
  if (!existsSync(serverMain) || !existsSync(webIndex)) throw new Error('Build first: `npm run build` (server and web UI).');

  const sim = await startSimulator({ host: '127.0.0.1', port: 0 });
  const single = await startNanoclaw(serverMain, sim.chatUrl);
  const multi = await startNanoclaw(serverMain, sim.chatUrl, ['auth_mode: multi', 'jwt_secret: e2e-only-secret-5f0c9a7d2b1e4c6a8d3f9b0e7a1c2d4e']);
  const address = single.address;
  process.env.E2E_BASE_URL = address;
  process.env.E2E_SIM_URL = sim.url;

  process.env.E2E_MULTI_URL = multi.address;
  // The multi-user instance's administrator (its first account), so specs that need one do not depend on their order.
  process.env.E2E_MULTI_ADMIN_TOKEN = await registerFirstAccount(multi.address, 'e2e-admin');

  // Sub-agents and MCP servers get their own instance, so the other specs' tool lists and runs stay as they were.
  const mcpGate = join(mkdtempSync(join(tmpdir(), 'nc-e2e-mcp-')), 'open');
  const agents = await startNanoclaw(serverMain, sim.chatUrl, agentsConfig(mcpGate));
  process.env.E2E_AGENTS_URL = agents.address;
  process.env.E2E_MCP_GATE = mcpGate;

  return async () => {
    await Promise.all([single.stop(), multi.stop(), agents.stop()]);
    rmSync(dirname(mcpGate), { recursive: true, force: true });
    await sim.close();
  };
}

/**
 * The sub-agent and MCP instance: two sub-agents may run at once (the specs give each scripted answer
 * to whichever asks first), a stalled model stream is not cut short while a test looks at it, and
 * two MCP servers: the reference "everything" server over stdio, started only once `gate` exists
 * (connecting until then), and one whose command does not exist (failed).
 */
function agentsConfig(gate: string): string[] {
  const serverPackage = createRequire(join(repoRoot, 'packages/server/package.json'));
  const everything = join(dirname(serverPackage.resolve('@modelcontextprotocol/server-everything/package.json')), 'dist/transports/stdio.js');
  const gated = fileURLToPath(new URL('./mcpGatedServer.mjs', import.meta.url));
  const q = (value: string) => JSON.stringify(value);
  return [
    'multi_agent: { max_agents: 3, concurrency: 2, max_iterations: 3, timeout_ms: 600000 }',
    'llm: { timeout_ms: 600000, max_retries: 1, retry_base_ms: 10, retry_max_ms: 50 }',
    'mcp_servers:',
    `  - { name: everything, command: ${q(process.execPath)}, args: [${q(gated)}, ${q(gate)}, ${q(everything)}], connect_timeout_ms: 3600000 }`,
    '  - { name: broken, command: /nonexistent/bin/mcp-server-that-is-not-there }',
  ];
}

export interface Started {
  address: string;
  stop(): Promise<void>;
}

/** One NanoClaw process (built server, built UI) with its own temp config and data, models at the simulator. */
export async function startNanoclaw(serverMain: string, chatUrl: string, extraConfig: string[] = []): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'nc-e2e-'));
  // A top-level key in extraConfig replaces the default line of the same key.
  const replaced = new Set(extraConfig.map((line) => /^(\w+):/.exec(line)?.[1]).filter(Boolean));
  const defaults = [
    'host: 127.0.0.1',
    'log_level: warn',
    'default_model: tool-call',
    'run_retention_ms: 30000',
    'checkpoint_interval_ms: 100',
    // Titles from the question's first words (the specs look for them); model titles are tested over HTTP.
    'titles: { mode: first_words }',
    'llm: { timeout_ms: 5000, max_retries: 3, retry_base_ms: 10, retry_max_ms: 3000 }',
  ].filter((line) => !replaced.has(line.split(':')[0]));
  const config = [
    ...defaults,
    ...extraConfig,
    'models:',
    ...E2E_MODELS.map((id) => `  - { id: "${id}", name: "Sim ${id}", api_url: "${chatUrl}"${MODEL_EXTRAS[id] ?? ''} }`),
    '',
  ].join('\n');
  const configFile = join(dir, 'config.yml');
  writeFileSync(configFile, config);

  const child: ChildProcess = fork(serverMain, [], {
    cwd: dir,
    env: { ...process.env, NANOCLAW_CONFIG: configFile, PORT: '0', HOST: '127.0.0.1', DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('NanoClaw did not start within 30 s')), 30_000);
    child.on('message', (message: any) => {
      if (message?.type === 'listening') {
        clearTimeout(timer);
        resolve(String(message.address));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`NanoClaw exited during start-up (code ${code})`));
    });
  });
  return {
    address,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Registers the first account of a multi-user instance (which makes it the administrator); answers its token. */
async function registerFirstAccount(address: string, username: string): Promise<string> {
  const res = await fetch(`${address}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'e2e administrator password' }),
  });
  const body = (await res.json()) as { data?: { token: string; user: { role: string } } };
  if (!res.ok || body.data?.user.role !== 'admin') throw new Error(`registering the administrator failed: ${res.status} ${JSON.stringify(body)}`);
  return body.data.token;
}
