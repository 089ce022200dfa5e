import type { Kysely, Migration } from 'kysely';

interface MessageLinks {
  messages: { id: string; conversation_id: string; parent_id: string | null; created_at: string };
}

/**
 * Before conversations were trees, deleting a message deleted it alone: the message after it kept a
 * `parent_id` naming a message that is gone. The active path is now walked up by `parent_id`, so such
 * a link would hide everything before it. Each broken link is pointed at the message created just
 * before (every conversation stored so far is a single line), or cleared when there is none.
 */
export const treeOrder: Migration = {
  async up(untyped: Kysely<unknown>): Promise<void> {
    const db = untyped as Kysely<MessageLinks>;
    const broken = await db
      .selectFrom('messages as m')
      .leftJoin('messages as p', 'p.id', 'm.parent_id')
      .select(['m.id', 'm.conversation_id', 'm.created_at'])
      .where('m.parent_id', 'is not', null)
      .where('p.id', 'is', null)
      .execute();
    for (const message of broken) {
      const previous = await db
        .selectFrom('messages')
        .select('id')
        .where('conversation_id', '=', message.conversation_id)
        .where('created_at', '<=', message.created_at)
        .where((eb) => eb.or([eb('created_at', '<', message.created_at), eb('id', '<', message.id)]))
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      await db.updateTable('messages').set({ parent_id: previous?.id ?? null }).where('id', '=', message.id).execute();
    }
  },

  /** The links it mended were broken; nothing to undo. */
  async down(): Promise<void> {},
};
