import type { ExportConversation, ExportProject, ImportFormat } from '@nanoclaw/protocol';

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
