import type { ModelConfig } from '@nanoclaw/protocol';
import type { ChatDelta, ChatMessage, ChatRequest, ChatRetryNotice, ChatStreamResult, ChatToolCall, ChatToolChoice, ChatToolDefinition } from '../llm/types.js';
import type { ChatLog } from '../llm/chatClient.js';
import type { ToolCallOutcome, ToolCallRequest, ToolContext } from '../tools/types.js';
import type { StepSink } from './stepRecorder.js';
import { trimToBudget } from './trimToBudget.js';
import { tokensOfAnswer } from '../llm/tokenCounts.js';

export interface AgentDeps {
  /** The model's text as it arrives; the assembled answer is the generator's return value. `log`: where its warnings go (the run's logger). */
  streamChat(model: ModelConfig, request: ChatRequest, signal: AbortSignal, log?: ChatLog): AsyncGenerator<ChatDelta, ChatStreamResult, undefined>;
  toolDefinitions(): ChatToolDefinition[];
  executeTools(calls: ToolCallRequest[], ctx: ToolContext): Promise<ToolCallOutcome[]>;
}

export interface AgentInput {
  model: ModelConfig;
  /** System prompt (if any) and the conversation so far, ending with the new user message. */
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  thinking?: boolean;
  toolsEnabled: boolean;
  toolChoice?: ChatToolChoice;
  maxIterations: number;
  /** Tokens the prompt may use (context window minus room for the answer). */
  contextBudget: number;
  toolContext: Omit<ToolContext, 'signal'>;
  signal: AbortSignal;
  /** The model request failed and is tried again (said to whoever watches the run). */
  onRetry?: (notice: ChatRetryNotice) => void;
}

export type AgentStatus = 'complete' | 'stopped' | 'error' | 'max_iterations' | 'interrupted';

export interface AgentUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

export interface AgentOutcome {
  status: AgentStatus;
  /** The sentence shown to the user when status is error or max_iterations. */
  error?: string;
  usage: AgentUsage;
}

/** Abort reasons the run registry uses; anything else counts as a user stop. */
export const SHUTDOWN_REASON = 'shutdown';

export const FINAL_ROUND_NOTE =
  'This is the last step allowed for this answer: do not call any tool now; answer the user with what you have.';

/**
 * The agent loop: up to maxIterations rounds of "stream the model's answer, run the tools it asked for,
 * feed the results back". Every step goes to the recorder as it happens; this function only decides.
 */
export async function runAgent(input: AgentInput, deps: AgentDeps, recorder: StepSink): Promise<AgentOutcome> {
  const usage: AgentUsage = { prompt_tokens: 0, completion_tokens: 0 };
  const messages = input.messages.slice();
  const tools = input.toolsEnabled ? deps.toolDefinitions() : [];

  try {
    for (let round = 1; round <= input.maxIterations; round++) {
      const lastRound = round === input.maxIterations;
      const request: ChatRequest = {
        messages: trimToBudget(lastRound && tools.length ? [...messages, { role: 'system', content: FINAL_ROUND_NOTE }] : messages, input.contextBudget),
        temperature: input.temperature,
        maxTokens: input.maxTokens,
        thinking: input.thinking,
        // Each round is checked against the user's quotas (and counted) by the chat client.
        userId: input.toolContext.userId,
      };
      if (tools.length) {
        request.tools = tools;
        request.toolChoice = lastRound ? 'none' : (input.toolChoice ?? 'auto');
      }

      recorder.closeOpenStep();
      const answer = await streamRound(input, deps, request, recorder);
      usage.prompt_tokens += answer.promptTokens;
      usage.completion_tokens += answer.completionTokens;
      if (input.signal.aborted) return { status: abortStatus(input.signal), usage };
      if (answer.calls.length === 0) return { status: 'complete', usage };
      if (lastRound) {
        return {
          status: 'max_iterations',
          error: `The agent stopped after ${input.maxIterations} rounds without a final answer.`,
          usage,
        };
      }

      for (const call of answer.calls) recorder.addToolCall({ id: call.id, name: call.function.name, arguments: call.function.arguments });
      const outcomes = await deps.executeTools(
        answer.calls.map((call) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments })),
        { ...input.toolContext, signal: input.signal },
      );
      for (const outcome of outcomes) recorder.addToolResult(outcome);

      const assistant: ChatMessage = { role: 'assistant', content: answer.text || null, tool_calls: answer.calls };
      if (answer.reasoning) assistant.reasoning_content = answer.reasoning;
      messages.push(assistant);
      for (const outcome of outcomes) messages.push({ role: 'tool', tool_call_id: outcome.id, content: outcome.content });
      if (input.signal.aborted) return { status: abortStatus(input.signal), usage };
    }
    return { status: 'max_iterations', error: `The agent stopped after ${input.maxIterations} rounds without a final answer.`, usage };
  } catch (err) {
    if (input.signal.aborted) return { status: abortStatus(input.signal), usage };
    return { status: 'error', error: errorSentence(err), usage };
  }
}

interface RoundAnswer {
  text: string;
  reasoning: string;
  calls: ChatToolCall[];
  promptTokens: number;
  completionTokens: number;
}

/** Streams one model answer: its text goes to the recorder as it arrives, the rest comes assembled at the end. */
async function streamRound(input: AgentInput, deps: AgentDeps, request: ChatRequest, recorder: StepSink): Promise<RoundAnswer> {
  const stream = deps.streamChat(input.model, request, input.signal);
  let result: ChatStreamResult | undefined;
  try {
    for (let next = await stream.next(); ; next = await stream.next()) {
      if (next.done) {
        result = next.value;
        break;
      }
      const delta = next.value;
      if (delta.type === 'reasoning') recorder.appendText('thinking', delta.text);
      else if (delta.type === 'content') recorder.appendText('text', delta.text);
      else if (delta.type === 'retry') input.onRetry?.(delta);
    }
  } finally {
    // Like `for await` on an early exit: let the stream release its connection.
    if (!result) await stream.return(undefined as never).catch(() => undefined);
  }

  const calls = result.tool_calls.map(
    (call): ChatToolCall => ({
      id: call.id || `call_${recorder.stepCount}_${call.index}`,
      type: 'function',
      function: { name: call.function.name, arguments: call.function.arguments },
    }),
  );
  const { content: text, reasoning } = result;
  const { promptTokens, completionTokens } = tokensOfAnswer(request, result);
  return { text, reasoning, calls, promptTokens, completionTokens };
}

function abortStatus(signal: AbortSignal): AgentStatus {
  return signal.reason === SHUTDOWN_REASON ? 'interrupted' : 'stopped';
}

function errorSentence(err: unknown): string {
  if (err instanceof Error && err.name === 'LlmError') return err.message;
  const detail = err instanceof Error ? err.message : String(err);
  return `The answer failed unexpectedly: ${detail}`;
}
