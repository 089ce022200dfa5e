import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { OpenAiError } from '@nanoclaw/protocol';
import { AppError } from '../appError.js';
import { describeValidation, domainErrorStatus, DATABASE_RETRY_AFTER_SECONDS } from '../errorHandler.js';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '../../db/index.js';
import { LlmError } from '../../llm/llmError.js';
import { QuotaExceededError } from '../../llm/quotaGate.js';
import { ApiRunInputError } from '../../agent/apiRun.js';

/** An error of the OpenAI-compatible API: the status, and the body OpenAI's SDKs parse. */
export class OpenAiApiError extends Error {
  override name = 'OpenAiApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
    /** Seconds to wait before trying again (`Retry-After`), for a used-up quota. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

function typeOf(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

export function openAiErrorBody(status: number, message: string, code: string | null = null, param: string | null = null): OpenAiError {
  return { error: { message, type: typeOf(status), param, code } };
}

/** The first field a validation message names (`"messages.0.role": …` → `messages.0.role`). */
function firstField(message: string): string | null {
  return /"([^"]+)"/.exec(message)?.[1] ?? null;
}

/** A model request's failure as an HTTP status: rate limits pass through, the provider's own refusals keep theirs. */
function llmStatus(error: LlmError): number {
  if (error.kind === 'rate_limited') return 429;
  if (error.kind === 'timeout') return 504;
  if (error.kind === 'rejected' && error.status !== undefined && error.status >= 400 && error.status < 500) return error.status;
  return 502;
}

/** Any error thrown while answering `/v1` as OpenAI's error shape, with its status. */
export function toOpenAiError(error: unknown): OpenAiApiError {
  if (error instanceof OpenAiApiError) return error;
  if (error instanceof ApiRunInputError) return new OpenAiApiError(400, error.message, null, firstField(error.message));
  if (error instanceof QuotaExceededError) return new OpenAiApiError(429, error.message, 'quota_exceeded', null, error.retryAfterSeconds);
  if (error instanceof LlmError) return new OpenAiApiError(llmStatus(error), error.message, error.kind === 'rate_limited' ? 'rate_limit_exceeded' : null);
  if (error instanceof AppError) return new OpenAiApiError(error.status, error.message);
  const domain = domainErrorStatus(error);
  if (domain !== undefined) return new OpenAiApiError(domain, (error as Error).message, domain === 401 ? 'invalid_api_key' : null);
  const fastifyError = error as Partial<FastifyError>;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const message = describeValidation(error.validation as never, error.validationContext);
    return new OpenAiApiError(400, message, null, firstField(message));
  }
  if (fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fastifyError.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return new OpenAiApiError(400, 'The request body is not valid JSON.');
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new OpenAiApiError(413, 'The request body is too large.');
  if (fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new OpenAiApiError(415, 'Send the request body as application/json.');
  if (isDatabaseUnavailable(error)) return new OpenAiApiError(503, DATABASE_UNAVAILABLE_MESSAGE);
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return new OpenAiApiError(status, fastifyError.message ?? 'The request failed.');
  return new OpenAiApiError(500, 'Something went wrong on the server. The error has been logged.');
}

/** Answers an error in OpenAI's shape. */
export function sendOpenAiError(reply: FastifyReply, error: OpenAiApiError): FastifyReply {
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  return reply.code(error.status).send(openAiErrorBody(error.status, error.message, error.code, error.param));
}

/**
 * An unknown path or a wrong method under `/v1`, in OpenAI's shape: 404, or 405 with `Allow`. Used by the
 * `/v1` scope and by the app's own not-found handler (which the web app's catch-all hands GETs to).
 */
export function openAiNotFound(reply: FastifyReply, method: string, path: string, allowed: string[]): FastifyReply {
  if (allowed.length === 0) return sendOpenAiError(reply, new OpenAiApiError(404, `No route ${method} ${path}.`, 'unknown_url'));
  reply.header('allow', allowed.join(', '));
  return sendOpenAiError(reply, new OpenAiApiError(405, `${method} is not allowed on ${path}; use ${allowed.join(', ')}.`, 'method_not_allowed'));
}

/** The error handler of the `/v1` scope: OpenAI's error shape instead of NanoClaw's envelope. */
export function openAiErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const mapped = toOpenAiError(error);
  if (mapped.status >= 500) request.log.error({ err: error }, 'request failed');
  if (mapped.status === 503) reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
  return sendOpenAiError(reply, mapped);
}
