/** Types of the chat request as the simulator reads it (parsed JSON; unknown fields pass through). */

export interface ChatContentPart {
  type: string;
  text?: string;
  [key: string]: unknown;
}

export interface ChatToolCall {
  id: string;
  type?: string;
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: string;
  content?: string | ChatContentPart[] | null;
  tool_calls?: ChatToolCall[];
  tool_call_id?: string;
  name?: string;
  [key: string]: unknown;
}

export interface ChatToolDefinition {
  type: string;
  function: { name: string; description?: string; parameters?: unknown };
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  tools?: ChatToolDefinition[];
  tool_choice?: unknown;
  temperature?: number;
  max_tokens?: number;
  thinking?: unknown;
  reasoning_effort?: string;
  [key: string]: unknown;
}

export interface RecordedRequest {
  /** Path as requested, without the query string. */
  path: string;
  /** Header names lowercased; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: ChatRequest;
  /** Milliseconds since the epoch when the body was received. */
  time: number;
}

/** Token counts as a script gives them; `total_tokens` is computed. */
export interface ScriptedUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

export interface Usage extends ScriptedUsage {
  total_tokens: number;
}

export interface ScriptedToolCall {
  /** Generated (`call_…`) when absent. */
  id?: string;
  name: string;
  /** A string is split into word-sized fragments; an array is used as the fragments. */
  arguments: string | string[];
}

export type ReasoningField = 'reasoning_content' | 'reasoning';

/** What a streamed answer contains. Strings are split into word-sized pieces; arrays are the pieces. */
export interface StreamFields {
  reasoning?: string | string[];
  /** The delta field carrying reasoning: DeepSeek's `reasoning_content` (default) or `reasoning` (OpenRouter, vLLM…). */
  reasoningField?: ReasoningField;
  content?: string | string[];
  toolCalls?: ScriptedToolCall[];
  /** Defaults to `tool_calls` when there are tool calls, else `stop`. */
  finishReason?: string;
  /**
   * Absent: a usage chunk is sent only when the request asks (`stream_options.include_usage`).
   * An object: always sent with these numbers (like providers that report usage unasked).
   * `false`: never sent.
   */
  usage?: ScriptedUsage | false;
  /** Wait before the response headers. */
  delayMs?: number;
  /** Wait between pieces; defaults to the simulator's `tokenDelayMs` (else 0). */
  chunkDelayMs?: number;
}

export interface ScriptedStream extends StreamFields {
  kind: 'stream';
}

export interface ScriptedError {
  kind: 'error';
  status: number;
  /** An object is sent as JSON, a string as plain text; defaults to an OpenAI-style error for the status. */
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
}

/** Reads the request, then never sends headers or bytes until the client closes. */
export interface ScriptedHang {
  kind: 'hang';
}

/** Sends headers and the first `afterPieces` pieces, then nothing more; the connection stays open. */
export interface ScriptedStall extends StreamFields {
  kind: 'stall';
  afterPieces: number;
}

/** Sends the first `afterPieces` pieces, then destroys the socket. */
export interface ScriptedDisconnect extends StreamFields {
  kind: 'disconnect';
  afterPieces: number;
}

export type ScriptedResponse = ScriptedStream | ScriptedError | ScriptedHang | ScriptedStall | ScriptedDisconnect;
