import type { Config, ModelConfig } from '@nanoclaw/protocol';
import type { ChatMessage } from '../llm/types.js';
import type { SubAgentResult, SubAgentRunner, SubAgentTask, ToolContext } from '../tools/types.js';
import { runAgent, type AgentDeps, type AgentUsage } from './runAgent.js';
import type { StepRecorder } from './stepRecorder.js';
import { noTelemetry, type Telemetry } from '../telemetry/telemetry.js';

export const MULTI_AGENT_TOOL = 'multi_agent';

export const SUB_AGENT_PROMPT =
  'You are a sub-agent working on one task for another agent. Use the tools you have when they help, ' +
  'then answer with a complete, self-contained result: the other agent only sees your final answer.';

export interface SubAgentRunnerOptions {
  settings: Config['multi_agent'];
  model: ModelConfig;
  deps: AgentDeps;
  recorder: StepRecorder;
  contextBudget: number;
  maxTokens: number;
  temperature?: number;
  /** Sub-agents' token usage is added here (the parent run reports and stores it). */
  usage: AgentUsage;
  /** Each sub-agent becomes a span under its multi_agent call. */
  telemetry?: Telemetry;
}

/**
 * Runs sub-agents for one multi_agent call: each its own bounded tool loop on the run's model, with a
 * chosen subset of tools and never multi_agent itself, a few at a time, each under a time limit.
 * Their steps go to the run's recorder nested under the call (parent_id + agent name), so they stream
 * to the client and are stored with the answer.
 */
export function createSubAgentRunner(options: SubAgentRunnerOptions): SubAgentRunner {
  return {
    async run(tasks: SubAgentTask[], ctx: ToolContext): Promise<SubAgentResult[]> {
      if (tasks.length > options.settings.max_agents) {
        throw new Error(`At most ${options.settings.max_agents} sub-agents can be started at once; got ${tasks.length}.`);
      }
      const parent = ctx.callId ? options.recorder.findToolCallStep(ctx.callId) : undefined;
      if (!parent) throw new Error('multi_agent must be called by the agent, as a tool call.');
      const names = uniqueNames(tasks);
      const results: SubAgentResult[] = new Array(tasks.length);
      let next = 0;
      const worker = async () => {
        while (next < tasks.length && !ctx.signal.aborted) {
          const index = next++;
          results[index] = await runOne(tasks[index]!, names[index]!, parent.id, ctx);
        }
      };
      await Promise.all(Array.from({ length: Math.min(options.settings.concurrency, tasks.length) }, worker));
      return tasks.map((task, i) => results[i] ?? { name: names[i]!, task: task.task, status: 'stopped', answer: '' });
    },
  };

  async function runOne(task: SubAgentTask, name: string, parentStepId: string, ctx: ToolContext): Promise<SubAgentResult> {
    const allowed = task.tools ? new Set(task.tools) : null;
    const lane = options.recorder.lane(parentStepId, name);
    const timeout = AbortSignal.timeout(options.settings.timeout_ms);
    const signal = AbortSignal.any([ctx.signal, timeout]);
    const messages: ChatMessage[] = [
      { role: 'system', content: SUB_AGENT_PROMPT },
      { role: 'user', content: task.task },
    ];
    const { subAgents: _none, callId: _call, signal: _parentSignal, ...toolContext } = ctx;
    const scope = (options.telemetry ?? noTelemetry).subAgent(name);
    const outcome = await scope.run(() => runAgent(
      {
        model: options.model,
        messages,
        temperature: options.temperature,
        maxTokens: options.maxTokens,
        toolsEnabled: true,
        maxIterations: options.settings.max_iterations,
        contextBudget: options.contextBudget,
        toolContext,
        signal,
      },
      {
        ...options.deps,
        toolDefinitions: () =>
          options.deps.toolDefinitions().filter((tool) => tool.function.name !== MULTI_AGENT_TOOL && (!allowed || allowed.has(tool.function.name))),
      },
      lane,
    ));
    options.usage.prompt_tokens += outcome.usage.prompt_tokens;
    options.usage.completion_tokens += outcome.usage.completion_tokens;
    const timedOut = timeout.aborted && !ctx.signal.aborted;
    const result: SubAgentResult = {
      name,
      task: task.task,
      status: timedOut ? 'timeout' : outcome.status,
      answer: options.recorder.laneText(parentStepId, name),
    };
    if (timedOut) result.error = `The sub-agent did not finish within ${options.settings.timeout_ms} ms.`;
    else if (outcome.error) result.error = outcome.error;
    scope.finish(result.status);
    return result;
  }
}

function uniqueNames(tasks: SubAgentTask[]): string[] {
  const seen = new Set<string>();
  return tasks.map((task, i) => {
    let name = task.name?.trim() || `agent-${i + 1}`;
    while (seen.has(name)) name = `${name}-${i + 1}`;
    seen.add(name);
    return name;
  });
}
