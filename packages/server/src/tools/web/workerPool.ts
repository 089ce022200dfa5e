import { Worker, type ResourceLimits } from 'node:worker_threads';

/**
 * Runs CPU-heavy or possibly runaway work (model-supplied regexes, HTML conversion) off the event loop,
 * in worker threads built from a CommonJS source string. A job past its deadline has its worker
 * terminated (V8 interrupts even a backtracking regex), so a bad input costs one worker, never the server.
 *
 * The source must answer `{ id, job }` messages with `{ id, ok: true, result }` or `{ id, ok: false, message }`.
 */
export interface WorkerPool<Job, Result> {
  run(job: Job, timeoutMessage?: string): Promise<Result>;
  /** Terminates idle workers. */
  close(): Promise<void>;
}

export interface WorkerPoolOptions {
  source: string;
  workerData?: unknown;
  timeoutMs: number;
  /** Sentence for a job that overran its deadline. */
  timeoutMessage: string;
  /** Sentence for a job that ran out of worker memory. */
  memoryMessage: string;
  resourceLimits?: ResourceLimits;
  /** Warm workers kept between jobs. */
  maxIdle?: number;
}

interface WorkerReply {
  id: number;
  ok: boolean;
  result?: unknown;
  message?: string;
}

export function createWorkerPool<Job, Result>(options: WorkerPoolOptions): WorkerPool<Job, Result> {
  const idle: Worker[] = [];
  const maxIdle = options.maxIdle ?? 2;
  let nextId = 1;

  function spawn(): Worker {
    // execArgv: [] so the source is always run as CommonJS (an inherited --input-type=module would make it ESM).
    const worker = new Worker(options.source, { eval: true, execArgv: [], workerData: options.workerData, resourceLimits: options.resourceLimits });
    // Idle workers must not keep the process alive.
    worker.unref();
    return worker;
  }

  function run(job: Job, timeoutMessage = options.timeoutMessage): Promise<Result> {
    const worker = idle.pop() ?? spawn();
    const id = nextId++;
    return new Promise<Result>((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (reply: WorkerReply): void => {
        if (reply.id !== id) return;
        cleanup();
        if (idle.length < maxIdle) idle.push(worker);
        else void worker.terminate();
        if (reply.ok) resolve(reply.result as Result);
        else reject(new Error(reply.message ?? 'The worker failed'));
      };
      const onError = (error: Error & { code?: string }): void => {
        cleanup();
        void worker.terminate();
        reject(new Error(error.code === 'ERR_WORKER_OUT_OF_MEMORY' || /memory/i.test(error.message) ? options.memoryMessage : error.message));
      };
      const onExit = (): void => {
        cleanup();
        reject(new Error('The worker stopped unexpectedly'));
      };
      const timer = setTimeout(() => {
        cleanup();
        void worker.terminate();
        reject(new Error(timeoutMessage));
      }, options.timeoutMs);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage({ id, job });
    });
  }

  return {
    run,
    async close() {
      await Promise.all(idle.splice(0).map((worker) => worker.terminate()));
    },
  };
}
