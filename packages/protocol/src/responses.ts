import { z } from 'zod';
import { messageRoleSchema } from './messages.js';

/**
 * What the REST API answers (inside the `{code: 0, data}` envelope), one schema per resource: the
 * server's presenters and the web's API client are typed by these (z.infer), and the HTTP contract
 * test checks every answer against them. Messages: `apiMessageSchema` in messages.ts.
 */

const timestamp = z.string();

/** A cursor page: `?limit=&cursor=` → the items, where the next page starts, whether there is one. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), next_cursor: z.string().nullable(), has_more: z.boolean() });
}
export type Page<T> = Omit<z.infer<ReturnType<typeof pageSchema>>, 'items'> & { items: T[] };

/** `{id, deleted: true}`: what a DELETE answers. */
export const apiDeletedSchema = z.object({ id: z.string(), deleted: z.literal(true) });
export type ApiDeleted = z.infer<typeof apiDeletedSchema>;

// --- conversations ---------------------------------------------------------------------------

export const apiConversationSchema = z.object({
  id: z.string(),
  user_id: z.string(),
  project_id: z.string().nullable(),
  /** The project's name (null without one); in the detail and in lists. */
  project_name: z.string().nullable().optional(),
  title: z.string(),
  model: z.string(),
  system_prompt: z.string().nullable(),
  temperature: z.number(),
  max_tokens: z.number().int(),
  thinking_enabled: z.boolean(),
  created_at: timestamp,
  updated_at: timestamp,
  message_count: z.number().int().nonnegative().optional(),
  /** Pinned conversations come first in the sidebar; `pinned_at` is when (null: not pinned). */
  pinned: z.boolean(),
  pinned_at: timestamp.nullable(),
});
export type ApiConversation = z.infer<typeof apiConversationSchema>;

// --- search ------------------------------------------------------------------------------------

/**
 * One hit of `GET /api/search`: a message (`message_id`, its `role`) or a conversation's title (both
 * null). `snippet` is the text around the match, HTML-escaped, each match inside `<mark>…</mark>`.
 */
export const apiSearchHitSchema = z.object({
  conversation_id: z.string(),
  message_id: z.string().nullable(),
  conversation_title: z.string(),
  role: messageRoleSchema.nullable(),
  snippet: z.string(),
  created_at: timestamp,
});
export type ApiSearchHit = z.infer<typeof apiSearchHitSchema>;
export const apiSearchPageSchema = pageSchema(apiSearchHitSchema);

/** `GET /api/conversations/:id`: the conversation and whether an answer is being written now. */
export const apiConversationDetailSchema = apiConversationSchema.extend({ running: z.boolean().optional() });
export type ApiConversationDetail = z.infer<typeof apiConversationDetailSchema>;

/** `POST /api/conversations/:id/stop`. */
export const apiStopResultSchema = z.object({ stopped: z.boolean(), message_id: z.string().nullable() });
export type ApiStopResult = z.infer<typeof apiStopResultSchema>;

/** `POST /api/conversations/:id/branch`: the active path's new leaf. */
export const apiBranchResultSchema = z.object({ active_leaf_id: z.string() });
export type ApiBranchResult = z.infer<typeof apiBranchResultSchema>;

// --- models and tools --------------------------------------------------------------------------

export const apiModelSchema = z.object({
  id: z.string(),
  name: z.string(),
  provider: z.string(),
  context_window: z.number().int(),
  offline_demo: z.boolean().optional(),
  default: z.boolean().optional(),
  /** What it can do, for the model picker's badges and the thinking switch. */
  capabilities: z.object({ vision: z.boolean(), tools: z.boolean(), thinking: z.boolean() }),
});
export type ApiModel = z.infer<typeof apiModelSchema>;

export const mcpServerStateSchema = z.enum(['disabled', 'connecting', 'connected', 'disconnected', 'failed', 'closed']);

