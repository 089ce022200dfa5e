import type { ToolRegistry } from '../toolRegistry.js';
import { createCalculatorTool, type CalculatorTool } from './calculator.js';
import { createCurrentTimeTool } from './currentTime.js';
import { registerFileTools, type FileToolDeps } from './fileTools.js';
import { createExecutePythonTool, type ExecutePythonOptions } from './executePython.js';
import { createTextProcessTool } from './textProcess.js';
import { createJsonProcessTool } from './jsonProcess.js';
import { registerWebTools, type WebToolDeps } from './webTools.js';

export interface BuiltinToolDeps {
  now: () => Date;
  /** Time zone for get_current_time when the model names none; the server's zone by default. */
  defaultTimeZone?: string;
  /** Project files for file_read, file_write…; without it the file tools are not offered. */
  workspaces?: FileToolDeps;
  /** The Python sandbox pool and levels for execute_python; without it the tool is not offered. */
  python?: ExecutePythonOptions;
  /** Settings (and transports) for fetch_page, crawl_batch, web_search and get_weather; without it they are not offered. */
  web?: WebToolDeps;
  /** Keep the calculator's worker loaded once started (the server's `warm_up`). */
  keepCalculatorWarm?: boolean;
}

/** Registers the builtin tools; answers the ones the server warms up after listening. */
export function registerBuiltinTools(registry: ToolRegistry, deps: BuiltinToolDeps): { calculator: CalculatorTool } {
  const calculator = createCalculatorTool({ keepWarm: deps.keepCalculatorWarm ?? false });
  registry.register(calculator);
  registry.register(createCurrentTimeTool(deps.now, deps.defaultTimeZone));
  if (deps.workspaces) registerFileTools(registry, deps.workspaces);
  if (deps.python) registry.register(createExecutePythonTool(deps.python));
  registry.register(createTextProcessTool());
  registry.register(createJsonProcessTool());
  if (deps.web) registerWebTools(registry, deps.web);
  return { calculator };
}
