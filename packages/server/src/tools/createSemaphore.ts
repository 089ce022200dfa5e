/** Releases the slot taken by `acquire`; calling it more than once has no further effect. */
export type Release = () => void;

export interface Semaphore {
  /** Resolves once fewer than `limit` holders are active, first come first served. */
  acquire(): Promise<Release>;
}

export function createSemaphore(limit: number): Semaphore {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`Concurrency limit must be a positive integer, got ${limit}`);
  let active = 0;
  const waiting: Array<() => void> = [];

  function grant(): Release {
    active += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      active -= 1;
      waiting.shift()?.();
    };
  }

  return {
    acquire() {
      if (active < limit) return Promise.resolve(grant());
      return new Promise<Release>((resolve) => waiting.push(() => resolve(grant())));
    },
  };
}
