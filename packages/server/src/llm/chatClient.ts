import type { Config, ModelConfig } from '@nanoclaw/protocol';
import { ChatStreamAccumulator } from './chatStreamAccumulator.js';
import { SseChunkDecoder, type DecodedRead } from './sseChunkDecoder.js';
import { isRecord } from './isRecord.js';
import { LlmError, llmErrors } from './llmError.js';
import { buildChatRequestBody } from './providerProfiles.js';
import { providerErrorMessage } from './providerErrorMessage.js';
import { parseRetryAfterMs, retryDelayMs } from './retryDelay.js';
import type { QuotaGate } from './quotaGate.js';
import { tokensOfAnswer } from './tokenCounts.js';
import type { ChatDelta, ChatRequest, ChatStreamResult, ChatTextDelta } from './types.js';
import { UpstreamWatchdog } from './upstreamWatchdog.js';
import { noTelemetry, type ModelCallResult, type ModelCallScope, type Telemetry } from '../telemetry/telemetry.js';
import { createUndiciTransport, type HttpTransport, type UpstreamRequest, type UpstreamResponse } from './httpTransport.js';

export type LlmSettings = Config['llm'];

/** Where the client's warnings (retries) go. */
export interface ChatLog {
  warn(obj: object, msg?: string): void;
}

export interface ChatClientOptions {
  settings: LlmSettings;
  transport?: HttpTransport;
  logger?: ChatLog;
  /** Waits between retries; must return early when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Each request becomes a model-call span and its metrics (time to first token, tokens, upstream errors and retries). */
  telemetry?: Telemetry;
  /** Per-user quotas: asked before every request that names its user (`ChatRequest.userId`). */
  quota?: QuotaGate;
}

export interface ChatClient {
  /**
   * Streams the text of one chat completion as it arrives (choice 0) and returns the assembled answer,
   * the only one: callers take tool calls and usage from it. Throws LlmError; text already yielded
   * stays valid (the caller keeps partial output). `log`: where this request's warnings go instead of the
   * client's logger (a run's logger, whose lines carry its ids). A request naming its user is refused with
   * QuotaExceededError, before anything is sent, when one of the user's limits is used up.
   */
  streamChat(model: ModelConfig, req: ChatRequest, signal: AbortSignal, log?: ChatLog): AsyncGenerator<ChatDelta, ChatStreamResult, undefined>;
  /** The models an OpenAI-compatible server offers: GET `<baseUrl>/models`. */
  listModels(baseUrl: string, apiKey?: string): Promise<Array<{ id: string }>>;
}

/** A failure that may be retried (429, 5xx, connection lost before any delta was yielded). */
interface RetryOutcome {
  type: 'retry';
  error: LlmError;
  retryAfterMs?: number;
}
/** One try at the request: finished, or failed in a way that may be retried. */
type AttemptOutcome = { type: 'done'; result: ChatStreamResult } | RetryOutcome;
type OpenOutcome = { type: 'open'; response: UpstreamResponse } | RetryOutcome;

