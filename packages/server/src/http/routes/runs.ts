import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { resumeAfter, streamProtocolSchema } from '@nanoclaw/protocol';
import { z } from 'zod';
import type { AppContext } from '../appContext.js';
import { countedStream } from '../telemetryHooks.js';
import { AppError, notFound } from '../appError.js';
import { streamProtocolOf } from '../streamProtocol.js';
import { streamRunToResponse } from '../sseStream.js';
import { idParamsSchema } from './conversations.js';

const reattachQuerySchema = z.object({
  protocol: streamProtocolSchema.optional(),
  /** For clients that cannot set headers (EventSource after a reload): same as Last-Event-ID. */
  last_event_id: z.string().max(200).optional(),
});

/** Stop and re-attach: the controls of a run that is already going. */
export function runRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/conversations/:id/stop', { schema: { params: idParamsSchema } }, async (request) => {
      const conversation = await ctx.repos.conversations.getForUser(request.user.id, request.params.id);
      if (!conversation) throw notFound('Conversation');
      const { stopped, messageId } = await ctx.runHub.stop(conversation.id);
      return { code: 0, data: { stopped, message_id: messageId } };
    });

    app.get('/conversations/:id/stream', { schema: { params: idParamsSchema, querystring: reattachQuerySchema } }, async (request, reply) => {
      const conversation = await ctx.repos.conversations.getForUser(request.user.id, request.params.id);
      if (!conversation) throw notFound('Conversation');
      const session = await ctx.runHub.find(conversation.id);
      if (!session || session.userId !== request.user.id) {
        throw new AppError(404, 'No answer is being generated in this conversation right now.');
      }
      const lastEventId = request.headers['last-event-id'];
      const after = resumeAfter(typeof lastEventId === 'string' ? lastEventId : request.query.last_event_id, session.id);
      reply.hijack();
      await countedStream(ctx.telemetry, 'run', () => streamRunToResponse(reply.raw, session, after, streamProtocolOf(request)));
    });
  };
}
