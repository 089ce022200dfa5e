import { z } from 'zod';
import { assistantContentSchema, fileRefSchema, messageRoleSchema, messageStatusSchema, userContentSchema } from './messages.js';
import { projectNameSchema } from './workspace.js';

/**
 * NanoClaw's export document: what `GET /api/conversations/:id/export?format=json` and `GET /api/export`
 * write and what `POST /api/import` reads back, one schema for both. Ids in it are the stored ids of the
 * exporting server; an import issues new ones (keeping the tree: `parent_id` and `active_leaf_id` name
 * messages of the same conversation), and new timestamps, so export → import → export gives the same
 * document apart from ids and timestamps.
 */
export const EXPORT_FORMAT = 'nanoclaw-export';
export const EXPORT_VERSION = 1;

const id = z.string().min(1).max(200);

/** One message of the tree: its parent (null for a root), role, content (steps, tool calls), tokens and status. */
export const exportMessageSchema = z.object({
  id,
  parent_id: id.nullable(),
  role: messageRoleSchema,
  /** Answers `{text, tool_calls, steps, error?}`; questions and system messages `{text, attachments?}`. */
  content: z.union([assistantContentSchema, userContentSchema]),
  token_count: z.number().int().nonnegative(),
  status: messageStatusSchema,
  created_at: z.string(),
});
export type ExportMessage = z.infer<typeof exportMessageSchema>;

/** A project as exported: its metadata only (name, description), never its files. */
export const exportProjectSchema = z.object({
  name: projectNameSchema,
  description: z.string().max(10_000).nullable(),
  created_at: z.string(),
});
export type ExportProject = z.infer<typeof exportProjectSchema>;

/**
 * An uploaded file of the conversation (what its messages' `files[].id` name), with its bytes as base64.
 * An import checks the bytes as an upload is checked (sha256, size, type) and stores them anew.
 */
export const exportAttachmentSchema = fileRefSchema.extend({
  id,
  /** The text read from a document (null for an image), as the model is given it. */
  text: z.string().nullable(),
  created_at: z.string(),
  /** The file's bytes, base64. Absent: the file is not carried (the messages' references to it are left out on import, with a note). */
  data: z.string().optional(),
});
export type ExportAttachment = z.infer<typeof exportAttachmentSchema>;

export const exportConversationSchema = z.object({
  id,
  title: z.string().max(200),
  model: z.string().min(1).max(200),
  system_prompt: z.string().nullable(),
  temperature: z.number().min(0).max(2),
  max_tokens: z.number().int().positive(),
  thinking_enabled: z.boolean(),
  /** The project's name (one of the document's projects, or one the importer has), or null. */
  project: projectNameSchema.nullable(),
  /** The leaf of the active path; null: the most recently created leaf. */
  active_leaf_id: id.nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  /** Every message of every branch, parents before children, oldest first. */
  messages: z.array(exportMessageSchema),
  /** The conversation's uploaded files, oldest first; absent in exports written before files were carried. */
  attachments: z.array(exportAttachmentSchema).optional(),
});
export type ExportConversation = z.infer<typeof exportConversationSchema>;

export const exportDocumentSchema = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  exported_at: z.string(),
  projects: z.array(exportProjectSchema),
  conversations: z.array(exportConversationSchema),
});
export type ExportDocument = z.infer<typeof exportDocumentSchema>;

export const importFormatSchema = z.enum(['nanoclaw', 'chatgpt', 'open-webui']);
export type ImportFormat = z.infer<typeof importFormatSchema>;

/** `POST /api/import`: what the file held and what was created from it. */
export const apiImportResultSchema = z.object({
  format: importFormatSchema,
  conversations: z.array(z.object({ id: z.string(), title: z.string(), message_count: z.number().int().nonnegative() })),
  projects: z.array(z.object({ id: z.string(), name: z.string() })),
  /** What the import changed on the way in (content kept as a text placeholder, parts skipped because empty…), one sentence each. */
  notes: z.array(z.string()),
});
export type ApiImportResult = z.infer<typeof apiImportResultSchema>;

export const exportQuerySchema = z.object({ format: z.enum(['json', 'markdown']).default('json') });