export function createChatClient(options: ChatClientOptions): ChatClient {
  const { settings, logger, transport = createUndiciTransport(), sleep = abortableSleep, telemetry = noTelemetry, quota } = options;

  async function* streamChat(
    model: ModelConfig,
    req: ChatRequest,
    signal: AbortSignal,
    log: ChatLog | undefined = logger,
  ): AsyncGenerator<ChatDelta, ChatStreamResult, undefined> {
    const { userId } = req;
    if (quota && userId !== undefined) await quota.admit(userId);
    const init: Omit<UpstreamRequest, 'signal'> = {
      method: 'POST',
      headers: requestHeaders(model.api_key, 'text/event-stream', true),
      body: JSON.stringify(buildChatRequestBody(model, req)),
    };
    const call = telemetry.modelCall({ model: model.id, ...upstreamOf(model.api_url), maxTokens: req.maxTokens, temperature: req.temperature });
    let ended = false;
    try {
      for (let attempt = 0; ; attempt++) {
        if (signal.aborted) throw llmErrors.aborted();
        const outcome = yield* streamAttempt(model.api_url, init, signal, call);
        if (outcome.type === 'done') {
          ended = true;
          call.finish(callResult(outcome.result));
          // Not waited for: the answer ends now, and the user's next request waits for the count.
          if (quota && userId !== undefined) void quota.record(userId, tokensUsed(req, outcome.result));
          return outcome.result;
        }
        if (attempt >= settings.max_retries) throw outcome.error;
        call.attemptFailed(outcome.error.kind);
        const delayMs = retryDelayMs(attempt, settings, outcome.retryAfterMs);
        log?.warn(
          { model: model.id, attempt: attempt + 1, maxRetries: settings.max_retries, delayMs, error: outcome.error.message },
          'LLM request failed, retrying',
        );
        call.retrying();
        yield { type: 'retry', attempt: attempt + 2, maxAttempts: settings.max_retries + 1, delayMs, reason: outcome.error.message };
        await sleep(delayMs, signal);
      }
    } catch (err) {
      ended = true;
      call.finish({ error: (err as Error).message, kind: err instanceof LlmError ? err.kind : 'unknown' });
      throw err;
    } finally {
      // The caller stopped reading (its run was stopped).
      if (!ended) call.finish({ error: 'The caller stopped reading the answer.', kind: 'aborted' });
    }
  }

  async function* streamAttempt(
    url: string,
    init: Omit<UpstreamRequest, 'signal'>,
    signal: AbortSignal,
    call: ModelCallScope,
  ): AsyncGenerator<ChatDelta, AttemptOutcome, undefined> {
    const watchdog = new UpstreamWatchdog(settings.timeout_ms, signal);
    try {
      const opened = await openStream(url, init, watchdog);
      if (opened.type === 'retry') return opened;
      return yield* readStream(opened.response, watchdog, call);
    } finally {
      watchdog.dispose();
    }
  }

  async function openStream(url: string, init: Omit<UpstreamRequest, 'signal'>, watchdog: UpstreamWatchdog): Promise<OpenOutcome> {
    let response: UpstreamResponse;
    try {
      response = await transport(url, { ...init, signal: watchdog.signal });
    } catch (err) {
      const failure = watchdog.interruption() ?? transportTimeout(err);
      if (failure) throw failure;
      return retry(llmErrors.connect(err));
    }
    if (response.status < 200 || response.status > 299) return await failedResponseOutcome(response, watchdog);
    if (isJson(response)) throw await jsonInsteadOfStream(response, watchdog);
    return { type: 'open', response };
  }

  async function listModels(baseUrl: string, apiKey?: string): Promise<Array<{ id: string }>> {
    const watchdog = new UpstreamWatchdog(settings.timeout_ms);
    try {
      let response: UpstreamResponse;
      try {
        response = await transport(`${baseUrl.replace(/\/+$/, '')}/models`, {
          method: 'GET',
          headers: requestHeaders(apiKey, 'application/json', false),
          signal: watchdog.signal,
        });
      } catch (err) {
        throw watchdog.interruption() ?? transportTimeout(err) ?? llmErrors.connect(err);
      }
      if (response.status < 200 || response.status > 299) {
        const outcome = await failedResponseOutcome(response, watchdog);
        throw outcome.error;
      }
      const text = await readText(response, watchdog);
      return modelIds(parseJson(text));
    } finally {
      watchdog.dispose();
    }
  }

  return { streamChat, listModels };
}

async function* readStream(response: UpstreamResponse, watchdog: UpstreamWatchdog, call: ModelCallScope): AsyncGenerator<ChatDelta, AttemptOutcome, undefined> {
  const accumulator = new ChatStreamAccumulator();
  const decoder = new SseChunkDecoder();
  let chunkCount = 0;
  let yielded = false;
  /** The deltas of one decoded read, in order; then its error, if any; answers whether `[DONE]` came. */
  function* deltasIn(read: DecodedRead): Generator<ChatDelta, boolean> {
    chunkCount += read.chunks.length;
    const deltas: ChatTextDelta[] = [];
    for (const chunk of read.chunks) accumulator.push(chunk, deltas);
    for (const delta of deltas) {
      if (!yielded) {
        yielded = true;
        call.firstToken();
      }
      yield delta;
    }
    // Chunks before a bad or error chunk in the same read still reach the caller first.
    if (read.error) throw read.error;
    return read.finished;
  }
  try {
    // The body is read here directly, each read decoded in one synchronous step: a stream of many small
    // reads (a model answering token by token) pays for one async iteration per read, not three.
    let finished = false;
    watchdog.waitForNext();
    for await (const bytes of response.body) {
      watchdog.received();
      finished = yield* deltasIn(decoder.push(bytes));
      if (finished) {
        response.release(); // `data: [DONE]`: nothing after it is read
        break;
      }
      watchdog.waitForNext();
    }
    if (!finished) yield* deltasIn(decoder.end());
    watchdog.bodyDone();
  } catch (err) {
    const failure = watchdog.interruption() ?? transportTimeout(err);
    if (failure) throw failure;
    if (err instanceof LlmError) throw err;
    // No text reached the caller yet (a partial tool call is only in this attempt's accumulator), so
    // trying again cannot duplicate output.
    if (!yielded) return retry(llmErrors.lostMidAnswer(err));
    throw llmErrors.lostMidAnswer(err);
  }
  // After an abort, the body may just end instead of failing.
  const interruption = watchdog.interruption();
  if (interruption) throw interruption;
  if (chunkCount === 0) throw llmErrors.emptyResponse();
  return { type: 'done', result: accumulator.result() };
}

