import type { Migration } from 'kysely';
import { initialSchema } from './0001_initial.js';
import { conversationTree } from './0002_conversation_tree.js';
import { treeOrder } from './0003_tree_order.js';
import { quotas } from './0007_quotas.js';
import { userIdentities } from './0008_user_identities.js';
import { apiKeys } from './0006_api_keys.js';
import { attachmentsSchema } from './0005_attachments.js';

/**
 * Every migration, in order. Imported in code (not read from disk) so the compiled server carries
 * them. Names sort in the order they must run; never rename or edit one that has shipped.
 */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001_initial': initialSchema,
  '0002_conversation_tree': conversationTree,
  '0003_tree_order': treeOrder,
  '0007_quotas': quotas,
  '0008_user_identities': userIdentities,
  '0006_api_keys': apiKeys,
  '0005_attachments': attachmentsSchema,
};
