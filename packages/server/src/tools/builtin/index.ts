import type { ToolRegistry } from '../toolRegistry.js';
import { createCalculatorTool } from './calculator.js';
import { createCurrentTimeTool } from './currentTime.js';

export interface BuiltinToolDeps {
  now: () => Date;
  /** Time zone for get_current_time when the model names none; the server's zone by default. */
  defaultTimeZone?: string;
}

export function registerBuiltinTools(registry: ToolRegistry, deps: BuiltinToolDeps): void {
  registry.register(createCalculatorTool());
  registry.register(createCurrentTimeTool(deps.now, deps.defaultTimeZone));
}
