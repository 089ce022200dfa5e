import { completionId } from './ids.js';
import type { Piece, StreamPlan } from './streamPlan.js';
import type { Usage } from './types.js';
import type { ChatCompletion, ChatCompletionChunk, ChunkDelta, CompletionToolCall } from './wireTypes.js';

const SYSTEM_FINGERPRINT = 'fp_llm_sim';

export const DONE_FRAME = 'data: [DONE]\n\n';

/** What every chunk of one answer shares. */
export interface AnswerIdentity {
  id: string;
  created: number;
  model: string;
  /** OpenAI adds `usage: null` to every chunk when the final chunk will carry usage. */
  withUsageField: boolean;
  /** A piece frame is `framePrefix + JSON delta + frameSuffix`: only the delta is serialised per piece. */
  framePrefix: string;
  frameSuffix: string;
}

export function answerIdentity(model: string, withUsageField: boolean): AnswerIdentity {
  const identity = { id: completionId(), created: Math.floor(Date.now() / 1000), model, withUsageField };
  const template = frame(chunk({ ...identity, framePrefix: '', frameSuffix: '' }, {}, null));
  const [framePrefix = '', frameSuffix = ''] = template.split('"delta":{}');
  return { ...identity, framePrefix: `${framePrefix}"delta":`, frameSuffix };
}

function frame(chunk: ChatCompletionChunk): string {
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

function chunk(identity: AnswerIdentity, delta: ChunkDelta | undefined, finishReason: string | null): ChatCompletionChunk {
  const result: ChatCompletionChunk = {
    id: identity.id,
    object: 'chat.completion.chunk',
    created: identity.created,
    model: identity.model,
    system_fingerprint: SYSTEM_FINGERPRINT,
    choices: delta ? [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] : [],
  };
  if (identity.withUsageField) result.usage = null;
  return result;
}

function pieceDelta(piece: Piece): ChunkDelta {
  switch (piece.kind) {
    case 'reasoning':
      return { [piece.field]: piece.text };
    case 'content':
      return { content: piece.text };
    case 'toolArguments': {
      const { opensCall, callIndex, text } = piece;
      return {
        tool_calls: [
          opensCall
            ? { index: callIndex, id: opensCall.id, type: 'function', function: { name: opensCall.name, arguments: text } }
            : { index: callIndex, function: { arguments: text } },
        ],
      };
    }
  }
}

/** The frame for one piece; the first piece of an answer also carries the role. */
export function pieceFrame(identity: AnswerIdentity, piece: Piece, isFirst: boolean): string {
  const delta = isFirst ? { role: 'assistant' as const, ...pieceDelta(piece) } : pieceDelta(piece);
  return identity.framePrefix + JSON.stringify(delta) + identity.frameSuffix;
}

/** An answer without any piece still announces the assistant role. */
export function emptyRoleFrame(identity: AnswerIdentity): string {
  return frame(chunk(identity, { role: 'assistant', content: '' }, null));
}

export function finishFrame(identity: AnswerIdentity, finishReason: string): string {
  return frame(chunk(identity, {}, finishReason));
}

export function usageFrame(identity: AnswerIdentity, usage: Usage): string {
  return frame({ ...chunk(identity, undefined, null), usage });
}

/** The non-streaming `chat.completion` equivalent of a plan. */
export function buildCompletion(identity: AnswerIdentity, plan: StreamPlan, includeUsage: boolean): ChatCompletion {
  let content = '';
  let reasoning = '';
  let reasoningField = 'reasoning_content';
  const toolCalls: CompletionToolCall[] = [];
  for (const piece of plan.pieces) {
    if (piece.kind === 'content') content += piece.text;
    else if (piece.kind === 'reasoning') {
      reasoning += piece.text;
      reasoningField = piece.field;
    }
    else if (piece.opensCall) {
      toolCalls[piece.callIndex] = { id: piece.opensCall.id, type: 'function', function: { name: piece.opensCall.name, arguments: piece.text } };
    } else {
      const call = toolCalls[piece.callIndex];
      if (call) call.function.arguments += piece.text;
    }
  }
  const hasContent = plan.pieces.some((piece) => piece.kind === 'content');
  const completion: ChatCompletion = {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model,
    system_fingerprint: SYSTEM_FINGERPRINT,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: hasContent || toolCalls.length === 0 ? content : null,
          ...(reasoning ? { [reasoningField]: reasoning } : {}),
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: plan.finishReason,
      },
    ],
  };
  if (includeUsage) completion.usage = plan.usage;
  return completion;
}
