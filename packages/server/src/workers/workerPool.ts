import { Worker, type ResourceLimits } from 'node:worker_threads';

/**
 * The one pool of worker threads: CPU-heavy or possibly runaway work (model-supplied regexes, HTML
 * conversion, maths, JSON Schema validation) and the Python sandbox run off the event loop in workers built
 * from a CommonJS source string. A job past its deadline has its worker terminated (V8 interrupts even a
 * backtracking regex), so a bad input costs one worker, never the server. Workers start on demand (or with
 * warm()); one that dies (deadline, memory, crash, even while idle) is replaced, in the background when the
 * pool keeps workers warm, otherwise by the next job. Users supply what differs: the worker source and its
 * data, limits, and how many workers to start, keep and allow.
 *
 * Protocol: the worker answers `{ id, job }` with `{ id, ok: true, result }` or `{ id, ok: false, message }`,
 * adding `retire: true` when it must not be used again. With `startup`, it first posts `{ ready: true, ... }`
 * once it has set itself up (loaded its libraries), or `{ ready: false, message }` when it could not.
 */
export interface WorkerPool<Job, Result> {
  /** Runs a job on a worker; rejects with a WorkerJobError saying why it did not complete. */
  run(job: Job, options?: WorkerRunOptions): Promise<Result>;
  /** Starts `keepWarm` workers now (instead of with the first job) and resolves once every starting worker is ready. */
  warm(): Promise<void>;
  stats(): WorkerPoolStats;
  /** Stops every worker; jobs still waiting or running fail, and later jobs are refused. */
  close(): Promise<void>;
}

export interface WorkerRunOptions {
  /** Deadline for this job instead of the pool's, ms. */
  timeoutMs?: number;
  timeoutMessage?: string;
  /** Aborting stops the job: it leaves the queue, or its worker is terminated. */
  signal?: AbortSignal;
  /**
   * Who the job is for (e.g. a user). A worker takes the affinity of the first job that has one and is
   * then only reused by jobs of that affinity; jobs without one share workers with each other.
   */
  affinity?: string;
}

export interface WorkerPoolStats {
  /** Workers alive: starting, busy or idle (a terminated worker counts until it has exited). */
  live: number;
  idle: number;
  busy: number;
  starting: number;
  /** Workers started since the pool was created. */
  started: number;
  /** Of those, started in the background to keep `keepWarm` loaded (after the first job, or replacing a stopped worker). */
  replaced: number;
}

export type WorkerFailureKind = 'timeout' | 'memory' | 'crashed' | 'stopped' | 'cancelled' | 'start' | 'closed' | 'failed';

/** How long a worker may take to start and load its libraries (a busy machine is slow at it) before it is given up. */
export const WORKER_START_TIMEOUT_MS = 30_000;

/** Why a job did not complete: its deadline, memory, a crash, its signal (while running or still queued), or the worker's own answer. */
export class WorkerJobError extends Error {
  constructor(
    readonly kind: WorkerFailureKind,
    message: string,
    /** How long the job had run when it was stopped, ms. */
    readonly elapsedMs = 0,
    /** What the worker reported (crash message or exit code). */
    readonly detail = '',
  ) {
    super(message);
    this.name = 'WorkerJobError';
  }
}