/** GET /api/tools/status → `{ mcp_servers: ApiMcpServerStatus[] }`. */
export const apiMcpServerStatusSchema = z.object({
  name: z.string(),
  transport: z.enum(['stdio', 'http']),
  status: mcpServerStateSchema,
  /** Why the last attempt failed or the connection was lost; null while all is well. */
  error: z.string().nullable(),
  /** Its tools' names in the registry. */
  tools: z.array(z.string()),
  connected_at: timestamp.nullable(),
});
export type ApiMcpServerStatus = z.infer<typeof apiMcpServerStatusSchema>;

export const apiToolSchema = z.object({
  name: z.string(),
  description: z.string(),
  category: z.string(),
  /** The JSON Schema of the tool's arguments, as offered to the model. */
  parameters: z.record(z.string(), z.unknown()),
  /** MCP tools only: the configured server, the tool's name there, and the server's state. */
  server: z.string().optional(),
  server_tool: z.string().optional(),
  status: mcpServerStateSchema.optional(),
});
export type ApiTool = z.infer<typeof apiToolSchema>;

// --- accounts ----------------------------------------------------------------------------------

/** `GET /api/auth/mode`: how people sign in to this server. */
export const apiAuthModeSchema = z.object({
  mode: z.enum(['single', 'multi']),
  /** Username + password sign-in and registration are offered (multi-user mode). */
  local_login: z.boolean(),
  /** Single sign-on, when configured: the provider's name and where the browser starts. */
  oidc: z.object({ name: z.string(), login_url: z.string() }).nullable(),
});
export type ApiAuthMode = z.infer<typeof apiAuthModeSchema>;

export const apiUserSchema = z.object({
  id: z.string(),
  username: z.string(),
  email: z.string().nullable(),
  role: z.enum(['user', 'admin']),
  is_active: z.boolean(),
  created_at: timestamp,
  last_login_at: timestamp.nullable(),
});
export type ApiUser = z.infer<typeof apiUserSchema>;

export const apiLoginResultSchema = z.object({
  token: z.string(),
  token_type: z.literal('Bearer'),
  /** Seconds until the token expires. */
  expires_in: z.number().int(),
  user: apiUserSchema,
});
export type ApiLoginResult = z.infer<typeof apiLoginResultSchema>;

// --- projects and files ------------------------------------------------------------------------

export const apiProjectSchema = z.object({
  id: z.string(),
  user_id: z.string(),
  name: z.string(),
  /** Relative to the workspace root. */
  path: z.string(),
  description: z.string().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});
export type ApiProject = z.infer<typeof apiProjectSchema>;

export const fileEntryTypeSchema = z.enum(['file', 'directory', 'symlink', 'other']);
export type FileEntryType = z.infer<typeof fileEntryTypeSchema>;

export const apiFileEntrySchema = z.object({
  name: z.string(),
  /** Relative to the project directory, `/`-separated. */
  path: z.string(),
  type: fileEntryTypeSchema,
  /** Bytes (0 for directories). */
  size: z.number().int().nonnegative(),
  modified_at: timestamp,
});
export type ApiFileEntry = z.infer<typeof apiFileEntrySchema>;

/** PUT a file or POST a directory: the entry, and whether it was new. */
export const apiFileWrittenSchema = apiFileEntrySchema.extend({ created: z.boolean() });
export type ApiFileWritten = z.infer<typeof apiFileWrittenSchema>;

/** PATCH a file: where it went. */
export const apiFileMovedSchema = z.object({ from: z.string(), to: z.string(), type: fileEntryTypeSchema });
export type ApiFileMoved = z.infer<typeof apiFileMovedSchema>;

/** DELETE a file or directory. */
export const apiFileDeletedSchema = z.object({ path: z.string(), type: fileEntryTypeSchema, deleted: z.literal(true) });
export type ApiFileDeleted = z.infer<typeof apiFileDeletedSchema>;

export const apiDirectoryListingSchema = z.object({
  path: z.string(),
  /** Directories first, then files, each by name. */
  items: z.array(apiFileEntrySchema),
});
export type ApiDirectoryListing = z.infer<typeof apiDirectoryListingSchema>;

export const apiFileContentSchema = z.object({
  path: z.string(),
  name: z.string(),
  content: z.string(),
  size: z.number().int().nonnegative(),
  modified_at: timestamp,
});
export type ApiFileContent = z.infer<typeof apiFileContentSchema>;

