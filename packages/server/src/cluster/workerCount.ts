import { availableParallelism } from 'node:os';
import type { Config, WorkersSetting } from '@nanoclaw/protocol';

/** How many server processes `workers` asks for: the number itself, or one per core for `auto`. */
export function workerCountOf(setting: WorkersSetting, cores: number = availableParallelism()): number {
  return setting === 'auto' ? Math.max(1, cores) : setting;
}

/**
 * Why the configured number of processes cannot start, as one sentence, or null. Runs live in the process
 * that started them; with several, only Redis lets every process re-attach to them and stop them.
 */
export function workersConfigProblem(config: Pick<Config, 'workers' | 'redis_url'>, count: number): string | null {
  if (count <= 1 || config.redis_url) return null;
  const asked = config.workers === 'auto' ? `workers: auto (${count} processes here)` : `workers: ${count}`;
  return `${asked} needs Redis, so that every process can follow and stop the runs of the others: set redis_url (or REDIS_URL), or set workers: 1.`;
}
