import type { ChatRequest, ChatStreamResult } from '../llm/types.js';

export interface TokenCounts {
  promptTokens: number;
  completionTokens: number;
}

/**
 * The tokens one model answer used: as the provider reported them, else estimated (roughly 4 characters
 * per token) from the request's messages and the answer, so a provider without usage still counts.
 */
export function tokensOfAnswer(request: ChatRequest, result: ChatStreamResult): TokenCounts {
  const { usage } = result;
  if (usage) return { promptTokens: Number(usage.prompt_tokens) || 0, completionTokens: Number(usage.completion_tokens) || 0 };
  const prompt = request.messages.map((m) => (typeof m.content === 'string' ? m.content : '')).join('');
  const answer = result.content + result.reasoning + result.tool_calls.map((c) => c.function.name + c.function.arguments).join('');
  return { promptTokens: estimateChars(prompt), completionTokens: estimateChars(answer) };
}

function estimateChars(text: string): number {
  return Math.ceil(text.length / 4);
}
