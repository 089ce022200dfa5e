import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import type { ChatToolDefinition } from '../llm/types.js';
import type { ToolDefinition } from './types.js';
import { describeValidationErrors } from './describeValidationErrors.js';

export interface ToolDescription {
  name: string;
  description: string;
  category: string;
  parameters: Record<string, unknown>;
}

export type ArgumentCheck = { valid: true } | { valid: false; problems: string[] };

export interface ToolRegistry {
  /**
   * Adds a tool. Its parameter schema is compiled when its arguments are first checked (compiling
   * every built-in tool's schema at start-up cost more than the rest of the start-up's own work; a
   * test compiles them all), or now with `{ compileNow: true }`, which throws on a broken schema —
   * for schemas from outside, such as MCP servers'. Throws on a duplicate name.
   */
  register<Args extends object>(definition: ToolDefinition<Args>, options?: { compileNow?: boolean }): void;
  /** Removes a tool (MCP tools come and go with their server); true when it was registered. */
  unregister(name: string): boolean;
  get(name: string): ToolDefinition | undefined;
  list(): ToolDefinition[];
  /** The OpenAI `tools` array, optionally only for the tools the filter keeps. */
  definitionsForModel(filter?: (definition: ToolDefinition) => boolean): ChatToolDefinition[];
  /** Public description of every tool (GET /api/tools). */
  describe(): ToolDescription[];
  /** Validates (and fills schema defaults into) the arguments of a registered tool. */
  checkArguments(name: string, args: Record<string, unknown>): ArgumentCheck;
}

interface RegisteredTool {
  definition: ToolDefinition;
  /** Compiled on first use. */
  validate?: ValidateFunction;
}

export function createToolRegistry(): ToolRegistry {
  const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: true });
  // MCP servers' schemas use formats (uri, email, date-time…): validate them rather than warn on each.
  ajvFormats.default(ajv);
  const tools = new Map<string, RegisteredTool>();

  function register<Args extends object>(definition: ToolDefinition<Args>, options: { compileNow?: boolean } = {}): void {
    if (tools.has(definition.name)) throw new Error(`A tool named "${definition.name}" is already registered`);
    const validate = options.compileNow ? ajv.compile(definition.parameters) : undefined;
    // The executor only calls the handler with arguments that passed this schema, which is what Args describes.
    tools.set(definition.name, { definition: definition as unknown as ToolDefinition, validate });
  }

  function validatorOf(tool: RegisteredTool): ValidateFunction {
    tool.validate ??= ajv.compile(tool.definition.parameters);
    return tool.validate;
  }

  function list(): ToolDefinition[] {
    return [...tools.values()].map((tool) => tool.definition);
  }

  function checkArguments(name: string, args: Record<string, unknown>): ArgumentCheck {
    const tool = tools.get(name);
    if (!tool) throw new Error(`Unknown tool: ${name}`);
    const validate = validatorOf(tool);
    if (validate(args)) return { valid: true };
    return { valid: false, problems: describeValidationErrors(validate.errors ?? []) };
  }

  return {
    register,
    unregister: (name) => tools.delete(name),
    get: (name) => tools.get(name)?.definition,
    list,
    definitionsForModel: (filter) =>
      list()
        .filter((definition) => filter?.(definition) ?? true)
        .map((definition) => ({
          type: 'function',
          function: { name: definition.name, description: definition.description, parameters: definition.parameters },
        })),
    describe: () =>
      list().map(({ name, description, category, parameters }) => ({ name, description, category, parameters })),
    checkArguments,
  };
}