export const apiSearchMatchSchema = z.object({
  path: z.string(),
  /** 1-based. */
  line: z.number().int().positive(),
  text: z.string(),
});
export type ApiSearchMatch = z.infer<typeof apiSearchMatchSchema>;

export const apiSearchResultSchema = z.object({
  query: z.string(),
  matches: z.array(apiSearchMatchSchema),
  /** True when max_results cut the search short. */
  truncated: z.boolean(),
  files_searched: z.number().int().nonnegative(),
});
export type ApiSearchResult = z.infer<typeof apiSearchResultSchema>;

/**
 * `POST /api/projects/upload`: the new project's own fields at the top, as the original answered (`stats`
 * counts what the upload created), and the same project under `project` with the files and bytes written.
 */
export const apiUploadResultSchema = apiProjectSchema.extend({
  stats: z.object({ files: z.number().int().nonnegative(), directories: z.number().int().nonnegative(), size: z.number().int().nonnegative() }),
  project: apiProjectSchema,
  files: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
});
export type ApiUploadResult = z.infer<typeof apiUploadResultSchema>;

/** `POST /api/projects/:id/upload`. */
export const apiFilesUploadResultSchema = z.object({
  /** The folder the files went into, relative to the project directory. */
  path: z.string(),
  /** Files written, with their paths relative to the project directory. */
  files: z.array(z.string()),
  /** Folders the upload named on its own (empty ones), relative to the project directory. */
  folders: z.array(z.string()),
  bytes: z.number().int().nonnegative(),
  /** How many of them replaced a file that was there before. */
  replaced: z.number().int().nonnegative(),
});
export type ApiFilesUploadResult = z.infer<typeof apiFilesUploadResultSchema>;

/** The size limits of file uploads and writes (`GET /api/files/limits`), so a client can refuse early. */
export const apiFileLimitsSchema = z.object({
  max_upload_bytes: z.number().int().positive(),
  max_upload_files: z.number().int().positive(),
  max_file_write_bytes: z.number().int().positive(),
  max_file_read_bytes: z.number().int().positive(),
  /** Paths longer or deeper than these are refused (400). */
  max_path_chars: z.number().int().positive(),
  max_path_depth: z.number().int().positive(),
});
export type ApiFileLimits = z.infer<typeof apiFileLimitsSchema>;

// --- token statistics --------------------------------------------------------------------------

export const statsPeriodSchema = z.enum(['daily', 'weekly', 'monthly']);
export type StatsPeriod = z.infer<typeof statsPeriodSchema>;

export const tokenTotalsSchema = z.object({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  total_tokens: z.number().int().nonnegative(),
});
export type TokenTotals = z.infer<typeof tokenTotalsSchema>;

/** `GET /api/stats/tokens?period=`: totals, per model, and a series of buckets (hours of the day, or days). */
export const apiTokenStatsSchema = z.object({
  period: statsPeriodSchema,
  total: tokenTotalsSchema,
  by_model: z.array(tokenTotalsSchema.extend({ model: z.string() })),
  /** `HH:00` for the daily period, `YYYY-MM-DD` otherwise. */
  series: z.array(tokenTotalsSchema.extend({ bucket: z.string() })),
});
export type ApiTokenStats = z.infer<typeof apiTokenStatsSchema>;
export type ModelUsage = ApiTokenStats['by_model'][number];
export type UsageBucket = ApiTokenStats['series'][number];

// --- operations (at the root, not in the envelope: what load balancers and orchestrators read) ----------

/**
 * GET /healthz: the process is up. With `workers` > 1, also which server process answered: its number
 * (1…workers, kept by the process that replaces it) and its pid.
 */
export const healthStatusSchema = z.object({
  status: z.literal('ok'),
  worker: z.object({ id: z.number().int().positive(), pid: z.number().int().positive() }).optional(),
});
/** GET /readyz: 200 `{status: 'ok'}`, or 503 naming what does not answer (the database, Redis). */
export const readinessStatusSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok') }),
  z.object({ status: z.literal('unavailable'), reason: z.string() }),
]);
export type ReadinessStatus = z.infer<typeof readinessStatusSchema>;
