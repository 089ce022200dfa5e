import type { z } from 'zod';
import type { ExportConversation, ExportProject, ImportFormat } from '@nanoclaw/protocol';
import { describeIssues } from './importErrors.js';
import { Placeholders } from './importText.js';

/** What a file to import holds, in NanoClaw's own terms, checked and ready to store. */
export interface ImportPlan {
  format: ImportFormat;
  /** Projects the document describes (NanoClaw exports); those the importer lacks are created. */
  projects: ExportProject[];
  /** Messages parents first; `parent_id` and `active_leaf_id` name messages of the same conversation. */
  conversations: ExportConversation[];
  /** What changed on the way in, one sentence each. */
  notes: string[];
}

/** New conversations' settings where the file has none. */
export interface ImportDefaults {
  model: string;
  temperature: number;
  maxTokens: number;
}

/** Titles are at most this long (as the API's). */
const MAX_TITLE_CHARS = 200;

/** A conversation from another product: its tree and times; the settings are the importer's defaults. */
export function foreignConversation(
  defaults: ImportDefaults,
  found: Pick<ExportConversation, 'title' | 'active_leaf_id' | 'created_at' | 'updated_at' | 'messages'> & { index: number },
): ExportConversation {
  const { index, title, ...rest } = found;
  return {
    id: String(index),
    title: [...(title.trim() || 'Imported conversation')].slice(0, MAX_TITLE_CHARS).join(''),
    model: defaults.model,
    system_prompt: null,
    temperature: defaults.temperature,
    max_tokens: defaults.maxTokens,
    thinking_enabled: false,
    project: null,
    ...rest,
  };
}

/** Reads another product's export (a list of conversations, or one) with its schema, then converts each. */
export function foreignImport<T>(
  format: Exclude<ImportFormat, 'nanoclaw'>,
  what: string,
  schema: z.ZodType<T>,
  value: unknown,
  convert: (item: T, index: number, placeholders: Placeholders) => ExportConversation,
): ImportPlan {
  const parsed = schema.array().safeParse(Array.isArray(value) ? value : [value]);
  if (!parsed.success) throw describeIssues(what, parsed.error);
  const placeholders = new Placeholders();
  const conversations = parsed.data.map((item, index) => convert(item, index, placeholders));
  return { format, projects: [], conversations, notes: placeholders.notes() };
}