/** A non-2xx answer: 429 and 5xx come back as a retry outcome, any other status throws. */
async function failedResponseOutcome(response: UpstreamResponse, watchdog: UpstreamWatchdog): Promise<RetryOutcome> {
  const { status } = response;
  if (status === 429 || status >= 500) {
    await response.discard().catch(() => undefined);
    const error = status === 429 ? llmErrors.rateLimited() : llmErrors.unavailable(status);
    return retry(error, parseRetryAfterMs(response.headers()));
  }
  const text = await readText(response, watchdog);
  throw llmErrors.rejected(status, providerErrorMessage(parseJsonOrText(text)));
}

/** A 200 JSON answer instead of an event stream: usually an error the gateway did not flag by status. */
async function jsonInsteadOfStream(response: UpstreamResponse, watchdog: UpstreamWatchdog): Promise<LlmError> {
  const payload = parseJsonOrText(await readText(response, watchdog));
  const message = isRecord(payload) ? providerErrorMessage(payload) : undefined;
  return message ? llmErrors.streamError(message) : llmErrors.malformed('expected an event stream, got JSON');
}

async function readText(response: UpstreamResponse, watchdog: UpstreamWatchdog): Promise<string> {
  try {
    return await response.text();
  } catch (err) {
    throw watchdog.interruption() ?? transportTimeout(err) ?? llmErrors.connect(err);
  }
}

/** Prompt + completion tokens of a finished request; without reported usage, about 4 characters a token. */
/** The tokens a finished request counts against its user's quotas: the same figures the token statistics record. */
function tokensUsed(req: ChatRequest, result: ChatStreamResult): number {
  const { promptTokens, completionTokens } = tokensOfAnswer(req, result);
  return promptTokens + completionTokens;
}

function modelIds(payload: unknown): Array<{ id: string }> {
  const data = isRecord(payload) ? payload.data : undefined;
  if (!Array.isArray(data)) throw llmErrors.malformed('the model list has no `data` array');
  const models: Array<{ id: string }> = [];
  for (const entry of data) {
    if (isRecord(entry) && typeof entry.id === 'string') models.push({ id: entry.id });
  }
  return models;
}

function requestHeaders(apiKey: string | undefined, accept: string, hasJsonBody: boolean): Record<string, string> {
  const headers: Record<string, string> = { accept };
  if (hasJsonBody) headers['content-type'] = 'application/json';
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  return headers;
}

function isJson(response: UpstreamResponse): boolean {
  return response.contentType.toLowerCase().includes('application/json');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw llmErrors.malformed('the answer is not JSON');
  }
}

function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** undici's own header/body timeouts, should a transport keep them, count as timeouts too. */
function transportTimeout(err: unknown): LlmError | undefined {
  const code = err instanceof Error ? (isRecord(err.cause) ? err.cause.code : (err as { code?: unknown }).code) : undefined;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' ? llmErrors.timeout() : undefined;
}

/** What a finished answer tells telemetry: its finish reason and the usage the provider reported. */
function callResult(result: ChatStreamResult): ModelCallResult {
  const usage = result.usage;
  return {
    finishReason: result.finish_reason,
    ...(usage && { inputTokens: Number(usage.prompt_tokens) || 0, outputTokens: Number(usage.completion_tokens) || 0 }),
  };
}

const upstreams = new Map<string, { provider: string; serverAddress?: string }>();

/** The provider label (the API's host and port; configured, so bounded) and address of a model's API. */
function upstreamOf(apiUrl: string): { provider: string; serverAddress?: string } {
  let upstream = upstreams.get(apiUrl);
  if (!upstream) {
    try {
      const url = new URL(apiUrl);
      upstream = { provider: url.host, serverAddress: url.hostname };
    } catch {
      upstream = { provider: 'unknown' };
    }
    upstreams.set(apiUrl, upstream);
  }
  return upstream;
}

function retry(error: LlmError, retryAfterMs?: number): RetryOutcome {
  return { type: 'retry', error, retryAfterMs };
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
