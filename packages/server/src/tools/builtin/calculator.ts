import { z } from 'zod';
import type { ZodToolDefinition } from '../types.js';
import { MAX_EXPRESSION_LENGTH, type CalculatorValue } from './calculatorEngine.js';
import { createCalculatorRunner } from './calculatorWorker.js';

export { MAX_EXPRESSION_LENGTH };

const calculatorArguments = z.object({
  expression: z.string().min(1).max(MAX_EXPRESSION_LENGTH).describe('The expression, e.g. "(3 + 4) * sqrt(16) / 2" or "12 inch to cm".'),
  precision: z.int().min(0).max(20).optional().describe('Round a numeric result to this many decimal places.'),
});

export type CalculatorArgs = z.infer<typeof calculatorArguments>;

export interface CalculatorResult {
  expression: string;
  result: CalculatorValue;
}

/** An evaluation takes microseconds; one still running after this is runaway and is stopped. */
const DEFAULT_TIMEOUT_MS = 2000;
/** Starting the worker loads mathjs: ~1 s, several on a busy machine. */
const DEFAULT_STARTUP_TIMEOUT_MS = 30_000;
/** Calculations come in bursts within a conversation; between them the worker's memory goes back to the server. */
const DEFAULT_IDLE_TIMEOUT_MS = 120_000;

export interface CalculatorToolOptions {
  /** Deadline for one evaluation, ms. */
  timeoutMs?: number;
  /** Deadline for starting the calculator's worker (loading mathjs), ms. */
  startupTimeoutMs?: number;
  /** The worker is stopped after this long without a calculation, ms (unless kept warm). */
  idleTimeoutMs?: number;
  /** Keep the worker loaded once started, instead of stopping it when idle (the server's `warm_up`). */
  keepWarm?: boolean;
}

export type CalculatorTool = ZodToolDefinition<CalculatorArgs> & {
  /** Starts the calculator's worker now; resolves once mathjs is loaded. */
  warm(): Promise<void>;
  stats(): { live: number; idle: number; started: number };
  close(): Promise<void>;
};

export function createCalculatorTool(options: CalculatorToolOptions = {}): CalculatorTool {
  // The worker (and mathjs in it, ~1 s to load) starts on the first calculation or warm(), and stops when idle unless kept warm.
  const runner = createCalculatorRunner({
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    startupTimeoutMs: options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS,
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    keepWarm: options.keepWarm ?? false,
  });
  return {
    name: 'calculator',
    category: 'math',
    cacheable: true,
    description:
      'Evaluate a math expression exactly, instead of calculating in your head. Supports + - * / ^, % (modulo, or a ' +
      'percentage: "200 * 15%"), parentheses, sqrt, cbrt, sin/cos/tan (radians; "sin(30 deg)" for degrees), ' +
      'log(x) (natural), log(x, base), ln, log10, exp, abs, round(x, n), floor, ceil, factorial ("5!"), ' +
      'combinations, mean/median/min/max/sum, complex numbers, constants pi and e, and unit conversion ' +
      '("5 km to mile", "100 degF to degC"). Variables and assignments are not supported.',
    arguments: calculatorArguments,
    handler: async ({ expression, precision }): Promise<CalculatorResult> => ({ expression, result: await runner.evaluate(expression, precision) }),
    warm: () => runner.warm(),
    stats: () => runner.stats(),
    close: () => runner.close(),
  };
}
