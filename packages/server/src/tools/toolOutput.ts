/** The error text the original service sent to the model, kept byte for byte so prompts tuned for it still work. */
export function errorContent(message: string): string {
  return `{"success": false, "error": ${JSON.stringify(message)}}`;
}

/** Strings pass through untouched; anything else becomes JSON (`undefined` becomes `null`). Throws on values JSON cannot hold. */
export function serializeOutput(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? 'null';
}

/** Keeps the first `maxChars` characters and says how much was cut, so the model knows the output is partial. */
export function truncateOutput(content: string, maxChars: number): string {
  if (content.length <= maxChars) return content;
  let shown = maxChars;
  // Do not split a surrogate pair: half an emoji is invalid UTF-16 for JSON encoders downstream.
  if (shown > 0 && isHighSurrogate(content.charCodeAt(shown - 1))) shown -= 1;
  return `${content.slice(0, shown)}\n… [output truncated: ${shown} of ${content.length} characters shown]`;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : String(error);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
