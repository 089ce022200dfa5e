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
  search_entries: SearchEntriesTable;
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

/**
 * The search index: one row per message with readable text and one per conversation title (its id is
 * the conversation's, `message_id` NULL), kept in the same transaction as the write it follows
 * (search/searchIndex.ts). Each engine indexes `folded` its own way: SQLite an FTS5 trigram table
 * (`search_fts`, external content, rowid `seq`), PostgreSQL a pg_trgm GIN index, MySQL/MariaDB a
 * FULLTEXT index over `tokens` (hex trigrams, see searchText.ts). Rows go with their message or
 * conversation (foreign keys, on delete cascade).
 */
export interface SearchEntriesTable {
  /** SQLite only: the rowid the FTS5 table refers to. */
  seq?: ColumnType<number, never, never>;
  id: string;
  user_id: string;
  conversation_id: string;
  message_id: string | null;
  role: MessageRole | null;
  /** The text folded (lower case, no accents): what is matched. */
  folded: string;
  /** MySQL/MariaDB only: the trigram tokens its FULLTEXT index holds; '' elsewhere. */
  tokens?: string;
  created_at: string;
}
