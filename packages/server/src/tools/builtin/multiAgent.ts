import type { ToolDefinition, SubAgentTask } from '../types.js';

interface MultiAgentArgs {
  tasks: SubAgentTask[];
}

/**
 * multi_agent: hands independent tasks to sub-agents that work in parallel with their own tool loops.
 * The runner comes from the run (ToolContext.subAgents); inside a sub-agent there is none, so a
 * sub-agent cannot start sub-agents.
 */
export function createMultiAgentTool(settings: { max_agents: number; timeout_ms: number; concurrency: number }): ToolDefinition<MultiAgentArgs> {
  return {
    name: 'multi_agent',
    category: 'agent',
    description:
      'Split work into independent tasks and give each to a sub-agent; they work in parallel, each with its own ' +
      'tool loop, and you get back each one\'s final answer. Use it for research or analysis that splits cleanly; ' +
      'write each task so it can be done without seeing the others or this conversation.',
    parameters: {
      type: 'object',
      properties: {
        tasks: {
          type: 'array',
          minItems: 1,
          maxItems: settings.max_agents,
          items: {
            type: 'object',
            properties: {
              task: { type: 'string', minLength: 1, maxLength: 20_000, description: 'What the sub-agent must do, self-contained.' },
              name: { type: 'string', maxLength: 40, description: 'A short name shown to the user.' },
              tools: { type: 'array', items: { type: 'string' }, description: 'Tool names it may use (default: all).' },
            },
            required: ['task'],
            additionalProperties: false,
          },
        },
      },
      required: ['tasks'],
      additionalProperties: false,
    },
    // All sub-agents of the call share this limit: enough for every batch to use its own time limit.
    timeoutMs: settings.timeout_ms * Math.ceil(settings.max_agents / settings.concurrency) + 5_000,
    handler: async ({ tasks }, ctx) => {
      if (!ctx.subAgents) throw new Error('Sub-agents cannot start other sub-agents.');
      return ctx.subAgents.run(tasks, ctx);
    },
  };
}
