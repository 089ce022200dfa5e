import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { LEVEL_MODULES, LEVEL_TIMEOUT_MS, type SandboxLevel } from './levels.js';
import { PYTHON_DRIVER } from './pythonDriver.js';
import { PYTHON_WORKER_SOURCE } from './pythonWorker.js';
import { createWorkerPool, WorkerJobError } from '../workers/workerPool.js';

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
}

interface PythonJob {
  code: string;
  level: SandboxLevel;
  /** false: without the Python policy layer (tests only). */
  policy: boolean;
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

/**
 * The sandbox on the shared worker pool: `poolSize` workers are kept loaded once the pool is in use (a
 * stopped one is replaced in the background), workers are reused only by runs of the same tenant, and a
 * run's wall-clock limit is its level's. A run that fails in the worker's hands (limit, memory, crash,
 * stop) is answered as an unsuccessful result, not thrown.
 */
export function createPythonPool(options: PythonPoolOptions): PythonPool {
  const timeouts = { ...LEVEL_TIMEOUT_MS, ...options.timeoutsMs };
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const levelsJson = JSON.stringify(LEVEL_MODULES);
  let indexURL: string | null = null;
  let lastCheck: SandboxSelfCheck | null = null;

  const pool = createWorkerPool<PythonJob, WorkerAnswer>({
    source: PYTHON_WORKER_SOURCE,
    // Found when the first worker starts, not when the server does.
    workerData: () => ({
      indexURL: (indexURL ??= pyodideIndexUrl()),
      wasmMaxBytes: options.memoryMb * MB,
      levelsJson,
      outputMaxChars: options.outputMaxChars,
      driver: PYTHON_DRIVER,
    }),
    timeoutMs: timeouts.standard,
    timeoutMessage: 'Execution timed out; the run was stopped',
    // The worker dies on its own when its JS heap limit is hit (ERR_WORKER_OUT_OF_MEMORY).
    memoryMessage: 'The run went over the sandbox memory limit and was stopped',
    closedMessage: 'The Python sandbox is closed',
    resourceLimits: { maxOldGenerationSizeMb: WORKER_OLD_GENERATION_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    // Nothing the worker writes to its own stdout/stderr reaches the server's output.
    isolated: true,
    keepWarm: options.poolSize,
    maxIdle: options.poolSize,
    maxWorkers: options.maxWorkers,
    startup: {
      timeoutMs: startTimeoutMs,
      timeoutMessage: `The Python sandbox did not start within ${startTimeoutMs} ms`,
      failureMessage: 'The Python sandbox failed to start',
      onReady: (message) => {
        lastCheck = (message.check as SandboxSelfCheck | undefined) ?? null;
      },
    },
    onError: options.onError,
  });

  async function run(code: string, runOptions: PythonRunOptions): Promise<PythonRunResult> {
    const { level } = runOptions;
    const timeoutMs = timeouts[level];
    try {
      const answer = await pool.run(
        { code, level, policy: runOptions.unsafeSkipPolicy !== true },
        {
          timeoutMs,
          timeoutMessage: `Execution timed out after ${timeoutMs / 1000} s (level ${level}); the run was stopped`,
          signal: runOptions.signal,
          affinity: runOptions.tenant,
        },
      );
      return fromAnswer(answer);
    } catch (error) {
      if (!(error instanceof WorkerJobError)) throw error;
      switch (error.kind) {
        case 'timeout':
        case 'memory':
          return stoppedResult(error.kind, error.message, error.elapsedMs);
        case 'crashed':
          return stoppedResult('crashed', `The Python sandbox stopped unexpectedly: ${error.detail}`, error.elapsedMs);
        case 'stopped':
          return stoppedResult('stopped', 'The run was stopped', error.elapsedMs);
        case 'cancelled':
          return stoppedResult('stopped', 'The run was stopped before it started', 0);
        default:
          throw error;
      }
    }
  }

  return {
    run,
    warm: () => pool.warm(),
    selfCheck: () => lastCheck,
    stats: () => {
      const { live: _live, ...stats } = pool.stats();
      return stats;
    },
    close: () => pool.close(),
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
