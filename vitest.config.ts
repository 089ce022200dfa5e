import { configDefaults, defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * Database engines: the HTTP integration suite (packages/server/test) runs once per engine, as the
 * projects `http-sqlite`, `http-postgres`, `http-mysql`; the repository tests beside the code run every
 * engine themselves (db/testEngines.ts). NANOCLAW_TEST_ENGINES narrows the set, e.g. `sqlite` on a
 * machine without the database servers; NANOCLAW_TEST_PG_URL / NANOCLAW_TEST_MYSQL_URL point at them.
 */
const ALL_ENGINES = ['sqlite', 'postgres', 'mysql'] as const;
type Engine = (typeof ALL_ENGINES)[number];
const engines = (process.env.NANOCLAW_TEST_ENGINES ?? ALL_ENGINES.join(','))
  .split(',')
  .map((name) => name.trim().toLowerCase())
  .filter((name) => name !== '')
  .map((name): Engine => {
    const engine = ({ pg: 'postgres', postgresql: 'postgres', mariadb: 'mysql' } as Record<string, Engine>)[name] ?? name;
    if (!ALL_ENGINES.includes(engine as Engine)) throw new Error(`NANOCLAW_TEST_ENGINES: unknown engine "${name}" (sqlite, postgres, mysql).`);
    return engine as Engine;
  });
const engineEnv = {
  NANOCLAW_TEST_PG_URL: engines.includes('postgres') ? process.env.NANOCLAW_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test' : '',
  NANOCLAW_TEST_MYSQL_URL: engines.includes('mysql') ? process.env.NANOCLAW_TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306/test' : '',
};

/** HTTP test files that choose their engine themselves run in that engine's project only. */
const PINNED_TO_ENGINE: Record<string, Engine> = {
  'packages/server/test/multiInstance.test.ts': 'postgres',
  'packages/server/test/multiInstanceAttachments.test.ts': 'postgres',
  'packages/server/test/dbOutage.test.ts': 'postgres',
  'packages/server/test/readiness.test.ts': 'postgres',
  'packages/server/test/startup.test.ts': 'sqlite',
};
const HTTP_TESTS = 'packages/*/test/**/*.test.ts';

export default defineConfig({
  resolve: {
    alias: {
      '@nanoclaw/protocol': here('./packages/protocol/src/index.ts'),
      '@nanoclaw/llm-sim': here('./tools/llm-sim/src/index.ts'),
    },
  },
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Vitest's default is one worker per core less one: a single worker on a 2-core machine, idle while its
    // tests wait on the database servers, child processes and timers. Three forks keep both cores busy.
    maxWorkers: Number(process.env.NANOCLAW_TEST_WORKERS) || 3,
    // A fork runs its test files one after another in one module graph instead of importing the server
    // again for every file (that import was a third of the suite's time). Test files keep no state in
    // modules: each opens its own databases, servers and clients and closes them.
    isolate: false,
    env: engineEnv,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['packages/*/src/**/*.test.ts', 'tools/*/src/**/*.test.ts', 'test/**/*.test.ts'] },
      },
      ...engines.map((engine) => ({
        extends: true as const,
        test: {
          name: `http-${engine}`,
          include: [HTTP_TESTS],
          exclude: [...configDefaults.exclude, ...Object.keys(PINNED_TO_ENGINE).filter((file) => PINNED_TO_ENGINE[file] !== engine)],
          env: { ...engineEnv, NANOCLAW_TEST_ENGINE: engine },
          ...(engine !== 'sqlite' && { globalSetup: [here('./packages/server/test/engineSetup.ts')] }),
        },
      })),
    ],
  },
});
