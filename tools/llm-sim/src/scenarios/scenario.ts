import type { ChatRequest, ScriptedResponse } from '../types.js';

export interface ScenarioContext {
  request: ChatRequest;
  /** What follows the first `:` in the model name (`text:12` → "12"). */
  param: string | undefined;
  /** The simulator's `tokenDelayMs` option, when it was given. */
  tokenDelayMs: number | undefined;
  /** Failures already answered per conversation, for `rate-limit`. */
  rateLimitCounts: Map<string, number>;
}

/** A stateless model: looks at the request and decides the answer. */
export type Scenario = (context: ScenarioContext) => ScriptedResponse;

/** The scenario's numeric parameter, or `fallback` when absent or not a non-negative number. */
export function numericParam(context: ScenarioContext, fallback: number): number {
  const value = Number(context.param);
  return context.param !== undefined && context.param !== '' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

/** Per-piece delay: the `tokenDelayMs` option wins over the scenario's own default. */
export function pieceDelay(context: ScenarioContext, scenarioDefaultMs = 0): number {
  return context.tokenDelayMs ?? scenarioDefaultMs;
}
