/** The contract between the agent run and tools. */
import type { z } from 'zod';

export interface ToolContext {
  userId: string;
  conversationId: string;
  projectId: string | null;
  model: string;
  signal: AbortSignal;
  /** The id of the tool call being executed (set by the executor). */
  callId?: string;
  /** Successful results of cacheable tools in this run, by tool name and canonical arguments. */
  resultCache?: Map<string, ToolCallOutcome>;
  /** Starts sub-agents under the current call; absent inside a sub-agent, which cannot start more. */
  subAgents?: SubAgentRunner;
}

export interface SubAgentTask {
  task: string;
  name?: string;
  /** Tool names the sub-agent may use (default: all but multi_agent). */
  tools?: string[];
}

export interface SubAgentResult {
  name: string;
  task: string;
  status: 'complete' | 'stopped' | 'error' | 'max_iterations' | 'interrupted' | 'timeout';
  answer: string;
  error?: string;
}

export interface SubAgentRunner {
  run(tasks: SubAgentTask[], ctx: ToolContext): Promise<SubAgentResult[]>;
}

interface ToolDefinitionBase<Args> {
  name: string;
  description: string;
  category: string;
  /** Per-tool timeout override, ms. */
  timeoutMs?: number;
  /**
   * The result depends only on the arguments for the length of a run (no side effects, nothing that
   * changes from one round to the next): a repeated identical call is answered from the run's cache.
   */
  cacheable?: boolean;
  /** Called with arguments that passed the tool's schema (defaults filled in). */
  handler: (args: Args, ctx: ToolContext) => Promise<unknown> | unknown;
}

/**
 * A built-in tool: its arguments are one zod schema. The JSON Schema the model sees is generated from it,
 * the executor checks the model's arguments with it, and the handler's argument type is its output.
 */
export interface ZodToolDefinition<Args> extends ToolDefinitionBase<Args> {
  arguments: z.ZodType<Args>;
  parameters?: never;
}

/** A tool described from outside (an MCP server): its JSON Schema as given, checked with Ajv. */
export interface JsonSchemaToolDefinition extends ToolDefinitionBase<Record<string, unknown>> {
  /** JSON schema of the arguments the model sees (no server-injected context in it). */
  parameters: Record<string, unknown>;
  arguments?: never;
}

export type ToolDefinition<Args = Record<string, unknown>> = ZodToolDefinition<Args> | JsonSchemaToolDefinition;

export interface ToolCallRequest {
  id: string;
  name: string;
  /** Raw JSON text as the model produced it. */
  arguments: string;
}

export interface ToolCallOutcome {
  id: string;
  name: string;
  success: boolean;
  /** Text sent back to the model and shown in the tool_result step. */
  content: string;
  /** True when the call was not executed (e.g. duplicate of an earlier identical call in the round). */
  skipped: boolean;
  /** Milliseconds spent. */
  executionTime: number;
}
