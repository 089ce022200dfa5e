/** A piece of a search snippet: plain text, marked (a match) or not. */
export interface SnippetPart {
  text: string;
  mark: boolean;
}

const ENTITY = /&#(\d{1,7});|&(amp|lt|gt|quot|#39);/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };

function decode(text: string): string {
  return text.replace(ENTITY, (_, code: string | undefined, name: string | undefined) =>
    code !== undefined ? String.fromCodePoint(Number(code)) : (NAMED[name!] ?? ''),
  );
}

/**
 * A snippet of `GET /api/search` (HTML-escaped text, matches inside `<mark>…</mark>`) as parts to render
 * as text nodes: nothing in it is ever treated as HTML.
 */
export function parseSnippet(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  for (const [i, piece] of snippet.split(/<\/?mark>/).entries()) {
    if (piece) parts.push({ text: decode(piece), mark: i % 2 === 1 });
  }
  return parts;
}
