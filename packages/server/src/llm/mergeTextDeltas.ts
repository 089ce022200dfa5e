import type { ChatDelta } from './types.js';

/**
 * Joins neighbouring pieces of the same text kind (reasoning, content, refusal) that arrived
 * together, so one network read of a fast provider becomes one step update instead of hundreds.
 * Order and every other delta are kept as they are.
 */
export function mergeTextDeltas(deltas: ChatDelta[]): ChatDelta[] {
  const merged: ChatDelta[] = [];
  for (const delta of deltas) {
    const last = merged.at(-1);
    if (last && last.type === delta.type && (delta.type === 'reasoning' || delta.type === 'content' || delta.type === 'refusal')) {
      merged[merged.length - 1] = { type: delta.type, text: (last as { text: string }).text + delta.text };
    } else merged.push(delta);
  }
  return merged;
}
