import type { Migration } from 'kysely';
import { initialSchema } from './0001_initial.js';
import { conversationTree } from './0002_conversation_tree.js';
import { search } from './0003_search.js';
import { treeOrder } from './0004_tree_order.js';
import { attachmentsSchema } from './0005_attachments.js';
import { apiKeys } from './0006_api_keys.js';
import { quotas } from './0007_quotas.js';
import { userIdentities } from './0008_user_identities.js';
import { searchWords } from './0009_search_words.js';
import { searchPostings } from './0010_search_postings.js';
import { searchPgUserIndex } from './0011_search_pg_user_index.js';

/**
 * Every migration, in order. Imported in code (not read from disk) so the compiled server carries
 * them. Names sort in the order they must run; never rename or edit one that has shipped.
 */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001_initial': initialSchema,
  '0002_conversation_tree': conversationTree,
  '0003_search': search,
  '0004_tree_order': treeOrder,
  '0005_attachments': attachmentsSchema,
  '0006_api_keys': apiKeys,
  '0007_quotas': quotas,
  '0008_user_identities': userIdentities,
  '0009_search_words': searchWords,
  '0010_search_postings': searchPostings,
  '0011_search_pg_user_index': searchPgUserIndex,
};
