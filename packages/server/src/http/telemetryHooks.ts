import type { FastifyInstance, FastifyRequest } from 'fastify';
import { noTelemetry, type HttpRequestScope, type Telemetry } from '../telemetry/telemetry.js';

/**
 * Every request as telemetry sees it: a server span from its arrival to the end of its response (streams
 * included), counted by method, route pattern and status. Its handler runs inside the span (entered at
 * preHandler, once the body is read: the body's own events run outside any request), so a run it starts
 * is the span's child. Answers the trace id of a request, for its log line. Nothing at all when
 * telemetry is off.
 */
export function registerTelemetryHooks(app: FastifyInstance, telemetry: Telemetry): (request: FastifyRequest) => string | undefined {
  if (telemetry === noTelemetry) return () => undefined;
  const scopes = new WeakMap<FastifyRequest, HttpRequestScope>();
  app.addHook('onRequest', (request, reply, done) => {
    const scope = telemetry.httpRequest(request.method);
    scopes.set(request, scope);
    reply.raw.once('close', () => scope.finish(request.routeOptions.url ?? null, reply.raw.statusCode));
    done();
  });
  app.addHook('preHandler', (request, _reply, done) => {
    const scope = scopes.get(request);
    if (scope) scope.run(done);
    else done();
  });
  return (request) => scopes.get(request)?.traceId;
}

/** Counts an event stream as open while `stream` runs. */
export async function countedStream(telemetry: Telemetry, kind: 'run' | 'files', stream: () => Promise<void>): Promise<void> {
  const closed = telemetry.streamOpened(kind);
  try {
    await stream();
  } finally {
    closed();
  }
}
