import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ReadinessStatus } from '@nanoclaw/protocol';
import type { AppContext } from '../appContext.js';
import { AppError } from '../appError.js';

/**
 * Operational endpoints at the root, for load balancers, orchestrators and Prometheus; no login:
 * - GET /healthz: the process is up (answers without touching anything else), and which worker answered;
 * - GET /readyz: the database (and Redis, when configured) answer; 503 naming which does not;
 * - GET /metrics: Prometheus text, only when `metrics.enabled` (else no such route), behind
 *   `Authorization: Bearer <metrics.token>` when a token is set.
 */
export function healthRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/healthz', async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      return ctx.worker ? { status: 'ok' as const, worker: ctx.worker } : { status: 'ok' as const };
    });

    app.get('/readyz', async (_request, reply): Promise<ReadinessStatus> => {
      reply.header('cache-control', 'no-store');
      const readiness = await ctx.readiness();
      if (readiness.ready) return { status: 'ok' };
      ctx.logger.warn({ reason: readiness.reason }, 'not ready');
      reply.code(503);
      return { status: 'unavailable', reason: readiness.reason };
    });

    const metrics = ctx.telemetry.metrics;
    if (!metrics) return;
    const token = ctx.config.metrics.token;
    app.get('/metrics', async (request, reply) => {
      if (token !== null && !bearerMatches(request.headers.authorization, token)) {
        reply.header('www-authenticate', 'Bearer realm="metrics"');
        throw new AppError(401, 'The metrics need the token set in metrics.token, sent as Authorization: Bearer <token>.');
      }
      reply.header('content-type', metrics.contentType).header('cache-control', 'no-store');
      return metrics.text();
    });
  };
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const sent = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim();
  if (sent === undefined) return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
