/** What a collapsed tool card says about its call, in one short line. */
const SUMMARY_CHARS = 60;

/**
 * The arguments of a call in a few words: the values of a JSON object's fields (strings as they are,
 * lists by their length), or the text itself when it is not JSON; cut at `max` characters.
 */
export function summariseArguments(text: string | undefined, max = SUMMARY_CHARS): string {
  if (!text) return '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return cut(text.replace(/\s+/g, ' ').trim(), max);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return cut(describe(parsed), max);
  const parts = Object.values(parsed as Record<string, unknown>)
    .map(describe)
    .filter((part) => part !== '');
  return cut(parts.join(', '), max);
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\s+/g, ' ').trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.length}]`;
  return '{…}';
}

function cut(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** A result longer than this many lines shows its first lines and a "show all". */
export const RESULT_PREVIEW_LINES = 12;

/** The first lines of a long text, or null when it is short enough to show whole. */
export function foldedPreview(text: string, lines = RESULT_PREVIEW_LINES): { preview: string; total: number } | null {
  const all = text.split('\n');
  // Folding away only a line or two helps no one.
  if (all.length <= lines + 2) return null;
  return { preview: all.slice(0, lines).join('\n'), total: all.length };
}
