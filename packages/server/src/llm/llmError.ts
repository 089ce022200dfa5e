import type { LlmErrorKind } from './types.js';

/** An upstream failure; `message` is the sentence shown to the user (SPEC §3). */
export class LlmError extends Error {
  override name = 'LlmError';
  readonly kind: LlmErrorKind;
  readonly status?: number;

  constructor(kind: LlmErrorKind, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    if (options.status !== undefined) this.status = options.status;
  }
}

export const llmErrors = {
  unavailable: (status: number) => new LlmError('unavailable', `LLM service unavailable (${status})`, { status }),
  rateLimited: () => new LlmError('rate_limited', 'Rate limit exceeded, please try again later', { status: 429 }),
  connect: (cause?: unknown) => new LlmError('connect', 'Unable to connect to LLM service', { cause }),
  timeout: () => new LlmError('timeout', 'LLM request timed out'),
  aborted: () => new LlmError('aborted', 'The request to the LLM service was cancelled'),
  lostMidAnswer: (cause?: unknown) =>
    new LlmError('unavailable', 'The connection to the LLM service was lost mid-answer', { cause }),
  rejected: (status: number, providerMessage: string | undefined) =>
    new LlmError(
      'rejected',
      providerMessage
        ? `The model provider rejected the request (${status}): ${providerMessage}`
        : `The model provider rejected the request (${status})`,
      { status },
    ),
  streamError: (providerMessage: string) =>
    new LlmError('unavailable', `The model provider reported an error: ${providerMessage}`),
  malformed: (detail: string) => new LlmError('protocol', `The LLM service sent a malformed response: ${detail}`),
  emptyResponse: () => new LlmError('protocol', 'The LLM service sent an empty response'),
};
