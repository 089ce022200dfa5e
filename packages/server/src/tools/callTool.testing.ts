import type { ToolContext, ZodToolDefinition } from './types.js';

/**
 * Calls a built-in tool's handler the way the executor does: with the arguments checked by the tool's
 * zod schema and its defaults filled in (throws on arguments the executor would refuse).
 */
export async function callTool<Args>(tool: ZodToolDefinition<Args>, args: unknown, ctx: ToolContext): Promise<unknown> {
  return tool.handler(tool.arguments.parse(args), ctx);
}
