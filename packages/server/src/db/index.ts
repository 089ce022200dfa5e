import type { Kysely } from 'kysely';
import { createApiKeyRepo } from './apiKeyRepo.js';
import { createAttachmentRepo } from './attachmentRepo.js';
import { createConversationRepo } from './conversationRepo.js';
import { createAnswerWrites } from './answerWrites.js';
import { createTransferStore } from './transferStore.js';
import { createIdentityRepo } from './identityRepo.js';
import { createMessageRepo } from './messageRepo.js';
import { createProjectRepo } from './projectRepo.js';
import { createSearchRepo } from './searchRepo.js';
import type { DB } from './schema.js';
import { createUsageRepo } from './usageRepo.js';
import { createUserRepo } from './userRepo.js';
import { createUserLimitsRepo } from './userLimitsRepo.js';
import { createRateCounterRepo } from './rateCounterRepo.js';
import { systemClock, type Clock } from './values.js';

/** Every repository over one database; `now` is the clock for timestamps (tests pass a controlled one). */
export function createRepositories(db: Kysely<DB>, now: Clock = systemClock) {
  return {
    users: createUserRepo(db, now),
    identities: createIdentityRepo(db, now),
    projects: createProjectRepo(db, now),
    conversations: createConversationRepo(db, now),
    messages: createMessageRepo(db, now),
    usage: createUsageRepo(db),
    search: createSearchRepo(db),
    answers: createAnswerWrites(db, now),
    userLimits: createUserLimitsRepo(db, now),
    rateCounters: createRateCounterRepo(db, () => now().getTime()),
    transfer: createTransferStore(db, now),
    apiKeys: createApiKeyRepo(db, now),
    attachments: createAttachmentRepo(db, now),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;

export { createDatabase, describeTarget, parseDatabaseUrl, type CreateDatabaseOptions, type Database, type DatabaseLogger } from './createDatabase.js';
export { dialectOf, type DialectName } from './dialect.js';
export { migrateToLatest } from './migrate.js';
export { ConflictError, NotFoundError, UnknownCursorError } from './errors.js';
export { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable, retryWhileDatabaseUnavailable } from './databaseUnavailable.js';
export type { DB, UserRole } from './schema.js';
export type { Clock } from './values.js';
export { DEFAULT_USERNAME, type NewUser, type UserPatch, type UserRepo, type UserRow } from './userRepo.js';
export { type IdentityRepo, type IdentityRow, type NewIdentity } from './identityRepo.js';
export { type NewProject, type ProjectPatch, type ProjectRepo, type ProjectRow } from './projectRepo.js';
export {
  CONVERSATION_DEFAULTS,
  type ConversationListOptions,
  type ConversationPatch,
  type ConversationRepo,
  type ConversationRow,
  type NewConversation,
} from './conversationRepo.js';
export {
  type MessageContent,
  type MessageListOptions,
  type MessagePatch,
  type MessageRepo,
  type MessageRow,
  type NewMessage,
} from './messageRepo.js';
export { BLOB_CHUNK_BYTES, type AttachmentRepo, type AttachmentRow, type NewAttachment } from './attachmentRepo.js';
export { type UsageRecord, type UsageRepo } from './usageRepo.js';
export { NO_OVERRIDES, type UserLimitOverrides, type UserLimitsRepo } from './userLimitsRepo.js';
export { type RateCounterRepo } from './rateCounterRepo.js';
export { type ApiKeyRepo, type ApiKeyRow, type ApiKeyWithOwner, type NewApiKey } from './apiKeyRepo.js';
export { isIndexedWord, type SearchOptions, type SearchRepo } from './searchRepo.js';
export type { ModelUsage, StatsPeriod, TokenTotals, UsageBucket, UsageStats } from './usageStats.js';
export type { AttachmentToImport, ConversationToImport, ExportConversationHead, ImportedConversation, RowPosition, TransferStore } from './transferStore.js';
