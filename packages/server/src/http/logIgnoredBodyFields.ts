import type { FastifyInstance } from 'fastify';
import { ignoredBodyFields } from '@nanoclaw/protocol';

/**
 * Request bodies built with `clientBody` ignore fields they do not know instead of refusing them
 * (clients of the original NanoClaw send whole objects and their own bookkeeping). This logs, at
 * debug level, which fields a request had ignored, so a typo stays findable.
 */
export function logIgnoredBodyFields(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const fields = ignoredBodyFields(request.routeOptions.schema?.body, request.body);
    if (fields.length > 0) {
      request.log.debug({ fields, method: request.method, route: request.routeOptions.url }, `ignored unknown request body field${fields.length > 1 ? 's' : ''} ${fields.join(', ')}`);
    }
  });
}
