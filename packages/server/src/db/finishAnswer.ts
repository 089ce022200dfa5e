import type { Kysely } from 'kysely';
import { createConversationRepo } from './conversationRepo.js';
import { createMessageRepo, type MessagePatch } from './messageRepo.js';
import type { DB } from './schema.js';
import { transactionRetryingDeadlocks } from './transactions.js';
import { createUsageRepo, type UsageRecord } from './usageRepo.js';
import type { Clock } from './values.js';

export interface FinishedAnswer {
  conversationId: string;
  messageId: string;
  /** The answer's final content, status and token count. */
  patch: MessagePatch;
  /** The tokens the run used, added to the user's totals; null when it used none. */
  usage: UsageRecord | null;
}

/**
 * Stores the end of a run all or nothing, in one transaction: the answer's final state, the tokens it
 * used and the conversation's last activity. One commit instead of three on the way to `done`.
 */
export function createAnswerFinisher(db: Kysely<DB>, now: Clock) {
  return function finishAnswer(answer: FinishedAnswer): Promise<void> {
    return transactionRetryingDeadlocks(db, async (trx) => {
      await createMessageRepo(trx, now).update(answer.messageId, answer.patch);
      if (answer.usage) await createUsageRepo(trx).add(answer.usage);
      await createConversationRepo(trx, now).touch(answer.conversationId);
    });
  };
}
