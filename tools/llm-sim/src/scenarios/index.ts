import { demo } from './demo.js';
import { echo } from './echo.js';
import { contentParts } from './contentParts.js';
import { disconnect, error500, error503, hang, rateLimit, stall } from './failureScenarios.js';
import type { Scenario } from './scenario.js';
import { reasoning, slow, text, usage, usageNone } from './textScenarios.js';
import { parallelTools, splitArgs, toolCall, toolLoop } from './toolScenarios.js';

export type { Scenario, ScenarioContext } from './scenario.js';

const SCENARIOS = {
  text,
  reasoning,
  'tool-call': toolCall,
  'parallel-tools': parallelTools,
  'split-args': splitArgs,
  usage,
  'usage-none': usageNone,
  'rate-limit': rateLimit,
  'error-500': error500,
  'error-503': error503,
  hang,
  disconnect,
  stall,
  slow,
  'tool-loop': toolLoop,
  echo,
  parts: contentParts,
  demo,
} satisfies Record<string, Scenario>;

export type ScenarioName = keyof typeof SCENARIOS;

export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];

function isScenarioName(name: string): name is ScenarioName {
  return Object.hasOwn(SCENARIOS, name);
}

/** `name` or `name:param`; any other model name is the demo. */
export function resolveScenario(model: string): { scenario: Scenario; param: string | undefined } {
  const separator = model.indexOf(':');
  const name = separator < 0 ? model : model.slice(0, separator);
  const param = separator < 0 ? undefined : model.slice(separator + 1);
  return isScenarioName(name) ? { scenario: SCENARIOS[name], param } : { scenario: demo, param: undefined };
}
