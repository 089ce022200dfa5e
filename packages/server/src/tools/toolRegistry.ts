import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import type { ChatToolDefinition } from '../llm/types.js';
import type { ToolDefinition } from './types.js';
import { describeValidationErrors, describeZodIssues } from './describeValidationErrors.js';
import { toolParametersSchema } from './toolParametersSchema.js';

export interface ToolDescription {
  name: string;
  description: string;
  category: string;
  parameters: Record<string, unknown>;
}

/** The checked arguments, with defaults filled in, or what is wrong with them. */
export type ArgumentCheck = { valid: true; args: Record<string, unknown> } | { valid: false; problems: string[] };

export interface ToolRegistry {
  /**
   * Adds a tool. A built-in tool's JSON Schema is generated from its zod schema when first asked for;
   * a JSON Schema from outside is compiled when its arguments are first checked (compiling every
   * schema at start-up cost more than the rest of the start-up's own work; a test checks them all),
   * or now with `{ compileNow: true }`, which throws on a broken schema — for schemas from outside,
   * such as MCP servers'. Throws on a duplicate name.
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
  /** Validates the arguments of a registered tool: zod for built-in tools, Ajv for JSON Schemas from outside. */
  checkArguments(name: string, args: Record<string, unknown>): ArgumentCheck;
}

interface RegisteredTool {
  definition: ToolDefinition;
  /** The JSON Schema offered to the model; generated on first use for a zod schema. */
  parameters?: Record<string, unknown>;
  /** Compiled on first use (JSON Schema tools only). */
  validate?: ValidateFunction;
}

export function createToolRegistry(): ToolRegistry {
  const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: true });
  // MCP servers' schemas use formats (uri, email, date-time…): validate them rather than warn on each.
  ajvFormats.default(ajv);
  const tools = new Map<string, RegisteredTool>();

  function register<Args extends object>(definition: ToolDefinition<Args>, options: { compileNow?: boolean } = {}): void {
    if (tools.has(definition.name)) throw new Error(`A tool named "${definition.name}" is already registered`);
    const validate = options.compileNow && definition.parameters ? ajv.compile(definition.parameters) : undefined;
    // The executor only calls the handler with arguments that passed this schema, which is what Args describes.
    tools.set(definition.name, { definition: definition as unknown as ToolDefinition, validate });
  }

  function parametersOf(tool: RegisteredTool): Record<string, unknown> {
    const { definition } = tool;
    tool.parameters ??= definition.arguments ? toolParametersSchema(definition.arguments) : definition.parameters;
    return tool.parameters;
  }

  function list(): ToolDefinition[] {
    return [...tools.values()].map((tool) => tool.definition);
  }

  function checkArguments(name: string, args: Record<string, unknown>): ArgumentCheck {
    const tool = tools.get(name);
    if (!tool) throw new Error(`Unknown tool: ${name}`);
    const { definition } = tool;
    if (definition.arguments) {
      const checked = definition.arguments.safeParse(args);
      if (checked.success) return { valid: true, args: checked.data as Record<string, unknown> };
      return { valid: false, problems: describeZodIssues(checked.error.issues, args) };
    }
    tool.validate ??= ajv.compile(definition.parameters);
    // Ajv fills schema defaults into `args` itself.
    if (tool.validate(args)) return { valid: true, args };
    return { valid: false, problems: describeValidationErrors(tool.validate.errors ?? []) };
  }

  /** The tools the filter keeps, each with the JSON Schema the model sees. */
  function described(filter?: (definition: ToolDefinition) => boolean): ToolDescription[] {
    const kept: ToolDescription[] = [];
    for (const tool of tools.values()) {
      const { name, description, category } = tool.definition;
      if (filter?.(tool.definition) ?? true) kept.push({ name, description, category, parameters: parametersOf(tool) });
    }
    return kept;
  }

  return {
    register,
    unregister: (name) => tools.delete(name),
    get: (name) => tools.get(name)?.definition,
    list,
    definitionsForModel: (filter) =>
      described(filter).map(({ name, description, parameters }) => ({ type: 'function', function: { name, description, parameters } })),
    describe: () => described(),
    checkArguments,
  };
}
