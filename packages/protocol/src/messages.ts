import { z } from 'zod';
import { legacyToolCallSchema, stepSchema } from './steps.js';

export const messageRoleSchema = z.enum(['user', 'assistant', 'system', 'tool']);
export type MessageRole = z.infer<typeof messageRoleSchema>;

/** Why an assistant message ended. `streaming` is the state while a run is still writing it. */
export const messageStatusSchema = z.enum(['streaming', 'complete', 'stopped', 'error', 'interrupted', 'max_iterations']);
export type MessageStatus = z.infer<typeof messageStatusSchema>;

export const attachmentSchema = z.object({
  name: z.string().min(1).max(255),
  extension: z.string().max(32).optional(),
  content: z.string().max(1_000_000),
});
export type Attachment = z.infer<typeof attachmentSchema>;

/** A stored file (upload) as a message references it and the API lists it. */
export const fileRefSchema = z.object({
  id: z.string(),
  name: z.string(),
  mime: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  kind: z.enum(['image', 'document']),
});
export type FileRef = z.infer<typeof fileRefSchema>;

export const userContentSchema = z.object({
  text: z.string(),
  attachments: z.array(attachmentSchema).optional(),
  /** Uploaded files (`attachment_ids` when sent): images go to the model as image parts, documents as their text. */
  files: z.array(fileRefSchema).optional(),
});
export type UserContent = z.infer<typeof userContentSchema>;

export const assistantContentSchema = z.object({
  text: z.string(),
  tool_calls: z.array(legacyToolCallSchema),
  steps: z.array(stepSchema),
  error: z.string().optional(),
  /** Said to the person about the run (an attached image the model cannot see, a document cut short). */
  notices: z.array(z.string()).optional(),
});
export type AssistantContent = z.infer<typeof assistantContentSchema>;

/** A message as the REST API answers it (flattened as the original did). */
export const apiMessageSchema = z.object({
  id: z.string(),
  conversation_id: z.string(),
  role: messageRoleSchema,
  text: z.string(),
  attachments: z.array(attachmentSchema).optional(),
  files: z.array(fileRefSchema).optional(),
  tool_calls: z.array(legacyToolCallSchema).optional(),
  process_steps: z.array(stepSchema).optional(),
  error: z.string().optional(),
  notices: z.array(z.string()).optional(),
  status: messageStatusSchema,
  token_count: z.number().int(),
  parent_id: z.string().nullable(),
  /** The ids of this message and its siblings (the other versions under the same parent), in creation order. */
  sibling_ids: z.array(z.string()),
  created_at: z.string(),
});
export type ApiMessage = z.infer<typeof apiMessageSchema>;
