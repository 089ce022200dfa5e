import { z } from 'zod';
import type { ZodToolDefinition } from '../types.js';

const multiAgentArguments = (maxAgents: number) =>
  z.strictObject({
    tasks: z
      .array(
        z.strictObject({
          task: z.string().min(1).max(20_000).describe('What the sub-agent must do, self-contained.'),
          name: z.string().max(40).optional().describe('A short name shown to the user.'),
          tools: z.array(z.string()).optional().describe('Tool names it may use (default: all).'),
        }),
      )
      .min(1)
      .max(maxAgents),
  });

type MultiAgentArgs = z.infer<ReturnType<typeof multiAgentArguments>>;

/**
 * multi_agent: hands independent tasks to sub-agents that work in parallel with their own tool loops.
 * The runner comes from the run (ToolContext.subAgents); inside a sub-agent there is none, so a
 * sub-agent cannot start sub-agents.
 */
export function createMultiAgentTool(settings: { max_agents: number; timeout_ms: number; concurrency: number }): ZodToolDefinition<MultiAgentArgs> {
  return {
    name: 'multi_agent',
    category: 'agent',
    description:
      'Split work into independent tasks and give each to a sub-agent; they work in parallel, each with its own ' +
      'tool loop, and you get back each one\'s final answer. Use it for research or analysis that splits cleanly; ' +
      'write each task so it can be done without seeing the others or this conversation.',
    arguments: multiAgentArguments(settings.max_agents),
    // All sub-agents of the call share this limit: enough for every batch to use its own time limit.
    timeoutMs: settings.timeout_ms * Math.ceil(settings.max_agents / settings.concurrency) + 5_000,
    handler: async ({ tasks }, ctx) => {
      if (!ctx.subAgents) throw new Error('Sub-agents cannot start other sub-agents.');
      return ctx.subAgents.run(tasks, ctx);
    },
  };
}
