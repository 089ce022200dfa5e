import { estimatePromptTokens } from './conversation.js';
import { toolCallId } from './ids.js';
import { toPieces } from './pieces.js';
import type { ChatRequest, ReasoningField, ScriptedDisconnect, ScriptedStall, ScriptedStream, Usage } from './types.js';

/** One chunk's worth of model output: a completion token. */
export type Piece =
  | { kind: 'reasoning'; text: string; field: ReasoningField }
  | { kind: 'content'; text: string }
  | { kind: 'toolArguments'; callIndex: number; text: string; opensCall?: { id: string; name: string } };

export type UsagePolicy = 'always' | 'ifAsked' | 'never';

/** A stream-like scripted response resolved into the exact pieces and timings to send. */
export interface StreamPlan {
  pieces: Piece[];
  finishReason: string;
  usage: Usage;
  usagePolicy: UsagePolicy;
  delayMs: number;
  chunkDelayMs: number;
  /** Where a stalled or disconnecting answer stops. */
  cutoff?: { afterPieces: number; action: 'stall' | 'disconnect' };
}

export type StreamLikeResponse = ScriptedStream | ScriptedStall | ScriptedDisconnect;

export function planStream(response: StreamLikeResponse, request: ChatRequest, defaultChunkDelayMs: number): StreamPlan {
  const field = response.reasoningField ?? 'reasoning_content';
  const pieces: Piece[] = [
    ...toPieces(response.reasoning).map((text): Piece => ({ kind: 'reasoning', text, field })),
    ...toPieces(response.content).map((text): Piece => ({ kind: 'content', text })),
  ];
  const toolCalls = response.toolCalls ?? [];
  toolCalls.forEach((call, callIndex) => {
    const fragments = toPieces(call.arguments);
    // The first fragment announces the call, so even empty arguments need one.
    if (fragments.length === 0) fragments.push('');
    const opensCall = { id: call.id ?? toolCallId(), name: call.name };
    fragments.forEach((text, i) => {
      pieces.push(i === 0 ? { kind: 'toolArguments', callIndex, text, opensCall } : { kind: 'toolArguments', callIndex, text });
    });
  });

  const scripted = response.usage;
  const usage =
    scripted && typeof scripted === 'object'
      ? { ...scripted, total_tokens: scripted.prompt_tokens + scripted.completion_tokens }
      : computedUsage(request, pieces.length);

  return {
    pieces,
    finishReason: response.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
    usage,
    usagePolicy: scripted === false ? 'never' : scripted ? 'always' : 'ifAsked',
    delayMs: response.delayMs ?? 0,
    chunkDelayMs: response.chunkDelayMs ?? defaultChunkDelayMs,
    cutoff: response.kind === 'stream' ? undefined : { afterPieces: response.afterPieces, action: response.kind },
  };
}

function computedUsage(request: ChatRequest, completionTokens: number): Usage {
  const promptTokens = estimatePromptTokens(request);
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}
