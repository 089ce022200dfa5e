/** Chat-completions wire types (OpenAI-compatible) that the rest of the server uses. */

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A part of a user message's content (OpenAI-style): text, or an image as a (data) URL. */
export type ChatContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | ChatContentPart[] }
  | { role: 'assistant'; content: string | null; tool_calls?: ChatToolCall[]; reasoning_content?: string }
  | { role: 'tool'; tool_call_id: string; content: string; name?: string };

export interface ChatToolDefinition {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

export type ChatToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };

/** What the agent asks for; provider profiles turn it into a request body. */
export interface ChatRequest {
  messages: ChatMessage[];
  tools?: ChatToolDefinition[];
  toolChoice?: ChatToolChoice;
  temperature?: number;
  maxTokens?: number;
  thinking?: boolean;
  /**
   * The user the request is made for: the chat client asks the quota gate before sending it and counts
   * its tokens afterwards. Never sent upstream. Absent for the server's own requests (titles).
   */
  userId?: string;
}

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens?: number;
  [key: string]: unknown;
}

/**
 * The text of a streaming response as it arrives (choice 0 only), for display. The assembled answer
 * (tool calls, finish reason, usage) is the stream's ChatStreamResult.
 */
export interface ChatTextDelta {
  type: 'reasoning' | 'content' | 'refusal';
  text: string;
}

/**
 * The request failed in a way worth another try (429, 5xx, a dropped connection before any text): the
 * client waits `delayMs`, then makes attempt `attempt` of `maxAttempts`. Said so a run can show it.
 */
export interface ChatRetryNotice {
  type: 'retry';
  attempt: number;
  maxAttempts: number;
  delayMs: number;
  /** The failure, as a sentence ("LLM service unavailable (503)"). */
  reason: string;
}

/** What a streaming request yields as it goes: pieces of text, and notices of retries. */
export type ChatDelta = ChatTextDelta | ChatRetryNotice;

/** What a whole stream reconstructs to (matches the corpus `.expected.json` shape). */
export interface ChatStreamResult {
  content: string;
  reasoning: string;
  tool_calls: Array<{ index: number; id: string; type: string; function: { name: string; arguments: string } }>;
  finish_reason: string | null;
  usage: ChatUsage | null;
  refusal?: string;
  choices?: Array<{
    index: number;
    content: string;
    reasoning: string;
    tool_calls: ChatStreamResult['tool_calls'];
    finish_reason: string | null;
  }>;
}

/** Why an upstream call failed. `message` is the sentence shown to the user. */
export type LlmErrorKind = 'unavailable' | 'rate_limited' | 'connect' | 'timeout' | 'aborted' | 'rejected' | 'protocol' | 'quota';
