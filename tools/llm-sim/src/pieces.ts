/**
 * Splits text into word-sized pieces that concatenate back to the exact input:
 * each piece is a word with the whitespace that follows it (leading whitespace stands alone).
 */
export function splitIntoPieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/** A string is split into words; an array is already the pieces. */
export function toPieces(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? splitIntoPieces(value) : value;
}

/** Splits text into fragments of 1, 2, 3, 1, 2, 3… characters (deterministic, so tests can rely on it). */
export function splitIntoFragments(text: string): string[] {
  const fragments: string[] = [];
  let position = 0;
  for (let size = 1; position < text.length; size = (size % 3) + 1) {
    fragments.push(text.slice(position, position + size));
    position += size;
  }
  return fragments;
}
