import type { MessageRepo, MessageRow } from '../db/index.js';
import { historyToChat } from './historyToChat.js';
import { estimateTokens } from './trimToBudget.js';

export interface RecentHistoryOptions {
  /** The model's prompt budget in estimated tokens (what trimToBudget will fit the history into). */
  budgetTokens: number;
  /** The message the history ends with (inclusive): a new message's parent, or the question of an answer being regenerated; the active leaf when absent. */
  leaf?: string;
  /** Messages read per query. */
  pageSize?: number;
}

/**
 * The end of a conversation's path (root → `leaf`, the active path by default), oldest first, reaching back only as far as the model can see: pages are
 * read newest first until what they replay to the model exceeds the budget. Anything older would be
 * dropped by trimToBudget anyway, and trimming this suffix keeps exactly what trimming the whole
 * conversation keeps (both cut at the same exchange boundary). A long conversation so costs a page or
 * two of reads per message instead of all of it.
 */
export async function loadRecentHistory(
  messages: Pick<MessageRepo, 'listActivePath'>,
  conversationId: string,
  options: RecentHistoryOptions,
): Promise<MessageRow[]> {
  const pages: MessageRow[][] = [];
  let cursor: string | undefined;
  let tokens = 0;
  for (;;) {
    const page = await messages.listActivePath(conversationId, {
      direction: 'backward',
      cursor,
      limit: options.pageSize ?? 100,
      ...(options.leaf !== undefined && { leaf: options.leaf }),
    });
    pages.unshift(page.items);
    for (const message of historyToChat(page.items)) tokens += estimateTokens(message);
    if (!page.has_more || page.next_cursor === null || tokens > options.budgetTokens) break;
    cursor = page.next_cursor;
  }
  return pages.flat();
}
