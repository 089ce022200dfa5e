import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { LEVEL_MODULES, LEVEL_TIMEOUT_MS, type SandboxLevel } from './levels.js';
import { PYTHON_DRIVER } from './pythonDriver.js';
import { PYTHON_WORKER_SOURCE } from './pythonWorker.js';

export interface PythonPoolOptions {
  /** Workers kept loaded and idle. */
  poolSize: number;
  /** Workers at most (runs beyond wait their turn). */
  maxWorkers: number;
  /** Cap on the WASM heap of a worker, MB; the JS heap of the worker is capped separately. */
  memoryMb: number;
  /** stdout + stderr kept per run, characters. */
  outputMaxChars: number;
  /** Wall-clock limit per level, ms (defaults 5/10/30 s). */
  timeoutsMs?: Partial<Record<SandboxLevel, number>>;
  /** Time allowed for a worker to load Pyodide, ms. */
  startTimeoutMs?: number;
  /** Called for background problems (a replacement worker that failed to start). */
  onError?: (error: Error) => void;
}

export interface PythonRunOptions {
  level: SandboxLevel;
  signal?: AbortSignal;
  /**
   * Who runs the code (the user id). A worker is only reused by runs of the same tenant: each run gets a
   * fresh namespace and the shared modules' globals are put back, but a patched stdlib class could
   * otherwise reach another user's run. Runs without a tenant share workers with each other.
   */
  tenant?: string;
  /**
   * Tests only: run without the Python policy layer (import allowlist, dunder and builtin checks), to prove
   * the worker's JS-side boundary holds on its own. Never reachable from the tool.
   */
  unsafeSkipPolicy?: boolean;
}

export type PythonFailureKind = 'exception' | 'timeout' | 'memory' | 'stopped' | 'crashed';

export interface PythonRunResult {
  success: boolean;
  stdout: string;
  stderr: string;
  /** repr() of the last expression, when the code ends with one that is not None. */
  result: string | null;
  /** Milliseconds the code ran (in the worker), or the wall-clock until it was stopped. */
  execution_time: number;
  /** Exception type and the last lines of the traceback, or why the run was stopped. */
  error?: string;
  error_type?: string;
  failure?: PythonFailureKind;
  /** stdout + stderr characters dropped by the output cap. */
  truncated_chars: number;
}

export interface PythonPoolStats {
  idle: number;
  busy: number;
  starting: number;
  /** Workers started since the pool was created. */
  started: number;
  /** Of those, started in the background to keep `poolSize` loaded (after the first run, or replacing a stopped worker). */
  replaced: number;
}

/** What the last worker checked about itself before reporting ready (all empty, or it would not have started). */
export interface SandboxSelfCheck {
  /** Dangerous globals (process, require, fetch…) still defined in the worker. */
  globals_left: string[];
  /** Routes to code generation from strings that still worked. */
  codegen: string[];
  /** Properties left on Pyodide's public API object (pyodide_js in Python). */
  pyodide_api_keys: string[];
  /** Properties of the object Python sees as the `js` module. */
  jsglobals_keys: string[];
}

export interface PythonPool {
  run(code: string, options: PythonRunOptions): Promise<PythonRunResult>;
  /** The self-check of the most recently started worker, once one is ready. */
  selfCheck(): SandboxSelfCheck | null;
  /** Starts the pool's workers (resolves when `poolSize` are ready). Called lazily by the first run. */
  warm(): Promise<void>;
  stats(): PythonPoolStats;
  close(): Promise<void>;
}

interface WorkerAnswer {
  success: boolean;
  stdout: string;
  stderr: string;
  result: string | null;
  error: string | null;
  error_type: string | null;
  truncated_chars: number;
  execution_time: number;
  recycle?: boolean;
}

interface SandboxWorker {
  worker: Worker;
  runs: number;
  /** Set by the first run; later runs of other tenants get another worker. */
  tenant?: string;
  onExit?: (error: Error) => void;
}

