import type { Kysely } from 'kysely';
import { createConversationRepo } from './conversationRepo.js';
import { createMessageRepo, type MessagePatch, type MessageRow } from './messageRepo.js';
import type { DB } from './schema.js';
import { transactionRetryingDeadlocks } from './transactions.js';
import { createUsageRepo, type UsageRecord } from './usageRepo.js';
import type { Clock } from './values.js';

export interface StartedAnswer {
  conversationId: string;
  /** The question (unless regenerating) and the answer's streaming row, drafted by messages.draft. */
  rows: MessageRow[];
  /** The conversation's first title, taken from its first message; null leaves the title alone. */
  title: string | null;
}

export interface FinishedAnswer {
  conversationId: string;
  messageId: string;
  /** The answer's final content, status and token count. */
  patch: MessagePatch;
  /** The tokens the run used, added to the user's totals; null when it used none. */
  usage: UsageRecord | null;
}

export interface DeletedSubtree {
  conversationId: string;
  /** The subtree's messages (ConversationTree.subtree). */
  ids: string[];
  /** The leaf of the active path afterwards (ConversationTree.leafAfterDeleting); undefined leaves it as it is. */
  activeLeafId?: string | null;
}

/**
 * The writes at either end of a run, each all or nothing in one transaction (one commit each):
 * `start` stores the new rows and the conversation's first title, and makes the new answer (the newest
 * leaf) the active path's end; `finish` the answer's final state, the tokens it used and the
 * conversation's last activity. And deleting a subtree of a conversation with where its active path goes.
 */
export function createAnswerWrites(db: Kysely<DB>, now: Clock) {
  return {
    start(answer: StartedAnswer): Promise<void> {
      return db.transaction().execute(async (trx) => {
        await createMessageRepo(trx, now).insert(answer.rows);
        const conversations = createConversationRepo(trx, now);
        await conversations.resetActiveLeaf(answer.conversationId);
        if (answer.title !== null) await conversations.setTitle(answer.conversationId, answer.title);
      });
    },
    finish(answer: FinishedAnswer): Promise<void> {
      return transactionRetryingDeadlocks(db, async (trx) => {
        await createMessageRepo(trx, now).update(answer.messageId, answer.patch);
        if (answer.usage) await createUsageRepo(trx).add(answer.usage);
        await createConversationRepo(trx, now).touch(answer.conversationId);
      });
    },
    deleteSubtree(subtree: DeletedSubtree): Promise<number> {
      return db.transaction().execute(async (trx) => {
        const deleted = await createMessageRepo(trx, now).deleteMany(subtree.conversationId, subtree.ids);
        if (subtree.activeLeafId !== undefined) await createConversationRepo(trx, now).setActiveLeaf(subtree.conversationId, subtree.activeLeafId);
        return deleted;
      });
    },
  };
}

export type AnswerWrites = ReturnType<typeof createAnswerWrites>;
