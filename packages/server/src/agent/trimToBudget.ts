import type { ChatMessage } from '../llm/types.js';

/** What one image part is counted as, in tokens (providers charge ~85–1,500 depending on its size). */
export const IMAGE_TOKENS = 1000;

/** A cheap, tokenizer-free estimate (~4 characters per token, plus per-message overhead). */
export function estimateTokens(message: ChatMessage): number {
  let chars = 0;
  if (typeof message.content === 'string') chars = message.content.length;
  else if (Array.isArray(message.content)) {
    // An image costs the model roughly a thousand tokens whatever its data URL's length.
    for (const part of message.content) chars += part.type === 'text' ? part.text.length : IMAGE_TOKENS * 4;
  }
  if (message.role === 'assistant') {
    for (const call of message.tool_calls ?? []) chars += call.function.name.length + call.function.arguments.length + 20;
    chars += message.reasoning_content?.length ?? 0;
  }
  return Math.ceil(chars / 4) + 4;
}

/**
 * Fits a conversation into `budget` tokens. The system prompt and the latest user message always stay;
 * older messages are dropped oldest first, a whole exchange at a time, so an assistant tool_calls message
 * never loses its tool results (providers reject that). The latest user message and what follows it
 * (the current turn's tool rounds) are never trimmed.
 */
export function trimToBudget(messages: ChatMessage[], budget: number): ChatMessage[] {
  const system = messages[0]?.role === 'system' ? messages[0] : null;
  const body = system ? messages.slice(1) : messages.slice();
  let lastUser = -1;
  for (let i = body.length - 1; i >= 0; i--) if (body[i]!.role === 'user') { lastUser = i; break; }

  const cost = body.map(estimateTokens);
  let total = cost.reduce((a, b) => a + b, 0) + (system ? estimateTokens(system) : 0);
  let start = 0;
  const protectedFrom = lastUser === -1 ? body.length : lastUser;
  while (total > budget && start < protectedFrom) {
    // Drop one whole exchange: the message, then everything up to the next user message, so the
    // kept history never begins with an assistant reply or a tool result whose call is gone.
    do total -= cost[start++]!;
    while (start < protectedFrom && body[start]!.role !== 'user');
  }
  const kept = body.slice(start);
  return system ? [system, ...kept] : kept;
}
