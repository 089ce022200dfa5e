import { openAiError } from './errorBodies.js';
import type { ChatRequest, ScriptedResponse } from './types.js';
import type { OpenAiErrorBody } from './wireTypes.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: OpenAiErrorBody };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid<T>(message: string, param: string | null = null): Parsed<T> {
  return { ok: false, error: openAiError(message, 'invalid_request_error', null, param) };
}

export function parseJson(text: string): Parsed<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return invalid(`We could not parse the JSON body of your request. (${reason})`);
  }
}

/** Checks what an OpenAI server would reject, so client bugs surface in tests. */
export function parseChatRequest(body: unknown): Parsed<ChatRequest> {
  if (!isRecord(body)) return invalid('The request body must be a JSON object.');
  if (typeof body.model !== 'string') return invalid("Missing required parameter: 'model'.", 'model');
  const { messages } = body;
  if (!Array.isArray(messages)) return invalid("Missing required parameter: 'messages'.", 'messages');
  const badIndex = messages.findIndex((message) => !isRecord(message) || typeof message.role !== 'string');
  if (badIndex >= 0) return invalid(`Invalid message at 'messages[${badIndex}]': expected an object with a 'role'.`, `messages[${badIndex}]`);
  return { ok: true, value: body as ChatRequest };
}

const STREAM_LIKE = new Set(['stream', 'stall', 'disconnect']);

function scriptedResponseProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'must be an object';
  const { kind } = value;
  if (kind === 'hang') return undefined;
  if (kind === 'error') return typeof value.status === 'number' ? undefined : "needs a numeric 'status'";
  if (typeof kind !== 'string' || !STREAM_LIKE.has(kind)) return "needs 'kind': stream, error, hang, stall or disconnect";
  if (kind !== 'stream' && typeof value.afterPieces !== 'number') return "needs a numeric 'afterPieces'";
  if (value.toolCalls !== undefined && !Array.isArray(value.toolCalls)) return "'toolCalls' must be an array";
  return undefined;
}

/** The body of `POST /_sim/script`: `{responses: [...]}`. */
export function parseScript(body: unknown): Parsed<ScriptedResponse[]> {
  if (!isRecord(body) || !Array.isArray(body.responses)) return invalid("Expected {\"responses\": [...]}.", 'responses');
  for (const [index, response] of body.responses.entries()) {
    const problem = scriptedResponseProblem(response);
    if (problem) return invalid(`responses[${index}] ${problem}.`, `responses[${index}]`);
  }
  return { ok: true, value: body.responses as ScriptedResponse[] };
}
