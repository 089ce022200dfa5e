import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { exportQuerySchema, type ExportConversation, type ExportMessage } from '@nanoclaw/protocol';
import type { AppContext } from '../appContext.js';
import { AppError, badRequest, notFound } from '../appError.js';
import { idParamsSchema } from './conversations.js';
import { formatBytes } from '../../workspace/workspaceErrors.js';
import { EXPORT_PAGE_SIZE, exportDocumentChunks, type ExportSource } from '../../transfer/exportDocumentChunks.js';
import { markdownTranscript } from '../../transfer/markdownTranscript.js';
import { parseImportFile, parseImportJson } from '../../transfer/parseImportFile.js';
import { importConversations } from '../../transfer/importConversations.js';

/** A file name a download may carry: the title's letters and digits, dashes for the rest. */
function downloadName(title: string, extension: string): string {
  const base = title.normalize('NFKD').replace(/[^\w-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  return `${base || 'conversation'}.${extension}`;
}

function sendDownload(reply: FastifyReply, type: string, name: string, body: string | Readable): FastifyReply {
  return reply.type(type).header('content-disposition', `attachment; filename="${name}"`).header('cache-control', 'no-store').send(body);
}

/** Export (one conversation as JSON or Markdown, everything as JSON, streamed) and import (issue 14). */
export function transferRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  const store = ctx.repos.transfer;
  const maxBytes = ctx.config.import.max_bytes;
  const tooLarge = () => new AppError(413, `The file is larger than the ${formatBytes(maxBytes)} an import accepts (import.max_bytes).`);

  const sourceFor = (userId: string, onlyId?: string, projectName?: string | null): ExportSource => ({
    projects: async () => {
      const all = await store.projects(userId);
      return onlyId === undefined ? all : all.filter((project) => project.name === projectName);
    },
    conversationPage: (after, limit) => store.conversationPage(userId, after, limit, onlyId),
    messagePage: (conversationId, after, limit) => store.messagePage(conversationId, after, limit),
    attachmentPage: (conversationId, after, limit) => store.attachmentPage(conversationId, after, limit),
    attachmentBytes: async (attachment) => ctx.attachments?.read(attachment),
  });
  const attachments = ctx.attachments && { ...ctx.attachments, maxFileBytes: ctx.config.attachments.max_file_bytes };

  return async (app) => {
    await app.register(multipart, { limits: { fileSize: maxBytes, files: 1, fields: 10, parts: 11 } });

    app.get('/conversations/:id/export', { schema: { params: idParamsSchema, querystring: exportQuerySchema } }, async (request, reply) => {
      const conversation = await ctx.repos.conversations.getForUser(request.user.id, request.params.id);
      if (!conversation) throw notFound('Conversation');
      const source = sourceFor(request.user.id, conversation.id, conversation.project_name);
      if (request.query.format === 'json') {
        const chunks = exportDocumentChunks(source, { exportedAt: ctx.now().toISOString() });
        return sendDownload(reply, 'application/json; charset=utf-8', downloadName(conversation.title, 'json'), Readable.from(chunks));
      }
      // One conversation's active path: read whole (page by page), then written as one transcript.
      const [head] = await source.conversationPage(null, 1);
      if (!head) throw notFound('Conversation');
      const messages: ExportMessage[] = [];
      for (let page = await source.messagePage(head.id, null, EXPORT_PAGE_SIZE); page.length > 0; ) {
        messages.push(...page);
        if (page.length < EXPORT_PAGE_SIZE) break;
        page = await source.messagePage(head.id, page.at(-1)!, EXPORT_PAGE_SIZE);
      }
      const document: ExportConversation = { ...head, messages };
      return sendDownload(reply, 'text/markdown; charset=utf-8', downloadName(conversation.title, 'md'), markdownTranscript(document));
    });

    app.get('/export', async (request, reply) => {
      const chunks = exportDocumentChunks(sourceFor(request.user.id), { exportedAt: ctx.now().toISOString() });
      return sendDownload(reply, 'application/json; charset=utf-8', `nanoclaw-export-${ctx.now().toISOString().slice(0, 10)}.json`, Readable.from(chunks));
    });

    app.post(
      '/import',
      {
        bodyLimit: maxBytes,
        // Refused on its announced size, before a byte of the body is read.
        onRequest: async (request) => {
          const length = Number(request.headers['content-length']);
          // A multipart body carries its boundaries and part headers besides the file.
          if (Number.isFinite(length) && length > maxBytes + 64 * 1024) throw tooLarge();
        },
      },
      async (request) => {
        let value: unknown;
        if (request.isMultipart()) {
          const file = await request.file().catch((err: unknown) => {
            throw (err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE' ? tooLarge() : err;
          });
          if (!file) throw badRequest('Send the file to import as the multipart part "file".');
          let buffer: Buffer;
          try {
            buffer = await file.toBuffer();
          } catch (err) {
            if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
            throw err;
          }
          value = parseImportJson(buffer.toString('utf8'));
        } else {
          if (request.body === undefined) throw badRequest('Send the file to import as a multipart upload or as a JSON body.');
          value = request.body;
        }
        const defaultModel = ctx.catalog.defaultModel?.id;
        if (!defaultModel) throw new AppError(503, 'No model is configured. Add one to config.yml before importing.');
        const plan = parseImportFile(value, { model: defaultModel, temperature: 0.7, maxTokens: 4096 });
        const result = await importConversations(
          { projects: ctx.repos.projects, workspaces: ctx.workspaces, transfer: store, attachments },
          request.user.id,
          plan,
        );
        return { code: 0, data: result };
      },
    );
  };
}
