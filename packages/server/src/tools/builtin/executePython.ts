import { z } from 'zod';
import type { ZodToolDefinition } from '../types.js';
import type { PythonPool, PythonRunResult } from '../../sandbox/pythonPool.js';
import { LEVEL_MODULES, LEVEL_TIMEOUT_MS, SANDBOX_LEVELS, levelRank, type SandboxLevel } from '../../sandbox/levels.js';

export const MAX_CODE_LENGTH = 100_000;

const executePythonArguments = (offered: readonly SandboxLevel[], defaultLevel: SandboxLevel, maxLevel: SandboxLevel) =>
  z.strictObject({
    code: z.string().min(1).max(MAX_CODE_LENGTH).describe('The Python code to run.'),
    level: z
      .enum(offered as [SandboxLevel, ...SandboxLevel[]])
      .optional()
      .describe(`Sandbox strictness (default ${defaultLevel}); at most ${maxLevel}.`),
  });

export type ExecutePythonArgs = z.infer<ReturnType<typeof executePythonArguments>>;

export interface ExecutePythonOptions {
  pool: PythonPool;
  /** Level used when the model names none. */
  defaultLevel: SandboxLevel;
  /** Highest level the model may ask for; above it the call is refused. */
  maxLevel: SandboxLevel;
}

/** What the model gets back for a run that completed (Python exceptions are error results instead). */
export interface ExecutePythonResult {
  success: true;
  stdout: string;
  stderr: string;
  result: string | null;
  execution_time: number;
}

/** Extra time the executor allows on top of the level's limit: the sandbox stops the run itself, a cold worker loads first. */
const START_ALLOWANCE_MS = 30_000;

export function createExecutePythonTool(options: ExecutePythonOptions): ZodToolDefinition<ExecutePythonArgs> {
  const { pool, defaultLevel, maxLevel } = options;
  if (levelRank(defaultLevel) > levelRank(maxLevel)) {
    throw new Error(`sandbox.default_level "${defaultLevel}" is above sandbox.max_level "${maxLevel}"`);
  }
  const offered = SANDBOX_LEVELS.filter((level) => levelRank(level) <= levelRank(maxLevel));
  return {
    name: 'execute_python',
    category: 'code',
    description:
      'Run Python 3 code (standard library only) in an isolated sandbox and get stdout, stderr and the repr of the last ' +
      'expression. No network, no host files (an in-memory scratch directory is the working directory), no processes. ' +
      `Levels: strict (${LEVEL_TIMEOUT_MS.strict / 1000} s; ${LEVEL_MODULES.strict.join(', ')}), standard ` +
      `(${LEVEL_TIMEOUT_MS.standard / 1000} s; adds typing, dataclasses, enum, heapq, hashlib, csv, io…), lenient ` +
      `(${LEVEL_TIMEOUT_MS.lenient / 1000} s; more pure-computation modules). Default level: ${defaultLevel}. ` +
      'Use print() for output; nothing persists between calls.',
    arguments: executePythonArguments(offered, defaultLevel, maxLevel),
    timeoutMs: LEVEL_TIMEOUT_MS.lenient + START_ALLOWANCE_MS,
    handler: async ({ code, level }, ctx): Promise<ExecutePythonResult> => {
      const chosen = level ?? defaultLevel;
      if (levelRank(chosen) > levelRank(maxLevel)) {
        throw new Error(`Sandbox level "${chosen}" is above the configured maximum "${maxLevel}"; use ${offered.join(' or ')}`);
      }
      const run = await pool.run(code, { level: chosen, signal: ctx.signal, tenant: ctx.userId });
      if (!run.success) throw new Error(describeFailure(run));
      return { success: true, stdout: run.stdout, stderr: run.stderr, result: run.result, execution_time: run.execution_time };
    },
  };
}

/** The error sentence: what went wrong (traceback's last lines), then any output printed before it. */
export function describeFailure(run: PythonRunResult): string {
  const parts = [run.error ?? 'The code failed'];
  if (run.stdout) parts.push(`stdout before the error:\n${run.stdout}`);
  if (run.stderr) parts.push(`stderr:\n${run.stderr}`);
  return parts.join('\n');
}
