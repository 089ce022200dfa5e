import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Response header naming the agent run an event stream belongs to (also logged with the request). */
export const RUN_ID_HEADER = 'x-run-id';

/** Fields of the request line that its message already says (the pretty format leaves them out). */
export const REQUEST_LINE_FIELDS = ['method', 'path', 'status', 'durationMs'];

/**
 * One info line per request once its response is over (streams included): method, path (without the
 * query, which may carry tokens), status, duration, for event streams the run id, and the trace id when the
 * request is traced. Never headers or bodies.
 */
export function registerRequestLog(app: FastifyInstance, traceIdOf: (request: FastifyRequest) => string | undefined = () => undefined): void {
  app.addHook('onRequest', (request, reply, done) => {
    const started = performance.now();
    reply.raw.once('close', () => {
      const runId = reply.raw.getHeader(RUN_ID_HEADER);
      const traceId = traceIdOf(request);
      const entry = {
        method: request.method,
        path: request.url.split('?')[0] ?? '/',
        status: reply.raw.statusCode,
        durationMs: Math.round(performance.now() - started),
        ...(typeof runId === 'string' && { runId }),
        ...(traceId && { trace_id: traceId }),
        ...(!reply.raw.writableFinished && { aborted: true }),
      };
      request.log.info(entry, `${entry.method} ${entry.path} ${entry.status} ${entry.durationMs} ms${entry.aborted ? ' (client left)' : ''}`);
    });
    done();
  });
}