export interface WorkerPoolOptions {
  source: string;
  /** Data for each worker; a function is called when each worker starts (for values found lazily). */
  workerData?: unknown;
  /** Deadline for one job, from the moment it is handed to a ready worker. */
  timeoutMs: number;
  /** Sentence for a job that overran its deadline. */
  timeoutMessage: string;
  /** Sentence for a job that ran out of worker memory. */
  memoryMessage: string;
  /** Sentence for a job refused because the pool is closed. */
  closedMessage?: string;
  resourceLimits?: ResourceLimits;
  /** The worker sees an empty environment, and what it writes to its stdout/stderr is dropped. */
  isolated?: boolean;
  /** Warm workers kept between jobs (the most recently used); 2 by default. */
  maxIdle?: number;
  /** Workers kept loaded once the pool is in use: one that stops is replaced in the background. None by default. */
  keepWarm?: number;
  /** A warm worker left unused this long is stopped, giving its memory back; kept until closed by default. */
  idleTimeoutMs?: number;
  /** Workers at most (at least `keepWarm`); further jobs wait for one in order. Unlimited by default. */
  maxWorkers?: number;
  /**
   * The worker announces `{ ready: true }` when set up: its set-up time does not count against a job's deadline
   * (loading a large library takes seconds on a busy machine) but against this one, after which it is stopped.
   */
  startup?: {
    timeoutMs: number;
    timeoutMessage: string;
    /** Start of the sentence for a worker that failed or exited while starting. */
    failureMessage?: string;
    /** Receives the ready message (e.g. a self-check the worker reports). */
    onReady?: (message: Record<string, unknown>) => void;
  };
  /** Problems nobody waits for: a worker started in the background that failed to start. */
  onError?: (error: Error) => void;
}

interface WorkerReply {
  id: number;
  ok: boolean;
  result?: unknown;
  message?: string;
  retire?: boolean;
}

interface PoolWorker {
  worker: Worker;
  affinity?: string;
  idleTimer?: NodeJS.Timeout;
}

interface Waiter {
  affinity: string | undefined;
  resolve(entry: PoolWorker): void;
  reject(error: Error): void;
}

interface Watch<T> {
  accept(message: unknown): T | Error | undefined;
  timeoutMs: number;
  onTimeout(elapsedMs: number): WorkerJobError;
  onFailure(kind: 'memory' | 'crashed', detail: string, elapsedMs: number): WorkerJobError;
  signal?: AbortSignal;
}

