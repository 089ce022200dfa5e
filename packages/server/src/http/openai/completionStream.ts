import type { ServerResponse } from 'node:http';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionDelta, OpenAiToolCallDelta, OpenAiUsage } from '@nanoclaw/protocol';
import { openSseResponse } from '../sseResponse.js';
import type { TokenCounts } from '../../llm/tokenCounts.js';
import { openAiErrorBody, type OpenAiApiError } from './openAiErrors.js';

export interface CompletionMeta {
  id: string;
  /** The model as the caller named it. */
  model: string;
  /** Unix seconds. */
  created: number;
}

export type CompletionToolCall = OpenAiToolCallDelta;

export function completionUsage(tokens: TokenCounts): OpenAiUsage {
  return { prompt_tokens: tokens.promptTokens, completion_tokens: tokens.completionTokens, total_tokens: tokens.promptTokens + tokens.completionTokens };
}

export interface CompletedAnswer {
  content: string;
  reasoning: string;
  toolCalls: CompletionToolCall[];
  finishReason: string;
  usage: OpenAiUsage;
}

/** A whole `chat.completion` object (a request without `stream`). */
export function completionObject(meta: CompletionMeta, answer: CompletedAnswer): ChatCompletion {
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: answer.content || (answer.toolCalls.length ? null : ''),
          ...(answer.reasoning && { reasoning_content: answer.reasoning }),
          ...(answer.toolCalls.length > 0 && { tool_calls: answer.toolCalls.map(({ index: _index, ...call }) => call) }),
        },
        logprobs: null,
        finish_reason: answer.finishReason,
      },
    ],
    usage: answer.usage,
  };
}


/**
 * A streamed completion as OpenAI sends it: `chat.completion.chunk` events (`data: {…}`), the first with the
 * role, a last one with the finish reason, then (with `stream_options.include_usage`) a usage chunk with no
 * choices, and `data: [DONE]`. A failure after the stream began is an `{error}` event, which the SDKs raise.
 */
export class CompletionStream {
  private readonly sse: { end(): void };
  private ended = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly meta: CompletionMeta,
    private readonly includeUsage: boolean,
    onClose: () => void,
  ) {
    this.sse = openSseResponse(res, () => {
      this.ended = true;
      onClose();
    });
    this.chunk({ role: 'assistant', content: '' });
  }

  get closed(): boolean {
    return this.ended;
  }

  content(text: string): void {
    if (text) this.chunk({ content: text });
  }

  reasoning(text: string): void {
    if (text) this.chunk({ reasoning_content: text });
  }

  refusal(text: string): void {
    if (text) this.chunk({ refusal: text });
  }

  toolCalls(calls: CompletionToolCall[]): void {
    if (calls.length) this.chunk({ tool_calls: calls });
  }

  finish(finishReason: string, usage: OpenAiUsage): void {
    this.chunk({}, finishReason);
    if (this.includeUsage) this.write({ ...this.head(), choices: [], usage } satisfies ChatCompletionChunk);
    this.end();
  }

  fail(error: OpenAiApiError): void {
    this.write(openAiErrorBody(error.status, error.message, error.code, error.param));
    this.end();
  }

  private head() {
    return { id: this.meta.id, object: 'chat.completion.chunk' as const, created: this.meta.created, model: this.meta.model };
  }

  private chunk(delta: ChatCompletionDelta, finishReason: string | null = null): void {
    const chunk: ChatCompletionChunk = { ...this.head(), choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] };
    if (this.includeUsage) chunk.usage = null;
    this.write(chunk);
  }

  private write(data: object): void {
    if (!this.ended) this.res.write(`data: ${JSON.stringify(data)}\n\n`);
  }

  private end(): void {
    if (this.ended) return;
    this.res.write('data: [DONE]\n\n');
    this.sse.end();
  }
}
