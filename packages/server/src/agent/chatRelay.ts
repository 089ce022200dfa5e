import type { ModelConfig, OpenAiMessage } from '@nanoclaw/protocol';
import type { ChatDelta, ChatMessage, ChatRequest, ChatStreamResult } from '../llm/types.js';
import type { UsageRepo } from '../db/index.js';
import type { AgentDeps } from './runAgent.js';
import { tokensOfAnswer, type TokenCounts } from '../llm/tokenCounts.js';

export interface ChatRelayDeps {
  /** The same model client agent runs use (retries, timeouts, provider profiles and any check before a call). */
  streamChat: AgentDeps['streamChat'];
  usage: Pick<UsageRepo, 'record'>;
  now: () => Date;
}

export interface RelayedAnswer {
  result: ChatStreamResult;
  tokens: TokenCounts;
}

/** The text of a message's content: a string, or its text parts joined. */
export function contentText(content: string | Array<{ text: string }> | null | undefined): string {
  if (content === null || content === undefined) return '';
  return typeof content === 'string' ? content : content.map((part) => part.text).join('');
}

/** OpenAI chat messages as the model client takes them (`developer` is sent as `system`). */
export function toChatMessages(messages: OpenAiMessage[]): ChatMessage[] {
  return messages.map((message): ChatMessage => {
    switch (message.role) {
      case 'system':
      case 'developer':
        return { role: 'system', content: contentText(message.content) };
      case 'user':
        return { role: 'user', content: contentText(message.content) };
      case 'tool':
        return { role: 'tool', tool_call_id: message.tool_call_id, content: contentText(message.content) };
      case 'assistant': {
        const assistant: ChatMessage = { role: 'assistant', content: message.content == null ? null : contentText(message.content) };
        if (message.tool_calls?.length) assistant.tool_calls = message.tool_calls.map((call) => ({ id: call.id, type: 'function', function: call.function }));
        if (message.reasoning_content) assistant.reasoning_content = message.reasoning_content;
        return assistant;
      }
    }
  });
}

/**
 * A chat request relayed to a model with the caller's own tools (the caller runs them): the model's text as
 * it arrives, then the assembled answer. Its tokens count in the user's statistics like a chat's, once the
 * answer is complete.
 */
export async function* relayChat(
  deps: ChatRelayDeps,
  userId: string,
  model: ModelConfig,
  request: ChatRequest,
  signal: AbortSignal,
): AsyncGenerator<ChatDelta, RelayedAnswer, undefined> {
  // Named for its user: the user's quotas are checked before the request and count its tokens.
  const result = yield* deps.streamChat(model, { ...request, userId }, signal);
  const tokens = tokensOfAnswer(request, result);
  if (tokens.promptTokens > 0 || tokens.completionTokens > 0) {
    await deps.usage.record({ userId, model: model.id, promptTokens: tokens.promptTokens, completionTokens: tokens.completionTokens, at: deps.now() });
  }
  return { result, tokens };
}