export function createWorkerPool<Job, Result>(options: WorkerPoolOptions): WorkerPool<Job, Result> {
  const maxIdle = options.maxIdle ?? 2;
  const keepWarm = options.keepWarm ?? 0;
  const maxWorkers = Math.max(options.maxWorkers ?? Infinity, keepWarm);
  const alive = new Set<PoolWorker>();
  /** Oldest first. */
  const idle: PoolWorker[] = [];
  const busy = new Set<PoolWorker>();
  const waiting: Waiter[] = [];
  const startups = new Set<Promise<void>>();
  let starting = 0;
  let started = 0;
  let replaced = 0;
  let inUse = false;
  let closed = false;
  let nextId = 1;

  const closedError = (): WorkerJobError => new WorkerJobError('closed', options.closedMessage ?? 'The worker pool is closed');
  const fits = (entry: PoolWorker, affinity: string | undefined): boolean => entry.affinity === undefined || entry.affinity === affinity;

  /** Starts a worker; it goes to a waiting job or the idle list once ready. */
  function spawn(): void {
    let worker: Worker;
    try {
      const data: unknown = typeof options.workerData === 'function' ? (options.workerData as () => unknown)() : options.workerData;
      // execArgv: [] so the source is always run as CommonJS (an inherited --input-type=module would make it ESM).
      worker = new Worker(options.source, {
        eval: true,
        execArgv: [],
        workerData: data,
        resourceLimits: options.resourceLimits,
        ...(options.isolated && { stdout: true, stderr: true, env: {} }),
      });
    } catch (error) {
      startFailed(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    started++;
    if (options.isolated) {
      worker.stdout.resume();
      worker.stderr.resume();
    }
    const entry: PoolWorker = { worker };
    alive.add(entry);
    // Idle workers must not keep the process alive.
    worker.unref();
    // A worker that fails outside a job (idle, starting) must not become an uncaught 'error' event: it exits, and is replaced.
    worker.on('error', () => undefined);
    worker.once('exit', () => exited(entry));
    const { startup } = options;
    if (!startup) {
      handOut(entry);
      return;
    }
    starting++;
    const failure = (detail: string): Error => new Error(`${startup.failureMessage ?? 'The worker failed to start'}: ${detail}`);
    const ready = watch<Record<string, unknown>>(entry, {
      accept: (message) => {
        const ready = (message as { ready?: unknown } | null)?.ready;
        if (ready === true) return message as Record<string, unknown>;
        if (ready === false) return failure(String((message as { message?: unknown }).message ?? 'unknown error'));
        return undefined;
      },
      timeoutMs: startup.timeoutMs,
      onTimeout: () => new WorkerJobError('start', startup.timeoutMessage),
      onFailure: (_kind, detail) => new WorkerJobError('start', failure(detail).message),
    }).then(
      (message) => {
        starting--;
        startup.onReady?.(message);
        if (closed) void worker.terminate();
        else handOut(entry);
      },
      (error: Error) => {
        starting--;
        startFailed(error);
        throw error;
      },
    );
    startups.add(ready);
    ready.catch(() => undefined).finally(() => startups.delete(ready));
  }

  /** Let one waiting job see why, instead of waiting forever. */
  function startFailed(error: Error): void {
    const waiter = waiting.shift();
    if (waiter) waiter.reject(error);
    else options.onError?.(error);
  }

  function exited(entry: PoolWorker): void {
    alive.delete(entry);
    busy.delete(entry);
    takeFromIdle(entry);
    if (closed) return;
    startForWaiters();
    topUp();
  }

  /** A ready worker goes to the oldest waiting job it may serve, or is kept idle (or stopped). */
  function handOut(entry: PoolWorker): void {
    // Node may deliver a worker's last answer and its exit together (both waited while the event loop was busy):
    // the exit is then handled before the job's continuation gets here, and the worker must not be kept.
    if (!alive.has(entry)) return;
    const index = waiting.findIndex((waiter) => fits(entry, waiter.affinity));
    if (index >= 0) {
      const [waiter] = waiting.splice(index, 1);
      busy.add(entry);
      waiter!.resolve(entry);
      return;
    }
    // Only jobs of other affinities wait: this worker makes room for a fresh one (started when it has exited).
    if (waiting.length > 0 || maxIdle === 0) {
      void entry.worker.terminate();
      return;
    }
    idle.push(entry);
    // Keep the most recently used workers: past maxIdle the longest-idle one goes.
    while (idle.length > maxIdle) void idle.shift()!.worker.terminate();
    if (options.idleTimeoutMs !== undefined) {
      entry.idleTimer = setTimeout(() => {
        takeFromIdle(entry);
        void entry.worker.terminate();
      }, options.idleTimeoutMs);
      entry.idleTimer.unref();
    }
  }

  function takeFromIdle(entry: PoolWorker): void {
    const index = idle.indexOf(entry);
    if (index >= 0) idle.splice(index, 1);
    clearTimeout(entry.idleTimer);
    entry.idleTimer = undefined;
  }

  function startForWaiters(): void {
    while (!closed && starting < waiting.length && alive.size < maxWorkers) {
      const before = alive.size;
      spawn();
      if (alive.size === before) return; // the worker could not be created
    }
  }

  /** Keeps `keepWarm` workers loaded (or loading) once the pool is in use. */
  function topUp(): void {
    if (closed || !inUse) return;
    for (let missing = keepWarm - alive.size; missing > 0; missing--) {
      replaced++;
      spawn();
    }
  }

  function acquire(affinity: string | undefined, signal: AbortSignal | undefined): Promise<PoolWorker> {
    // A worker of the job's own affinity first, then one nobody has claimed.
    let index = affinity === undefined ? -1 : idle.findLastIndex((entry) => entry.affinity === affinity);
    if (index < 0) index = idle.findLastIndex((entry) => fits(entry, affinity));
    if (index >= 0) {
      const entry = idle[index]!;
      takeFromIdle(entry);
      busy.add(entry);
      return Promise.resolve(entry);
    }
    // At the cap, an idle worker of another affinity makes room for a fresh one (started when it has exited).
    if (idle.length > 0 && alive.size >= maxWorkers) void idle.shift()!.worker.terminate();
    return new Promise<PoolWorker>((resolve, reject) => {
      const onAbort = (): void => {
        const at = waiting.indexOf(waiter);
        if (at >= 0) waiting.splice(at, 1);
        reject(new WorkerJobError('cancelled', 'The job was stopped before it started'));
      };
      const waiter: Waiter = {
        affinity,
        resolve: (entry) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(entry);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      waiting.push(waiter);
      startForWaiters();
    });
  }

  async function run(job: Job, runOptions: WorkerRunOptions = {}): Promise<Result> {
    if (closed) throw closedError();
    const { signal, affinity } = runOptions;
    if (signal?.aborted) throw new WorkerJobError('cancelled', 'The job was stopped before it started');
    if (!inUse) {
      inUse = true;
      // The first job starts the pool: its own worker now, the rest of `keepWarm` in the background.
      queueMicrotask(topUp);
    }
    const entry = await acquire(affinity, signal);
    entry.affinity ??= affinity;
    const id = nextId++;
    const reply = watch<WorkerReply>(entry, {
      accept: (message) => ((message as WorkerReply | null)?.id === id ? (message as WorkerReply) : undefined),
      timeoutMs: runOptions.timeoutMs ?? options.timeoutMs,
      onTimeout: (elapsed) => new WorkerJobError('timeout', runOptions.timeoutMessage ?? options.timeoutMessage, elapsed),
      onFailure: (kind, detail, elapsed) =>
        new WorkerJobError(kind, kind === 'memory' ? options.memoryMessage : `The worker stopped unexpectedly: ${detail}`, elapsed, detail),
      signal,
    });
    entry.worker.postMessage({ id, job });
    const { ok, result, message, retire } = await reply;
    busy.delete(entry);
    if (retire) void entry.worker.terminate();
    else handOut(entry);
    if (ok) return result as Result;
    throw new WorkerJobError('failed', message ?? 'The worker failed');
  }

  /**
   * The first message of the worker that `accept` maps to a value (an Error rejects). The worker failing,
   * exiting, missing the deadline or being stopped by the signal rejects instead; a failed, overdue or
   * stopped worker is terminated.
   */
  function watch<T>(entry: PoolWorker, limits: Watch<T>): Promise<T> {
    const { worker } = entry;
    const startedAt = performance.now();
    const elapsed = (): number => Math.round(performance.now() - startedAt);
    return new Promise<T>((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        limits.signal?.removeEventListener('abort', onAbort);
      };
      const fail = (error: Error): void => {
        cleanup();
        busy.delete(entry);
        void worker.terminate();
        reject(error);
      };
      const onMessage = (message: unknown): void => {
        const value = limits.accept(message);
        if (value === undefined) return;
        if (value instanceof Error) return fail(value);
        cleanup();
        resolve(value);
      };
      // A worker's error is judged when it has exited: Node delivers the messages it posted before failing
      // by then, and the answer to the job may be among them.
      let failure: (Error & { code?: string }) | undefined;
      const onError = (error: Error & { code?: string }): void => {
        failure ??= error;
      };
      const onExit = (code: number): void => {
        if (closed) return fail(closedError());
        if (!failure) return fail(limits.onFailure('crashed', `exit code ${code}`, elapsed()));
        const memory = failure.code === 'ERR_WORKER_OUT_OF_MEMORY' || /memory/i.test(failure.message);
        fail(limits.onFailure(memory ? 'memory' : 'crashed', failure.message, elapsed()));
      };
      const onAbort = (): void => fail(new WorkerJobError('stopped', 'The job was stopped', elapsed()));
      const timer = setTimeout(() => fail(limits.onTimeout(elapsed())), limits.timeoutMs);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      limits.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async function warm(): Promise<void> {
    if (closed) throw closedError();
    if (!inUse) {
      inUse = true;
      while (alive.size < keepWarm) {
        const before = alive.size;
        spawn();
        if (alive.size === before) break;
      }
    }
    await Promise.all([...startups]);
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    for (const waiter of waiting.splice(0)) waiter.reject(closedError());
    for (const entry of [...idle]) takeFromIdle(entry);
    await Promise.all([...alive].map((entry) => entry.worker.terminate()));
  }

  return {
    run,
    warm,
    stats: () => ({ live: alive.size, idle: idle.length, busy: busy.size, starting, started, replaced }),
    close,
  };
}
