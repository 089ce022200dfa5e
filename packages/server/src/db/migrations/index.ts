import type { Migration } from 'kysely';
import { initialSchema } from './0001_initial.js';
import { conversationTree } from './0002_conversation_tree.js';
import { search } from './0003_search.js';

/**
 * Every migration, in order. Imported in code (not read from disk) so the compiled server carries
 * them. Names sort in the order they must run; never rename or edit one that has shipped.
 */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001_initial': initialSchema,
  '0002_conversation_tree': conversationTree,
  '0003_search': search,
};
