import type { ColumnType, SqlBool } from 'kysely';
import type { MessageRole, MessageStatus } from '@nanoclaw/protocol';

/**
 * The database as Kysely sees it. Timestamps are ISO-8601 UTC strings with milliseconds
 * (`YYYY-MM-DDTHH:mm:ss.sssZ`), so they sort the same on every engine.
 *
 * Booleans read back as `0 | 1` on SQLite and MySQL and as `true | false` on PostgreSQL;
 * the repositories turn them into real booleans.
 */
export interface DB {
  users: UsersTable;
  projects: ProjectsTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  token_usage: TokenUsageTable;
  token_usage_hourly: TokenUsageHourlyTable;
  rate_counters: RateCountersTable;
  user_limits: UserLimitsTable;
  user_identities: UserIdentitiesTable;
  api_keys: ApiKeysTable;
  attachments: AttachmentsTable;
  attachment_blobs: AttachmentBlobsTable;
  search_entries: SearchEntriesTable;
  search_postings: SearchPostingsTable;
}

type StoredBoolean = ColumnType<SqlBool, boolean, boolean>;

export type UserRole = 'user' | 'admin';

export interface UsersTable {
  id: string;
  username: string;
  password_hash: string | null;
  email: string | null;
  role: UserRole;
  is_active: StoredBoolean;
  created_at: string;
  last_login_at: string | null;
}

/** A user's account at an OpenID Connect provider (single sign-on). */
export interface UserIdentitiesTable {
  id: string;
  user_id: string;
  issuer: string;
  subject: string;
  /** The verified email the provider last reported, if any. */
  email: string | null;
  created_at: string;
  last_login_at: string | null;
}

export interface ProjectsTable {
  id: string;
  user_id: string;
  name: string;
  /** Relative to the workspace root. */
  path: string;
  description: string | null;
  created_at: string;
  updated_at: string;
}

export interface ConversationsTable {
  id: string;
  user_id: string;
  project_id: string | null;
  title: string;
  model: string;
  system_prompt: string | null;
  temperature: number;
  max_tokens: number;
  thinking_enabled: StoredBoolean;
  created_at: string;
  updated_at: string;
  /** The leaf of the active path (root → leaf); NULL: the most recently created leaf. */
  active_leaf_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** When the user pinned it (pinned conversations come first in the sidebar); NULL: not pinned. */
  pinned_at: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface MessagesTable {
  id: string;
  conversation_id: string;
  parent_id: string | null;
  role: MessageRole;
  /** JSON text. */
  content: string;
  token_count: number;
  status: MessageStatus;
  created_at: string;
}

interface TokenCounts {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface TokenUsageTable extends TokenCounts {
  user_id: string;
  /** UTC day, `YYYY-MM-DD`. */
  date: string;
  model: string;
}

export interface TokenUsageHourlyTable extends TokenCounts {
  user_id: string;
  /** UTC hour, `YYYY-MM-DDTHH`. */
  hour: string;
  model: string;
}

/** A counter of a fixed window (quotas, sign-in attempts) when no Redis is configured. */
export interface RateCountersTable {
  key: string;
  count: number;
  /** Epoch ms after which the row is garbage. */
  expires_at: number;
}

/** An administrator's limits for one user: NULL = the configured default, 0 = unlimited. */
export interface UserLimitsTable {
  user_id: string;
  tokens_per_day: number | null;
  tokens_per_month: number | null;
  requests_per_minute: number | null;
  updated_at: string;
}

/** A key for the OpenAI-compatible API; the key itself is never stored, only its SHA-256. */
export interface ApiKeysTable {
  id: string;
  user_id: string;
  name: string;
  /** The key's first characters (`nck_` and 8 more), shown to tell keys apart. */
  prefix: string;
  /** Hex SHA-256 of the whole key. */
  key_hash: string;
  created_at: string;
  last_used_at: string | null;
}

export interface AttachmentsTable {
  id: string;
  user_id: string;
  /** Set when a message first references the file; deleting the conversation deletes the row. */
  conversation_id: string | null;
  name: string;
  mime: string;
  kind: 'image' | 'document';
  size: number;
  sha256: string;
  /** A document's text (extracted on upload); null for images. */
  text: string | null;
  created_at: string;
}

export interface AttachmentBlobsTable {
  sha256: string;
  seq: number;
  data: Buffer;
}

/**
 * The search index: one row per message with readable text and one per conversation title (its id is
 * the conversation's, `message_id` NULL), kept in the same transaction as the write it follows
 * (search/searchIndex.ts). Each engine indexes `folded` its own way: SQLite an FTS5 trigram table
 * (`search_fts`, external content, rowid `seq`), PostgreSQL a pg_trgm GIN index, MySQL/MariaDB a
 * FULLTEXT index over `tokens` (hex trigrams, see searchText.ts) and, for words, `search_postings`. Rows go with their message or
 * conversation (foreign keys, on delete cascade).
 */
export interface SearchEntriesTable {
  /**
   * SQLite: the rowid the FTS5 tables refer to. MySQL/MariaDB (0010_search_postings): an auto-increment
   * number, what `search_postings` refers to. Both: higher is indexed later. PostgreSQL: none.
   */
  seq?: ColumnType<number, never, never>;
  id: string;
  user_id: string;
  conversation_id: string;
  message_id: string | null;
  role: MessageRole | null;
  /** The text folded (lower case, no accents): what is matched. */
  folded: string;
  /** MySQL/MariaDB only: the trigram tokens its FULLTEXT index holds (since 0009, of CJK words only). */
  tokens?: string;
  /** SQLite only (0009_search_words): the words holding Chinese/Japanese/Korean characters (`cjkText`), what its trigram FTS5 table indexes. */
  cjk?: string;
  created_at: string;
}

/**
 * MySQL/MariaDB only (0010_search_postings): one row per distinct word (3–84 characters, `postingWords`)
 * of each search entry, keyed (user_id, word, seq) so a prefix lookup reads a range newest first; removed
 * with its entry (foreign key on `seq`, cascade).
 */
export interface SearchPostingsTable {
  user_id: string;
  word: string;
  seq: number;
}
