import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createConversationBodySchema, listConversationsQuerySchema, updateConversationBodySchema, type UpdateConversationBody } from '@nanoclaw/protocol';
import type { AppContext } from '../appContext.js';
import type { ConversationPatch } from '../../db/index.js';
import { AppError, badRequest, notFound } from '../appError.js';
import { presentConversation } from '../presenters.js';
import { assertReadOnlyFields } from '../assertReadOnlyFields.js';

export const idParamsSchema = z.object({ id: z.string().min(1).max(64) });

const DEFAULT_TEMPERATURE = 0.7;
const DEFAULT_MAX_TOKENS = 4096;

export function conversationRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  const checkModel = (model: string | undefined) => {
    if (model !== undefined && !ctx.catalog.has(model)) {
      throw badRequest(`Unknown model "${model}". Available models: ${ctx.catalog.models.map((m) => m.id).join(', ') || 'none'}.`);
    }
  };
  const checkProject = async (userId: string, projectId: string | null | undefined) => {
    if (projectId && !(await ctx.repos.projects.getForUser(userId, projectId))) throw notFound('Project');
  };

  return async (app) => {
    app.get('/conversations', { schema: { querystring: listConversationsQuerySchema } }, async (request) => {
      const { limit = 20, cursor, project_id, pinned } = request.query;
      const page = await ctx.repos.conversations.listForUser(request.user.id, {
        limit,
        cursor,
        projectId: project_id,
        ...(pinned !== undefined && { pinned: pinned === 'true' }),
      });
      const counts = await ctx.repos.conversations.countMessagesOf(page.items.map((c) => c.id));
      return { code: 0, data: { ...page, items: page.items.map((c) => presentConversation(c, counts.get(c.id))) } };
    });

    app.post('/conversations', { schema: { body: createConversationBodySchema } }, async (request) => {
      const body = request.body;
      checkModel(body.model);
      await checkProject(request.user.id, body.project_id);
      const model = body.model ?? ctx.catalog.defaultModel?.id;
      if (!model) throw new AppError(503, 'No model is configured. Add one to config.yml.');
      const row = await ctx.repos.conversations.create(request.user.id, {
        ...toConversationFields(body),
        title: body.title ?? '',
        model,
        temperature: body.temperature ?? DEFAULT_TEMPERATURE,
        maxTokens: body.max_tokens ?? DEFAULT_MAX_TOKENS,
      });
      // The created row is whole (its project's name included): no need to read it back.
      return { code: 0, data: presentConversation(row, 0) };
    });

    app.get('/conversations/:id', { schema: { params: idParamsSchema } }, async (request) => {
      const row = await ctx.repos.conversations.getForUser(request.user.id, request.params.id);
      if (!row) throw notFound('Conversation');
      const [messageCount, running] = await Promise.all([ctx.repos.conversations.countMessages(row.id), ctx.runHub.isRunning(row.id)]);
      return { code: 0, data: { ...presentConversation(row, messageCount), running } };
    });

    app.patch('/conversations/:id', { schema: { params: idParamsSchema, body: updateConversationBodySchema } }, async (request) => {
      const existing = await ctx.repos.conversations.getForUser(request.user.id, request.params.id);
      if (!existing) throw notFound('Conversation');
      assertReadOnlyFields(request.body, existing, ['id', 'user_id'], 'conversation');
      // A model no longer configured may stay where it is (a whole-object PATCH repeats it).
      if (request.body.model !== existing.model) checkModel(request.body.model);
      await checkProject(request.user.id, request.body.project_id);
      const updated = await ctx.repos.conversations.update(request.user.id, existing.id, toConversationFields(request.body));
      if (!updated) throw notFound('Conversation');
      const [detail, messageCount] = await Promise.all([
        ctx.repos.conversations.getForUser(request.user.id, existing.id),
        ctx.repos.conversations.countMessages(existing.id),
      ]);
      return { code: 0, data: presentConversation(detail ?? updated, messageCount) };
    });

    app.delete('/conversations/:id', { schema: { params: idParamsSchema } }, async (request) => {
      const existing = await ctx.repos.conversations.getForUser(request.user.id, request.params.id);
      if (!existing) throw notFound('Conversation');
      if (await ctx.runHub.isRunning(existing.id)) {
        throw new AppError(409, 'A reply is still being generated in this conversation. Stop it before deleting the conversation.');
      }
      const remove = () => ctx.repos.conversations.delete(request.user.id, existing.id);
      await (ctx.attachments ? ctx.attachments.deleteWithConversation(existing.id, remove) : remove());
      return { code: 0, data: { id: existing.id, deleted: true } };
    });
  };
}

/** API field names (snake_case, as the original) to repository fields; absent keys stay absent. */
function toConversationFields(body: UpdateConversationBody): ConversationPatch {
  const patch: ConversationPatch = {};
  if (body.title !== undefined) patch.title = body.title;
  if (body.model !== undefined) patch.model = body.model;
  if (body.system_prompt !== undefined) patch.systemPrompt = body.system_prompt;
  if (body.temperature !== undefined) patch.temperature = body.temperature;
  if (body.max_tokens !== undefined) patch.maxTokens = body.max_tokens;
  if (body.thinking_enabled !== undefined) patch.thinkingEnabled = body.thinking_enabled;
  if (body.project_id !== undefined) patch.projectId = body.project_id;
  if ('pinned' in body && body.pinned !== undefined) patch.pinned = body.pinned;
  return patch;
}
