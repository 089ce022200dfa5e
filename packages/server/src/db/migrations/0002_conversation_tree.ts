import type { Kysely, Migration } from 'kysely';
import { dialectOf } from '../dialect.js';

/**
 * Conversations become trees of messages: `messages.parent_id` links each message to the one it
 * answers or follows, and `conversations.active_leaf_id` names the leaf whose path (root → leaf) is
 * the conversation as shown and as the model sees it. NULL means "the most recently created leaf"
 * (every conversation stored before branches existed is a single line, so that is its last message).
 */
export const conversationTree: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('conversations').addColumn('active_leaf_id', 'varchar(36)').execute();
    await db.schema
      .createIndex('messages_conversation_parent_idx')
      .on('messages')
      .columns(['conversation_id', 'parent_id'])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    const drop = db.schema.dropIndex('messages_conversation_parent_idx');
    // MySQL names indexes per table; the others per schema.
    await (dialectOf(db) === 'mysql' ? drop.on('messages') : drop).execute();
    await db.schema.alterTable('conversations').dropColumn('active_leaf_id').execute();
  },
};
