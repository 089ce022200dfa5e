import type { FastifyInstance } from 'fastify';

/**
 * `Content-Type: application/json` with an empty body means no body, on every route: the original
 * NanoClaw front end sends that header on every request, DELETEs and payload-less POSTs included.
 * Anything else goes to Fastify's own JSON parser (prototype-poisoning checks and all).
 */
export function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, text, done);
  });
}
