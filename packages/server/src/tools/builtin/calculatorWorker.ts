import { createRequire } from 'node:module';
import { createWorkerPool } from '../../workers/workerPool.js';
import { MAX_EXPRESSION_LENGTH, createRestrictedCalculator, type CalculatorValue } from './calculatorEngine.js';

/**
 * Evaluates calculator expressions in a worker thread. mathjs is a large module graph: loading it takes ~1 s
 * (up to 9 s on a busy machine) of synchronous work that, on the server's own thread, stalled every live
 * stream. The worker loads it instead, once, and stays warm for later calls; it starts on the first
 * calculation and stops after a while without one (an idle server pays nothing), and a dead or stopped
 * worker is replaced by the next calculation. With `keepWarm` (the server's `warm_up`), it is started right after the
 * server listens and stays loaded, so the first calculation is as fast as later ones.
 */
export interface CalculatorRunner {
  evaluate(expression: string, precision?: number): Promise<CalculatorValue>;
  /** Starts the worker now (loading mathjs) instead of on the first calculation; resolves once it is ready. */
  warm(): Promise<void>;
  /** Workers alive and idle, and started so far (tests, diagnostics). */
  stats(): { live: number; idle: number; started: number };
  /** Stops its worker (tests, shutdown); later calculations are refused. */
  close(): Promise<void>;
}

export interface CalculatorRunnerOptions {
  /** Deadline for one evaluation, ms; the worker is stopped past it. */
  timeoutMs: number;
  /** Deadline for starting the worker and loading mathjs, ms. */
  startupTimeoutMs: number;
  /** The worker (~80 MB with mathjs loaded) is stopped after this long without a calculation, ms. */
  idleTimeoutMs: number;
  /** Keep the worker loaded once started (by warm() or a calculation), never stopping it when idle; replaced if it dies. */
  keepWarm?: boolean;
}

interface CalculatorJob {
  expression: string;
  precision?: number;
}

const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const createRestrictedCalculator = ${createRestrictedCalculator.toString()};
const calculator = createRestrictedCalculator(require(workerData.mathjs), workerData.maxExpressionLength);
parentPort.on('message', ({ id, job }) => {
  try {
    parentPort.postMessage({ id, ok: true, result: calculator.evaluate(job.expression, job.precision) });
  } catch (error) {
    parentPort.postMessage({ id, ok: false, message: error && error.message ? error.message : String(error) });
  }
});
parentPort.postMessage({ ready: true });
`;

export function createCalculatorRunner(options: CalculatorRunnerOptions): CalculatorRunner {
  const require = createRequire(import.meta.url);
  const pool = createWorkerPool<CalculatorJob, CalculatorValue>({
    source: WORKER_SOURCE,
    workerData: { mathjs: require.resolve('mathjs'), maxExpressionLength: MAX_EXPRESSION_LENGTH },
    timeoutMs: options.timeoutMs,
    timeoutMessage: `The calculation took longer than ${options.timeoutMs} ms and was stopped; split it into smaller steps`,
    memoryMessage: 'The calculation used too much memory and was stopped; use smaller numbers or matrices',
    // mathjs needs ~60 MB of heap once loaded; an expression of at most 1000 characters needs little more.
    resourceLimits: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 32 },
    // One worker: evaluations take microseconds, and each extra worker would load its own mathjs.
    maxWorkers: 1,
    maxIdle: 1,
    ...(options.keepWarm ? { keepWarm: 1 } : { idleTimeoutMs: options.idleTimeoutMs }),
    startup: {
      timeoutMs: options.startupTimeoutMs,
      timeoutMessage: `The calculator could not start within ${options.startupTimeoutMs} ms; try again`,
    },
  });
  return {
    evaluate: (expression, precision) => pool.run(precision === undefined ? { expression } : { expression, precision }),
    // warm() starts `keepWarm` workers: with none kept warm, the one worker is started by a first job instead.
    warm: () => (options.keepWarm ? pool.warm() : pool.run({ expression: '0' }).then(() => undefined)),
    stats: () => {
      const { live, idle, started } = pool.stats();
      return { live, idle, started };
    },
    close: () => pool.close(),
  };
}
