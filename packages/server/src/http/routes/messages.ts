import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { branchBodySchema, isUntitled, listMessagesQuerySchema, regenerateBodySchema, sendMessageBodySchema, streamProtocolSchema, type UserContent } from '@nanoclaw/protocol';
import type { AppContext } from '../appContext.js';
import { countedStream } from '../telemetryHooks.js';
import { AppError, badRequest, notFound } from '../appError.js';
import { presentMessage } from '../presenters.js';
import { streamProtocolOf } from '../streamProtocol.js';
import { streamRunToResponse } from '../sseStream.js';
import { firstWordsTitle } from '../../agent/conversationTitle.js';
import { RunConflictError } from '../../agent/runRegistry.js';
import type { RunSession } from '../../agent/runSession.js';
import { idParamsSchema } from './conversations.js';
import { fileRefOf } from '../../attachments/attachmentService.js';

const messageParamsSchema = z.object({ id: z.string().min(1).max(64), mid: z.string().min(1).max(64) });
const streamQuerySchema = z.object({ protocol: streamProtocolSchema.optional() });
const TITLE_LENGTH = 30;

export function messageRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  const ownConversation = async (userId: string, id: string) => {
    const conversation = await ctx.repos.conversations.getForUser(userId, id);
    if (!conversation) throw notFound('Conversation');
    return conversation;
  };
  /** Claims the conversation for a new run, or answers 409 when one is already going. */
  const reserve = async (conversationId: string) => {
    try {
      return await ctx.runHub.reserve(conversationId);
    } catch (err) {
      if (err instanceof RunConflictError) throw new AppError(409, err.message);
      throw err;
    }
  };

  return async (app) => {
    app.get('/conversations/:id/messages', { schema: { params: idParamsSchema, querystring: listMessagesQuerySchema } }, async (request) => {
      const conversation = await ownConversation(request.user.id, request.params.id);
      const { limit = 50, cursor, direction, all } = request.query;
      const messages = ctx.repos.messages;
      const page = all
        ? await messages.listForConversation(conversation.id, { limit, cursor, direction })
        : await messages.listActivePath(conversation.id, { limit, cursor, direction });
      const siblings = await messages.siblingIdsOf(conversation.id, page.items);
      return { code: 0, data: { ...page, items: page.items.map((row) => presentMessage(row, siblings.get(row.id))) } };
    });

    app.post('/conversations/:id/branch', { schema: { params: idParamsSchema, body: branchBodySchema } }, async (request) => {
      const conversation = await ownConversation(request.user.id, request.params.id);
      const { tree } = await ctx.repos.messages.readTreeNodes(conversation.id);
      if (!tree.get(request.body.message_id)) throw new AppError(404, 'The message named by "message_id" is not in this conversation.');
      if (await ctx.runHub.isRunning(conversation.id)) throw new AppError(409, 'An answer is being generated. Wait for it or stop it before switching versions.');
      const leaf = tree.newestLeaf(request.body.message_id)!;
      await ctx.repos.conversations.setActiveLeaf(conversation.id, leaf);
      return { code: 0, data: { active_leaf_id: leaf } };
    });

    app.post(
      '/conversations/:id/messages',
      { schema: { params: idParamsSchema, body: sendMessageBodySchema, querystring: streamQuerySchema } },
      async (request, reply) => {
        const conversation = await ownConversation(request.user.id, request.params.id);
        const body = request.body;
        const attachmentIds = body.attachment_ids ?? [];
        if (!body.text.trim() && !body.attachments?.length && !attachmentIds.length) {
          throw badRequest('Write a message ("text") or attach a file ("attachments" or "attachment_ids") before sending.');
        }
        if (body.project_id && !(await ctx.repos.projects.getForUser(request.user.id, body.project_id))) throw notFound('Project');
        if (!ctx.catalog.resolve(conversation.model)) throw new AppError(503, 'No model is configured. Add one to config.yml.');
        const parentId = body.parent_id;
        if (parentId && !(await ctx.repos.messages.getInConversation(conversation.id, parentId))) {
          throw new AppError(404, 'The message named by "parent_id" is not in this conversation.');
        }
        // A used-up quota answers 429 before anything is stored (the chat client checks each request again).
        await ctx.quotas.check(request.user.id);

        const release = await reserve(conversation.id);
        let session: RunSession;
        try {
          const files = attachmentIds.length ? await ctx.attachments?.attachToMessage(request.user.id, conversation.id, attachmentIds) : [];
          if (!files) throw notFound('Attachment');
          // A new first message (parent_id null) has no history; otherwise the path ending at its parent.
          const history = parentId === null ? [] : await ctx.runs.recentHistory(conversation, parentId);
          const question = ctx.repos.messages.draft({
            conversationId: conversation.id,
            role: 'user',
            content: {
              text: body.text,
              ...(body.attachments?.length ? { attachments: body.attachments } : {}),
              ...(files.length ? { files: files.map(fileRefOf) } : {}),
            },
            status: 'complete',
            parentId: history.at(-1)?.id ?? null,
          });
          const newTitle = isUntitled(conversation.title) ? titleFrom(question.content as UserContent) : null;
          session = await ctx.runs.startRun({
            userId: request.user.id,
            conversation,
            parentId: question.id,
            question,
            newTitle,
            history: [...history, question],
            projectId: body.project_id ?? conversation.project_id ?? null,
            toolsEnabled: body.tools_enabled ?? true,
            toolChoice: body.tool_choice,
          });
        } catch (err) {
          release();
          throw err;
        }
        reply.hijack();
        await countedStream(ctx.telemetry, 'run', () => streamRunToResponse(reply.raw, session, 0, streamProtocolOf(request)));
      },
    );

    // Deletes the message with everything below it; the active path moves to the nearest surviving branch.
    app.delete('/conversations/:id/messages/:mid', { schema: { params: messageParamsSchema } }, async (request) => {
      const conversation = await ownConversation(request.user.id, request.params.id);
      const { tree, storedLeafId } = await ctx.repos.messages.readTreeNodes(conversation.id);
      const message = tree.get(request.params.mid);
      if (!message) throw notFound('Message');
      const ids = tree.subtree(message.id).map((node) => node.id);
      const running = (await ctx.runHub.isRunning(conversation.id)) ? await ctx.runHub.find(conversation.id) : undefined;
      if (running && ids.includes(running.messageId)) {
        throw new AppError(409, running.messageId === message.id
          ? 'This answer is still being generated. Stop it before deleting it.'
          : 'An answer below this message is still being generated. Stop it before deleting the message.');
      }
      const activeLeaf = tree.activeLeaf(storedLeafId);
      const movesPath = activeLeaf !== null && ids.includes(activeLeaf);
      await ctx.repos.answers.deleteSubtree({
        conversationId: conversation.id,
        ids,
        ...(movesPath && { activeLeafId: tree.leafAfterDeleting(message.id) }),
      });
      return { code: 0, data: { id: message.id, deleted: true } };
    });

    app.post(
      '/conversations/:id/regenerate/:mid',
      { schema: { params: messageParamsSchema, body: regenerateBodySchema, querystring: streamQuerySchema } },
      async (request, reply) => {
        const conversation = await ownConversation(request.user.id, request.params.id);
        const body = request.body;
        if (body.project_id && !(await ctx.repos.projects.getForUser(request.user.id, body.project_id))) throw notFound('Project');
        const target = await ctx.repos.messages.getInConversation(conversation.id, request.params.mid);
        if (!target) throw notFound('Message');
        if (target.role !== 'assistant') throw badRequest('Only an assistant answer can be regenerated.');
        if (!ctx.catalog.resolve(conversation.model)) throw new AppError(503, 'No model is configured. Add one to config.yml.');
        await ctx.quotas.check(request.user.id);

        const release = await reserve(conversation.id);
        let session: RunSession;
        try {
          // The old answer stays, as a sibling version of the new one.
          const history = target.parent_id === null ? [] : await ctx.runs.recentHistory(conversation, target.parent_id);
          const question = history.at(-1);
          if (!question || question.role !== 'user') throw badRequest('There is no question before this answer to answer again.');
          const newTitle = isUntitled(conversation.title) ? titleFrom(question.content as Partial<UserContent>) : null;
          session = await ctx.runs.startRun({
            userId: request.user.id,
            conversation,
            parentId: question.id,
            newTitle,
            history,
            projectId: body.project_id ?? conversation.project_id ?? null,
            toolsEnabled: body.tools_enabled ?? true,
          });
        } catch (err) {
          release();
          throw err;
        }
        reply.hijack();
        await countedStream(ctx.telemetry, 'run', () => streamRunToResponse(reply.raw, session, 0, streamProtocolOf(request)));
      },
    );
  };
}

/** An untitled conversation's first title: its question's first words, or its first attachment's name. */
function titleFrom(question: Partial<UserContent>): string {
  return firstWordsTitle(question.text || question.attachments?.[0]?.name || question.files?.[0]?.name || '', TITLE_LENGTH) || 'New conversation';
}
