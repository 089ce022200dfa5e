/** A Unix time in seconds (ChatGPT, Open WebUI) as an ISO timestamp; the epoch when there is none. */
export function importedTimestamp(seconds: number | null | undefined): string {
  const ms = typeof seconds === 'number' && Number.isFinite(seconds) ? seconds * 1000 : 0;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? new Date(0).toISOString() : date.toISOString();
}

function partType(part: Record<string, unknown>): string {
  return (typeof part.content_type === 'string' ? part.content_type : typeof part.type === 'string' ? part.type : 'attachment').replaceAll('_', ' ');
}

function describePart(part: Record<string, unknown>): string {
  const type = partType(part);
  const name = [part.name, part.asset_pointer, part.url].find((value) => typeof value === 'string');
  const size = typeof part.width === 'number' && typeof part.height === 'number' ? ` ${part.width}×${part.height}` : '';
  return `[${type}${name ? `: ${String(name)}` : ''}${size} — not imported]`;
}

/**
 * What an import cannot carry over (images, audio, files, content types it does not know) becomes a
 * visible text placeholder where it was, and is counted, so the result can say what happened: nothing
 * is dropped silently.
 */
export class Placeholders {
  private readonly counts = new Map<string, number>();

  private count(kind: string): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
  }

  /** A non-text part of a message (an image, an audio clip, a file). */
  part(part: unknown): string {
    if (typeof part !== 'object' || part === null) return String(part);
    this.count(partType(part as Record<string, unknown>));
    return describePart(part as Record<string, unknown>);
  }

  /** A whole content of a type the import does not know; its fields kept as JSON. */
  content(type: string, content: Record<string, unknown>): string {
    this.count(`content of type "${type}"`);
    return `[${type} — not imported as such]\n${JSON.stringify(content)}`;
  }

  /** One sentence per kind of thing kept as a placeholder. */
  notes(): string[] {
    return [...this.counts].map(([kind, n]) => `${kind}: ${n} kept as a text placeholder${n === 1 ? '' : 's'}.`);
  }
}
