import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError } from './appError.js';
import { ConflictError, DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable, NotFoundError, UnknownCursorError } from '../db/index.js';
import * as auth from '../auth/authErrors.js';
import * as workspace from '../workspace/workspaceErrors.js';
import { QuotaExceededError } from '../llm/quotaGate.js';
import { ImportFileError } from '../transfer/importErrors.js';
import { AttachmentLimitError } from '../attachments/attachmentService.js';
import { ExtractionError } from '../attachments/documentExtractor.js';
import { ImageError } from '../attachments/prepareImage.js';
import { UnsupportedFileError } from '../attachments/sniffAttachment.js';

/** Seconds a client is asked to wait before trying again while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

interface ValidationIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params?: Record<string, unknown>;
}

const partNames: Record<string, string> = { body: 'request body', querystring: 'query', params: 'path', headers: 'headers' };

/** One sentence per problem, naming the field: `"text" is required`, `"limit": Too big: expected number to be <=100`. */
export function describeValidation(issues: ValidationIssue[], context: string | undefined): string {
  const part = partNames[context ?? 'body'] ?? context ?? 'request';
  const problems = issues.map((issue) => {
    const field = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
    if (issue.keyword === 'invalid_type' && typeof issue.message === 'string' && /received undefined/.test(issue.message)) {
      return `"${field}" is required`;
    }
    if (issue.keyword === 'unrecognized_keys' && Array.isArray(issue.params?.keys)) {
      return `unknown field${issue.params.keys.length > 1 ? 's' : ''} ${issue.params.keys.map((k) => `"${String(k)}"`).join(', ')}`;
    }
    const message = (issue.message ?? 'is invalid').replace(/^Invalid input: /, '');
    return field ? `"${field}": ${message}` : message;
  });
  return `Invalid ${part}: ${problems.join('; ')}.`;
}

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * The status of each error the layers below HTTP throw (database, accounts, workspace); they carry only
 * the sentence. The first class an error is an instance of wins, so a subclass comes before its base.
 */
const domainStatuses: ReadonlyArray<readonly [ErrorClass, number]> = [
  [auth.UnauthenticatedError, 401],
  [auth.AccountDeactivatedError, 403],
  [auth.RegistrationClosedError, 403],
  [auth.SingleUserModeError, 400],
  [auth.UsernameTakenError, 409],
  [auth.WrongCurrentPasswordError, 400],
  [auth.AccountGoneError, 404],
  [auth.LocalLoginDisabledError, 403],
  [auth.SsoStateError, 400],
  [auth.SsoRejectedError, 401],
  [auth.SsoConflictError, 409],
  [auth.SsoUnavailableError, 502],
  [auth.SsoError, 401],
  [workspace.PathRefusedError, 400],
  [workspace.WrongKindError, 400],
  [workspace.FileNotFoundError, 404],
  [workspace.FileConflictError, 409],
  [workspace.FileTooLargeError, 413],
  [workspace.NotTextError, 415],
  [workspace.ProjectConflictError, 409],
  [workspace.ProjectDirectoryInvalidError, 500],
  [ImportFileError, 400],
  [UnsupportedFileError, 415],
  [ImageError, 422],
  [ExtractionError, 422],
  [AttachmentLimitError, 413],
  [NotFoundError, 404],
  [ConflictError, 409],
];

/** The HTTP status of a domain error; undefined for anything else. */
export function domainErrorStatus(error: unknown): number | undefined {
  return domainStatuses.find(([type]) => error instanceof type)?.[1];
}

export function sendError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).send({ code: status, message });
}

/** Maps every error to the JSON envelope `{code, message}` with the same HTTP status. */
export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof AppError) return sendError(reply, error.status, error.message);
  if (error instanceof QuotaExceededError) {
    reply.header('retry-after', String(error.retryAfterSeconds));
    return sendError(reply, 429, error.message);
  }
  if (error instanceof UnknownCursorError) return sendError(reply, 400, 'Unknown cursor: start again from the first page.');
  const domainStatus = domainErrorStatus(error);
  if (domainStatus !== undefined) {
    if (domainStatus === 500) request.log.error({ err: error }, 'request failed');
    return sendError(reply, domainStatus, error.message);
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    return sendError(reply, 400, describeValidation(error.validation as ValidationIssue[], error.validationContext));
  }
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return sendError(reply, 400, 'The request body is not valid JSON.');
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, 413, 'The request body is too large.');
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return sendError(reply, 415, 'Send the request body as application/json.');
  if (isDatabaseUnavailable(error)) {
    request.log.warn({ err: error }, 'database unreachable');
    reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
    return sendError(reply, 503, DATABASE_UNAVAILABLE_MESSAGE);
  }
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  if (status === 500) {
    request.log.error({ err: error }, 'request failed');
    return sendError(reply, 500, 'Something went wrong on the server. The error has been logged.');
  }
  return sendError(reply, status, error.message);
}
