import { describe, expect, it } from 'vitest';
import { workerCountOf, workersConfigProblem } from './workerCount.js';

describe('workers', () => {
  it('auto is one per core; a number is itself', () => {
    expect(workerCountOf('auto', 8)).toBe(8);
    expect(workerCountOf(3, 8)).toBe(3);
    expect(workerCountOf('auto', 0)).toBe(1);
  });

  it('more than one needs Redis, said in one sentence naming both ways out', () => {
    expect(workersConfigProblem({ workers: 1 }, 1)).toBeNull();
    expect(workersConfigProblem({ workers: 2, redis_url: 'redis://127.0.0.1:6379' }, 2)).toBeNull();
    expect(workersConfigProblem({ workers: 2 }, 2)).toBe(
      'workers: 2 needs Redis, so that every process can follow and stop the runs of the others: set redis_url (or REDIS_URL), or set workers: 1.',
    );
    expect(workersConfigProblem({ workers: 'auto' }, 4)).toMatch(/^workers: auto \(4 processes here\) needs Redis/);
    expect(workersConfigProblem({ workers: 'auto' }, 1)).toBeNull();
  });
});
