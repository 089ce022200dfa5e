/** Chat-completions wire types (OpenAI-compatible) that the rest of the server uses. */

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
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
export interface ChatDelta {
  type: 'reasoning' | 'content' | 'refusal';
  text: string;
}

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
export type LlmErrorKind = 'unavailable' | 'rate_limited' | 'connect' | 'timeout' | 'aborted' | 'rejected' | 'protocol';
