import type { ChatRequest } from '../types.js';
import { pieceDelay, type Scenario } from './scenario.js';

/** What one part of a user message's content was: text (its length), or an image (its type, size, and a PNG's pixels). */
export interface PartSummary {
  type: string;
  chars?: number;
  mime?: string;
  bytes?: number;
  width?: number;
  height?: number;
  url_scheme?: string;
}

function describeImage(url: string): PartSummary {
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (!match) return { type: 'image_url', url_scheme: url.split(':')[0] ?? '' };
  const bytes = Buffer.from(match[2]!, 'base64');
  const summary: PartSummary = { type: 'image_url', url_scheme: 'data', mime: match[1]!, bytes: bytes.length };
  // PNG: the IHDR chunk holds the size right after the signature.
  if (match[1] === 'image/png' && bytes.length >= 24) {
    summary.width = bytes.readUInt32BE(16);
    summary.height = bytes.readUInt32BE(20);
  }
  return summary;
}

/** The parts of the last user message; a plain string counts as one text part. */
export function describeLastUserParts(request: ChatRequest): PartSummary[] {
  const message = [...request.messages].reverse().find((m) => m.role === 'user');
  if (!message) return [];
  const content: unknown = message.content;
  if (typeof content === 'string') return [{ type: 'text', chars: content.length }];
  if (!Array.isArray(content)) return [];
  return content.map((part: { type?: unknown; text?: unknown; image_url?: { url?: unknown } }) => {
    if (part.type === 'text') return { type: 'text', chars: typeof part.text === 'string' ? part.text.length : 0 };
    if (part.type === 'image_url' && typeof part.image_url?.url === 'string') return describeImage(part.image_url.url);
    return { type: String(part.type) };
  });
}

/**
 * Answers with what content parts the last user message had (`Parts: [...]` as JSON), so tests can check
 * that images reached the model as image_url parts, and in what size.
 */
export const contentParts: Scenario = (context) => {
  const parts = describeLastUserParts(context.request);
  const images = parts.filter((part) => part.type === 'image_url').length;
  const content = `I received ${parts.length} part${parts.length === 1 ? '' : 's'}, ${images} image${images === 1 ? '' : 's'}. Parts: ${JSON.stringify(parts)}`;
  return { kind: 'stream', content, chunkDelayMs: pieceDelay(context) };
};
