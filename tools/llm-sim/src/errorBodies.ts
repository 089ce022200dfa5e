import type { OpenAiErrorBody } from './wireTypes.js';

export function openAiError(message: string, type: string, code: string | null = null, param: string | null = null): OpenAiErrorBody {
  return { error: { message, type, param, code } };
}

/** The error body OpenAI sends for a status, used when a script gives none. */
export function defaultErrorBody(status: number): OpenAiErrorBody {
  switch (status) {
    case 400:
      return openAiError('Invalid request (simulated).', 'invalid_request_error');
    case 401:
      return openAiError('Incorrect API key provided (simulated).', 'invalid_request_error', 'invalid_api_key');
    case 404:
      return openAiError('The model does not exist or you do not have access to it (simulated).', 'invalid_request_error', 'model_not_found');
    case 429:
      return openAiError('Rate limit reached for requests (simulated). Please try again shortly.', 'requests', 'rate_limit_exceeded');
    case 500:
      return openAiError('The server had an error while processing your request (simulated).', 'server_error');
    case 503:
      return openAiError('The engine is currently overloaded, please try again later (simulated).', 'server_error');
    default:
      return openAiError(`Simulated upstream error ${status}.`, status >= 500 ? 'server_error' : 'invalid_request_error');
  }
}
