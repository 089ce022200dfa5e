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
  /** Adds a tool; its parameter schema is compiled now, so a broken schema fails at start-up. Throws on a duplicate name. */
  register<Args extends object>(definition: ToolDefinition<Args>): void;
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
  validate: ValidateFunction;
}

export function createToolRegistry(): ToolRegistry {
  const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: true });
  // MCP servers' schemas use formats (uri, email, date-time…): validate them rather than warn on each.
  ajvFormats.default(ajv);
  const tools = new Map<string, RegisteredTool>();

  function register<Args extends object>(definition: ToolDefinition<Args>): void {
    if (tools.has(definition.name)) throw new Error(`A tool named "${definition.name}" is already registered`);
    const validate = ajv.compile(definition.parameters);
    // The executor only calls the handler with arguments that passed this schema, which is what Args describes.
    tools.set(definition.name, { definition: definition as unknown as ToolDefinition, validate });
  }

  function list(): ToolDefinition[] {
    return [...tools.values()].map((tool) => tool.definition);
  }

  function checkArguments(name: string, args: Record<string, unknown>): ArgumentCheck {
    const tool = tools.get(name);
    if (!tool) throw new Error(`Unknown tool: ${name}`);
    if (tool.validate(args)) return { valid: true };
    return { valid: false, problems: describeValidationErrors(tool.validate.errors ?? []) };
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
