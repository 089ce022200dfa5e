import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '@nanoclaw/llm-sim';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Models the tests use; every one is a simulator scenario (tools/llm-sim). */
export const E2E_MODELS = ['tool-call', 'slow:100', 'slow:200', 'echo', 'text', 'text:3', 'reasoning', 'error-503'];

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

  return async () => {
    await Promise.all([single.stop(), multi.stop()]);
    await sim.close();
  };
}

interface Started {
  address: string;
  stop(): Promise<void>;
}

/** One NanoClaw process (built server, built UI) with its own temp config and data, models at the simulator. */
async function startNanoclaw(serverMain: string, chatUrl: string, extraConfig: string[] = []): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'nc-e2e-'));
  const config = [
    'host: 127.0.0.1',
    'log_level: warn',
    'default_model: tool-call',
    'run_retention_ms: 30000',
    'checkpoint_interval_ms: 100',
    'llm: { timeout_ms: 5000, max_retries: 1, retry_base_ms: 10, retry_max_ms: 50 }',
    ...extraConfig,
    'models:',
    ...E2E_MODELS.map((id) => `  - { id: "${id}", name: "Sim ${id}", api_url: "${chatUrl}" }`),
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
