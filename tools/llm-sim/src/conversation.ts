import type { ChatMessage, ChatRequest } from './types.js';

/** The text of a message whether its content is a string or an array of content parts. */
export function messageText(message: ChatMessage): string {
  const { content } = message;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (typeof part.text === 'string' ? part.text : '')).join('');
}

export function lastUserText(request: ChatRequest): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const message = request.messages[i];
    if (message?.role === 'user') return messageText(message);
  }
  return '';
}

/** A tool round is over when the conversation ends with tool results. */
export function isAfterToolResults(request: ChatRequest): boolean {
  return request.messages.at(-1)?.role === 'tool';
}

/** The model may call tools only when the request lists some and does not forbid them. */
export function offersTools(request: ChatRequest): boolean {
  return Array.isArray(request.tools) && request.tools.length > 0 && request.tool_choice !== 'none';
}

export function offersTool(request: ChatRequest, name: string): boolean {
  return offersTools(request) && (request.tools ?? []).some((tool) => tool.function?.name === name);
}

export function offeredToolNames(request: ChatRequest): string[] {
  return Array.isArray(request.tools) ? request.tools.map((tool) => tool.function?.name ?? '') : [];
}

export interface ToolResult {
  toolCallId: string;
  /** Name from the assistant message that made the call, when it can be found. */
  name: string | undefined;
  content: string;
}

/** The tool messages at the end of the conversation, named after the calls they answer. */
export function trailingToolResults(request: ChatRequest): ToolResult[] {
  const { messages } = request;
  let start = messages.length;
  while (start > 0 && messages[start - 1]?.role === 'tool') start--;
  const caller = messages[start - 1];
  const namesById = new Map((caller?.tool_calls ?? []).map((call) => [call.id, call.function?.name]));
  return messages.slice(start).map((message) => {
    const toolCallId = message.tool_call_id ?? '';
    return { toolCallId, name: namesById.get(toolCallId) ?? message.name, content: messageText(message) };
  });
}

/**
 * The useful part of a tool result: NanoClaw tools answer `{"success": true, "result": …}` or
 * `{"success": false, "error": "…"}`; anything else is returned as it is.
 */
export function toolResultValue(content: string): { ok: boolean; value: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return { ok: true, value: content };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: true, value: content };
  const record = parsed as Record<string, unknown>;
  if (record.success === false || ('error' in record && !('result' in record))) {
    return { ok: false, value: stringifyValue(record.error ?? content) };
  }
  return { ok: true, value: 'result' in record ? stringifyValue(record.result) : content };
}

function stringifyValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Prompt tokens estimated at ~4 characters per token over everything the model would read. */
export function estimatePromptTokens(request: ChatRequest): number {
  let characters = 0;
  for (const message of request.messages) {
    characters += messageText(message).length;
    for (const call of message.tool_calls ?? []) characters += (call.function?.arguments ?? '').length;
  }
  if (request.tools) characters += JSON.stringify(request.tools).length;
  return Math.max(1, Math.ceil(characters / 4));
}
