import { z } from 'zod';
import { attachmentSchema } from './messages.js';
import { clientBody } from './clientBody.js';
import { statsPeriodSchema } from './responses.js';

export const envelopeErrorSchema = z.object({ code: z.number().int(), message: z.string() });

export const paginationQuerySchema = z.object({
  limit: z.coerce.number().int().min(1, 'limit must be at least 1').max(100, 'limit must be at most 100').optional(),
  cursor: z.string().min(1).optional(),
});

export const listMessagesQuerySchema = paginationQuerySchema.extend({
  /** `backward` pages from the newest message back (items still oldest first). */
  direction: z.enum(['forward', 'backward']).optional(),
  /** `true`: every message of the conversation's tree, in creation order; otherwise the active path (root → active leaf). */
  all: z.stringbool().optional(),
});

export const listConversationsQuerySchema = paginationQuerySchema.extend({
  project_id: z.string().min(1).optional(),
  /** `true`: only pinned conversations; `false`: only the others; absent: all. */
  pinned: z.enum(['true', 'false']).optional(),
});

/** `GET /api/search?q=&limit=&cursor=`: best matches first; `cursor` is the previous page's `next_cursor`. */
export const searchQuerySchema = z.object({
  q: z.string().trim().min(1, 'q: type what to search for').max(200, 'q must be at most 200 characters'),
  limit: z.coerce.number().int().min(1, 'limit must be at least 1').max(50, 'limit must be at most 50').optional(),
  cursor: z.string().min(1).max(20).optional(),
});

const conversationSettingsShape = {
  title: z.string().max(200).optional(),
  model: z.string().min(1).max(200).optional(),
  system_prompt: z.string().max(100_000).nullable().optional(),
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().min(1).max(1_000_000).optional(),
  thinking_enabled: z.boolean().optional(),
  project_id: z.string().nullable().optional(),
};

export const createConversationBodySchema = clientBody(conversationSettingsShape);
export type CreateConversationBody = z.infer<typeof createConversationBodySchema>;

/**
 * A change of settings; may be the whole conversation as GET answered it. `id` and `user_id` are
 * read-only: when sent they must equal the stored ones.
 */
export const updateConversationBodySchema = clientBody({
  ...conversationSettingsShape,
  /** Pinned conversations come first in the sidebar. */
  pinned: z.boolean().optional(),
  id: z.string().optional(),
  user_id: z.string().optional(),
});
export type UpdateConversationBody = z.infer<typeof updateConversationBodySchema>;
/** What a client (our web UI) sends to create or change a conversation's settings. */
export type ConversationSettings = z.input<z.ZodObject<typeof conversationSettingsShape>>;

export const sendMessageBodySchema = clientBody({
  /** May be empty (or absent) when there are attachments. */
  text: z.string().max(1_000_000).default(''),
  attachments: z.array(attachmentSchema).max(50).optional(),
  /**
   * The message this one follows: absent, the active leaf; `null`, none (a new first message). Sending
   * under an earlier message (an edited question under the edited one's parent) starts a new branch.
   */
  parent_id: z.string().min(1).max(64).nullable().optional(),
  /** Files uploaded with `POST /api/attachments`, by id. */
  attachment_ids: z.array(z.string().min(1).max(64)).max(100).optional(),
  tools_enabled: z.boolean().optional(),
  project_id: z.string().nullable().optional(),
  tool_choice: z.union([z.enum(['auto', 'none', 'required']), z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) })]).optional(),
});
export type SendMessageBody = z.infer<typeof sendMessageBodySchema>;

/** `POST /conversations/:id/regenerate/:mid`: the run's settings, as for a new message (body optional). */
export const regenerateBodySchema = clientBody({
  tools_enabled: z.boolean().optional(),
  project_id: z.string().nullable().optional(),
});
export type RegenerateBody = z.infer<typeof regenerateBodySchema>;

/** `POST /conversations/:id/branch`: make the path through this message active, down to its most recently created leaf. */
export const branchBodySchema = clientBody({
  message_id: z.string().min(1).max(64),
});
export type BranchBody = z.infer<typeof branchBodySchema>;

export const statsQuerySchema = z.object({
  period: statsPeriodSchema.default('daily'),
});
