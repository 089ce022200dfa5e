import { isRecord } from './isRecord.js';

/**
 * The human message inside a provider's error payload. Handles the OpenAI shape
 * `{"error": {"message": ...}}` and the variants seen in the wild: `{"error": "text"}`,
 * `{"message": ...}` and `{"detail": ...}` (FastAPI-based servers such as vLLM).
 */
export function providerErrorMessage(payload: unknown): string | undefined {
  if (typeof payload === 'string') return payload.trim() || undefined;
  if (!isRecord(payload)) return undefined;
  const { error } = payload;
  if (typeof error === 'string') return error.trim() || undefined;
  if (isRecord(error)) return providerErrorMessage(error);
  for (const key of ['message', 'detail'] as const) {
    const value = payload[key];
    if (typeof value === 'string' && value.trim()) return value.trim();
  }
  return undefined;
}
