import type { TestProject } from 'vitest/node';
import { parseEngineName, probeEngine, sweepStaleScratchDatabases } from './engines.js';

/**
 * Global setup of the `http-postgres` / `http-mysql` test projects: fails the run at once, with a
 * sentence saying what to do, when the database server does not answer (instead of every test timing
 * out), and drops scratch databases that crashed runs left behind hours ago.
 */
export default async function setup(project: TestProject): Promise<void> {
  const env = { ...process.env, ...project.config.env } as NodeJS.ProcessEnv;
  const engine = parseEngineName(env.NANOCLAW_TEST_ENGINE ?? 'sqlite');
  if (engine === 'sqlite') return;
  const problem = await probeEngine(engine, env);
  if (problem) throw new Error(problem);
  await sweepStaleScratchDatabases(engine, env);
}