/** The Pyodide package folder (with pyodide.asm.wasm and python_stdlib.zip), so nothing is fetched from a CDN. */
export function pyodideIndexUrl(): string {
  const require = createRequire(import.meta.url);
  return `${dirname(require.resolve('pyodide/package.json'))}/`;
}

const MB = 1024 * 1024;
/** JS heap of a worker: Pyodide's loader and the stdlib zip live there briefly; Python's objects live in the WASM heap. */
const WORKER_OLD_GENERATION_MB = 96;
const WORKER_YOUNG_GENERATION_MB = 16;

export function createPythonPool(options: PythonPoolOptions): PythonPool {
  const timeouts = { ...LEVEL_TIMEOUT_MS, ...options.timeoutsMs };
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const levelsJson = JSON.stringify(LEVEL_MODULES);
  const idle: SandboxWorker[] = [];
  const busy = new Set<SandboxWorker>();
  const starting = new Set<Promise<SandboxWorker>>();
  const waiters: Array<{ tenant: string | undefined; resolve: (w: SandboxWorker) => void; reject: (e: Error) => void }> = [];
  let indexURL: string | null = null;
  let closed = false;
  let warmed = false;
  let started = 0;
  let replaced = 0;
  let nextRunId = 1;
  let lastCheck: SandboxSelfCheck | null = null;

  const total = (): number => idle.length + busy.size + starting.size;

  function startWorker(): Promise<SandboxWorker> {
    indexURL ??= pyodideIndexUrl();
    const worker = new Worker(PYTHON_WORKER_SOURCE, {
      eval: true,
      workerData: { indexURL, wasmMaxBytes: options.memoryMb * MB, levelsJson, outputMaxChars: options.outputMaxChars, driver: PYTHON_DRIVER },
      resourceLimits: { maxOldGenerationSizeMb: WORKER_OLD_GENERATION_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
      stdout: true,
      stderr: true,
      env: {},
    });
    // Nothing the worker writes to its own stdout/stderr reaches the server's output.
    worker.stdout.resume();
    worker.stderr.resume();
    started++;
    const promise = new Promise<SandboxWorker>((resolve, reject) => {
      const entry: SandboxWorker = { worker, runs: 0 };
      const timer = setTimeout(() => {
        void worker.terminate();
        reject(new Error(`The Python sandbox did not start within ${startTimeoutMs} ms`));
      }, startTimeoutMs);
      const onMessage = (message: { type: string; message?: string; check?: SandboxSelfCheck }): void => {
        if (message.type === 'ready') {
          cleanup();
          lastCheck = message.check ?? null;
          worker.on('exit', (code) => entry.onExit?.(new Error(`worker exited (${code})`)));
          worker.on('error', (error) => entry.onExit?.(error));
          resolve(entry);
        } else if (message.type === 'failed') {
          cleanup();
          void worker.terminate();
          reject(new Error(`The Python sandbox failed to start: ${message.message ?? 'unknown error'}`));
        }
      };
      const onError = (error: Error): void => {
        cleanup();
        reject(new Error(`The Python sandbox failed to start: ${error.message}`));
      };
      const onExit = (code: number): void => {
        cleanup();
        reject(new Error(`The Python sandbox exited while starting (code ${code})`));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
    starting.add(promise);
    const settle = (): void => {
      starting.delete(promise);
    };
    promise.then(
      (entry) => {
        settle();
        if (closed) {
          void entry.worker.terminate();
          return;
        }
        entry.onExit = () => dropIdle(entry);
        handOut(entry);
      },
      (error: Error) => {
        settle();
        // Let one waiter see why, instead of waiting forever.
        const waiter = waiters.shift();
        if (waiter) waiter.reject(error);
        else options.onError?.(error);
      },
    );
    return promise;
  }

  /** A worker that exits while idle (it should not) is dropped and replaced. */
  function dropIdle(entry: SandboxWorker): void {
    const i = idle.indexOf(entry);
    if (i >= 0) idle.splice(i, 1);
    topUp();
  }

  /** A ready worker goes to the oldest waiter, or back to the idle set (or away, past the pool size). */
  function handOut(entry: SandboxWorker): void {
    const index = waiters.findIndex((waiter) => fits(entry, waiter.tenant));
    if (index >= 0) {
      const [waiter] = waiters.splice(index, 1);
      busy.add(entry);
      waiter!.resolve(entry);
      return;
    }
    if (waiters.length > 0 || options.poolSize === 0) {
      // Only other tenants are waiting (or nothing is kept): this worker makes room for a fresh one.
      void entry.worker.terminate();
      startForWaiters();
      return;
    }
    // Keep the most recently used workers: past the pool size the longest-idle one goes.
    while (idle.length >= options.poolSize) {
      const oldest = idle.shift()!;
      oldest.onExit = undefined;
      void oldest.worker.terminate();
    }
    idle.push(entry);
  }

  function fits(entry: SandboxWorker, tenant: string | undefined): boolean {
    return entry.tenant === undefined || entry.tenant === tenant;
  }

  function startForWaiters(): void {
    if (closed) return;
    if (starting.size < waiters.length && total() < Math.max(options.maxWorkers, options.poolSize)) startWorker().catch(() => {});
  }

  /** Keeps `poolSize` workers loaded (or loading) once the pool is in use. */
  function topUp(): void {
    if (closed || !warmed) return;
    while (total() < options.poolSize) {
      replaced++;
      startWorker().catch(() => {});
    }
  }

  function acquire(tenant: string | undefined): Promise<SandboxWorker> {
    // The tenant's own warm worker first, then a fresh one.
    let index = idle.findIndex((entry) => entry.tenant !== undefined && entry.tenant === tenant);
    if (index < 0) index = idle.findIndex((entry) => fits(entry, tenant));
    if (index >= 0) {
      const [ready] = idle.splice(index, 1);
      busy.add(ready!);
      return Promise.resolve(ready!);
    }
    // Idle workers of other tenants are not reused: at the worker cap one of them makes room for a fresh one.
    if (idle.length > 0 && total() >= Math.max(options.maxWorkers, options.poolSize)) {
      const [other] = idle.splice(0, 1);
      other!.onExit = undefined;
      void other!.worker.terminate();
    }
    return new Promise<SandboxWorker>((resolve, reject) => {
      waiters.push({ tenant, resolve, reject });
      startForWaiters();
    });
  }

  function discard(entry: SandboxWorker): void {
    busy.delete(entry);
    entry.onExit = undefined;
    void entry.worker.terminate();
    topUp();
  }

  function release(entry: SandboxWorker): void {
    busy.delete(entry);
    entry.onExit = () => dropIdle(entry);
    handOut(entry);
  }

  async function warm(): Promise<void> {
    if (closed) throw new Error('The Python sandbox is closed');
    if (!warmed) {
      warmed = true;
      const fresh: Array<Promise<SandboxWorker>> = [];
      while (total() < options.poolSize) fresh.push(startWorker());
      await Promise.all(fresh);
      return;
    }
    await Promise.all([...starting]);
  }

  async function run(code: string, runOptions: PythonRunOptions): Promise<PythonRunResult> {
    if (closed) throw new Error('The Python sandbox is closed');
    if (runOptions.signal?.aborted) return stoppedResult('stopped', 'The run was stopped before it started', 0);
    if (!warmed) {
      warmed = true;
      // The first run starts the pool: its own worker plus the rest in the background.
      topUpAfterFirst();
    }
    const entry = await acquireUnlessAborted(runOptions.tenant, runOptions.signal);
    if (!entry) return stoppedResult('stopped', 'The run was stopped before it started', 0);
    if (closed) {
      discard(entry);
      throw new Error('The Python sandbox is closed');
    }
    const timeoutMs = timeouts[runOptions.level];
    const id = nextRunId++;
    const startedAt = performance.now();
    entry.runs++;
    entry.tenant ??= runOptions.tenant;
    return new Promise<PythonRunResult>((resolve) => {
      let settled = false;
      const finish = (result: PythonRunResult, healthy: boolean): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        runOptions.signal?.removeEventListener('abort', onAbort);
        entry.worker.off('message', onMessage);
        entry.onExit = undefined;
        if (healthy) release(entry);
        else discard(entry);
        resolve(result);
      };
      const elapsed = (): number => Math.round(performance.now() - startedAt);
      const timer = setTimeout(() => {
        finish(stoppedResult('timeout', `Execution timed out after ${timeoutMs / 1000} s (level ${runOptions.level}); the run was stopped`, elapsed()), false);
      }, timeoutMs);
      const onAbort = (): void => finish(stoppedResult('stopped', 'The run was stopped', elapsed()), false);
      runOptions.signal?.addEventListener('abort', onAbort, { once: true });
      const onMessage = (message: { type: string; id?: number; answer?: WorkerAnswer }): void => {
        if (message.type !== 'result' || message.id !== id || !message.answer) return;
        const answer = message.answer;
        finish(fromAnswer(answer), !answer.recycle);
      };
      entry.worker.on('message', onMessage);
      // The worker dies on its own when its JS heap limit is hit (ERR_WORKER_OUT_OF_MEMORY) or it crashes.
      entry.onExit = (error) => {
        const memory = /out of memory|ERR_WORKER_OUT_OF_MEMORY/i.test(`${(error as { code?: string }).code ?? ''} ${error.message}`);
        finish(
          memory
            ? stoppedResult('memory', 'The run went over the sandbox memory limit and was stopped', elapsed())
            : stoppedResult('crashed', `The Python sandbox stopped unexpectedly: ${error.message}`, elapsed()),
          false,
        );
      };
      entry.worker.postMessage({ id, code, level: runOptions.level, policy: runOptions.unsafeSkipPolicy !== true });
    });
  }

  function topUpAfterFirst(): void {
    // Started by acquire() for the first run; the remaining pool workers load in the background.
    queueMicrotask(() => topUp());
  }

  function acquireUnlessAborted(tenant: string | undefined, signal: AbortSignal | undefined): Promise<SandboxWorker | null> {
    const pending = acquire(tenant);
    if (!signal) return pending;
    return new Promise<SandboxWorker | null>((resolve, reject) => {
      const onAbort = (): void => {
        // Hand the worker back as soon as it arrives.
        pending.then(release, () => {});
        resolve(null);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      pending.then(
        (entry) => {
          signal.removeEventListener('abort', onAbort);
          if (signal.aborted) {
            release(entry);
            resolve(null);
          } else resolve(entry);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    for (const waiter of waiters.splice(0)) waiter.reject(new Error('The Python sandbox is closed'));
    const all = [...idle.splice(0), ...busy];
    busy.clear();
    await Promise.all([
      ...all.map((entry) => {
        entry.onExit = undefined;
        return entry.worker.terminate();
      }),
      ...[...starting].map((p) => p.then((entry) => entry.worker.terminate(), () => undefined)),
    ]);
  }

  return {
    run,
    warm,
    selfCheck: () => lastCheck,
    stats: () => ({ idle: idle.length, busy: busy.size, starting: starting.size, started, replaced }),
    close,
  };
}

function fromAnswer(answer: WorkerAnswer): PythonRunResult {
  const result: PythonRunResult = {
    success: answer.success,
    stdout: answer.stdout,
    stderr: answer.stderr,
    result: answer.result,
    execution_time: answer.execution_time,
    truncated_chars: answer.truncated_chars,
  };
  if (answer.truncated_chars > 0) {
    const note = `\n… [output truncated: ${answer.truncated_chars} characters of stdout/stderr omitted]`;
    if (answer.stderr) result.stderr += note;
    else result.stdout += note;
  }
  if (!answer.success) {
    result.error = answer.error ?? 'The code failed';
    result.error_type = answer.error_type ?? 'Error';
    result.failure = answer.error_type === 'MemoryError' ? 'memory' : 'exception';
  }
  return result;
}

function stoppedResult(failure: PythonFailureKind, error: string, elapsedMs: number): PythonRunResult {
  return { success: false, stdout: '', stderr: '', result: null, execution_time: elapsedMs, error, error_type: failure === 'timeout' ? 'TimeoutError' : failure === 'memory' ? 'MemoryError' : 'SandboxError', failure, truncated_chars: 0 };
}
