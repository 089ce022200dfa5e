/**
 * Turns the result of an MCP `tools/call` into the text the model sees, or into an error carrying the
 * server's own message. Only text reaches the model: images, audio and binary resources are described.
 */

/** A tool result as the SDK hands it over (current `content` form or the legacy `toolResult` form). */
export interface McpCallResult {
  content?: unknown;
  structuredContent?: unknown;
  isError?: unknown;
  toolResult?: unknown;
}

export class McpToolError extends Error {
  override name = 'McpToolError';
}

/** The result text; throws McpToolError with the server's message when the result has `isError`. */
export function convertMcpResult(result: McpCallResult): string {
  const parts = Array.isArray(result.content) ? result.content : [];
  let text = parts.map(describePart).filter((part) => part !== '').join('\n');
  if (text === '' && result.structuredContent !== undefined) text = JSON.stringify(result.structuredContent);
  if (text === '' && result.toolResult !== undefined) text = typeof result.toolResult === 'string' ? result.toolResult : (JSON.stringify(result.toolResult) ?? '');
  if (result.isError === true) throw new McpToolError(text === '' ? 'The MCP tool reported an error without a message' : text);
  return text;
}

function describePart(part: unknown): string {
  if (!isRecord(part)) return '';
  switch (part.type) {
    case 'text':
      return typeof part.text === 'string' ? part.text : '';
    case 'image':
    case 'audio':
      return `[${part.type}: ${stringOr(part.mimeType, 'unknown type')}, ${base64Size(part.data)} — not shown to the model]`;
    case 'resource':
      return describeResource(part.resource);
    case 'resource_link': {
      const label = stringOr(part.title, stringOr(part.name, ''));
      return `[resource link: ${label ? `${label} ` : ''}${stringOr(part.uri, '?')}${typeof part.mimeType === 'string' ? ` (${part.mimeType})` : ''}]`;
    }
    default:
      return `[unsupported content part: ${stringOr(part.type, 'unknown')}]`;
  }
}

function describeResource(resource: unknown): string {
  if (!isRecord(resource)) return '';
  const uri = stringOr(resource.uri, '?');
  if (typeof resource.text === 'string') return `[resource ${uri}]\n${resource.text}`;
  return `[resource ${uri}: ${stringOr(resource.mimeType, 'binary')}, ${base64Size(resource.blob)} — not shown to the model]`;
}

/** Decoded size of base64 data, e.g. "1234 bytes". */
function base64Size(data: unknown): string {
  if (typeof data !== 'string') return 'no data';
  const clean = data.replace(/\s/g, '');
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  return `${Math.max(0, Math.floor((clean.length * 3) / 4) - padding)} bytes`;
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
