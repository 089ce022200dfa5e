import { Worker, type ResourceLimits } from 'node:worker_threads';

/**
 * Runs CPU-heavy or possibly runaway work (model-supplied regexes, HTML conversion, maths) off the event loop,
 * in worker threads built from a CommonJS source string. A job past its deadline has its worker
 * terminated (V8 interrupts even a backtracking regex), so a bad input costs one worker, never the server.
 * Workers start on demand; one that dies (deadline, memory, crash, even while idle) is replaced by the next job.
 *
 * The source must answer `{ id, job }` messages with `{ id, ok: true, result }` or `{ id, ok: false, message }`.
 * With `startup`, it first posts `{ ready: true }` once it has set itself up (loaded its libraries).
 */
export interface WorkerPool<Job, Result> {
  run(job: Job, timeoutMessage?: string): Promise<Result>;
  /** Workers alive (busy, idle or starting) and idle ones. */
  stats(): { live: number; idle: number };
  /** Terminates idle workers. */
  close(): Promise<void>;
}

export interface WorkerPoolOptions {
  source: string;
  workerData?: unknown;
  /** Deadline for one job, from the moment it is handed to a ready worker. */
  timeoutMs: number;
  /** Sentence for a job that overran its deadline. */
  timeoutMessage: string;
  /** Sentence for a job that ran out of worker memory. */
  memoryMessage: string;
  resourceLimits?: ResourceLimits;
  /** Warm workers kept between jobs. */
  maxIdle?: number;
  /** A warm worker left unused this long is stopped, giving its memory back; kept until closed by default. */
  idleTimeoutMs?: number;
  /** Workers at most; further jobs wait for one in order. Unlimited by default. */
  maxWorkers?: number;
  /**
   * The worker announces `{ ready: true }` when set up: its set-up time does not count against a job's deadline
   * (loading a large library takes seconds on a busy machine) but against this one, after which it is stopped.
   */
  startup?: { timeoutMs: number; timeoutMessage: string };
}

interface WorkerReply {
  id: number;
  ok: boolean;
  result?: unknown;
  message?: string;
}

/** Hands a waiting job a warm worker, or (undefined) the slot of one that exited, to start its own in. */
type Waiter = (worker: Worker | undefined) => void;

export function createWorkerPool<Job, Result>(options: WorkerPoolOptions): WorkerPool<Job, Result> {
  const idle: Worker[] = [];
  const idleTimers = new Map<Worker, NodeJS.Timeout>();
  const waiting: Waiter[] = [];
  const maxIdle = options.maxIdle ?? 2;
  const maxWorkers = options.maxWorkers ?? Infinity;
  /** Workers alive or being started, plus slots handed to waiting jobs. */
  let slots = 0;
  let nextId = 1;

  function failure(error: Error & { code?: string }): Error {
    return new Error(error.code === 'ERR_WORKER_OUT_OF_MEMORY' || /memory/i.test(error.message) ? options.memoryMessage : error.message);
  }

  /** Starts a worker in a slot already counted. */
  function spawn(): Promise<Worker> {
    let worker: Worker;
    try {
      // execArgv: [] so the source is always run as CommonJS (an inherited --input-type=module would make it ESM).
      worker = new Worker(options.source, { eval: true, execArgv: [], workerData: options.workerData, resourceLimits: options.resourceLimits });
    } catch (error) {
      releaseSlot();
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    // Idle workers must not keep the process alive.
    worker.unref();
    // A worker that fails outside a job (idle, starting) must not become an uncaught 'error' event: it exits, and is replaced.
    worker.on('error', () => undefined);
    worker.once('exit', () => {
      takeFromIdle(worker);
      releaseSlot();
    });
    const { startup } = options;
    if (!startup) return Promise.resolve(worker);
    return awaitMessage(worker, (message) => ((message as { ready?: unknown } | null)?.ready === true ? worker : undefined), {
      timeoutMs: startup.timeoutMs,
      timeoutMessage: startup.timeoutMessage,
      exitMessage: 'The worker stopped while starting',
    });
  }

  /** A worker exited: its slot goes to the first waiting job, or back to the pool. */
  function releaseSlot(): void {
    const next = waiting.shift();
    if (next) next(undefined);
    else slots--;
  }

  function takeFromIdle(worker: Worker): void {
    const index = idle.indexOf(worker);
    if (index >= 0) idle.splice(index, 1);
    clearTimeout(idleTimers.get(worker));
    idleTimers.delete(worker);
  }

  function keepIdle(worker: Worker): void {
    idle.push(worker);
    if (options.idleTimeoutMs === undefined) return;
    const timer = setTimeout(() => {
      takeFromIdle(worker);
      void worker.terminate();
    }, options.idleTimeoutMs);
    timer.unref();
    idleTimers.set(worker, timer);
  }

  function acquire(): Promise<Worker> {
    // threadId is -1 once a worker has stopped, possibly before its 'exit' event has removed it from the list.
    for (let warm = idle.at(-1); warm; warm = idle.at(-1)) {
      takeFromIdle(warm);
      if (warm.threadId !== -1) return Promise.resolve(warm);
    }
    if (slots < maxWorkers) {
      slots++;
      return spawn();
    }
    return new Promise<Worker | undefined>((resolve) => waiting.push(resolve)).then((handed) => handed ?? spawn());
  }

  /** A worker finished a job cleanly: on to the next waiting job, kept warm, or stopped. */
  function release(worker: Worker): void {
    const next = waiting.shift();
    if (next) next(worker);
    else if (idle.length < maxIdle) keepIdle(worker);
    else void worker.terminate();
  }

  async function run(job: Job, timeoutMessage = options.timeoutMessage): Promise<Result> {
    const worker = await acquire();
    const id = nextId++;
    const reply = awaitMessage(worker, (message) => ((message as WorkerReply | null)?.id === id ? (message as WorkerReply) : undefined), {
      timeoutMs: options.timeoutMs,
      timeoutMessage,
      exitMessage: 'The worker stopped unexpectedly',
    });
    worker.postMessage({ id, job });
    const { ok, result, message } = await reply;
    release(worker);
    if (ok) return result as Result;
    throw new Error(message ?? 'The worker failed');
  }

  /**
   * The first message of `worker` that `accept` maps to a value. The worker failing, exiting or missing the
   * deadline rejects instead (a failed or overdue worker is terminated).
   */
  function awaitMessage<T>(
    worker: Worker,
    accept: (message: unknown) => T | undefined,
    limit: { timeoutMs: number; timeoutMessage: string; exitMessage: string },
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (message: unknown): void => {
        const value = accept(message);
        if (value === undefined) return;
        cleanup();
        resolve(value);
      };
      const onError = (error: Error & { code?: string }): void => {
        cleanup();
        void worker.terminate();
        reject(failure(error));
      };
      const onExit = (): void => {
        cleanup();
        reject(new Error(limit.exitMessage));
      };
      const timer = setTimeout(() => {
        cleanup();
        void worker.terminate();
        reject(new Error(limit.timeoutMessage));
      }, limit.timeoutMs);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
  }

  return {
    run,
    stats: () => ({ live: slots, idle: idle.length }),
    async close() {
      const stopping = [...idle];
      for (const worker of stopping) takeFromIdle(worker);
      await Promise.all(stopping.map((worker) => worker.terminate()));
    },
  };
}
