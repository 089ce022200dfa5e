import type { FastifyInstance } from 'fastify';
import { AppError } from './appError.js';

const JSON_MEDIA_TYPE = /^application\/([\w.+-]+\+)?json$/;

/**
 * Routes that take a JSON body answer 415 to a body of any other type, whatever parsers their scope
 * has (the upload routes' scopes also parse multipart), instead of a validation error about its shape.
 * Text bodies are not parsed at all (Fastify's text/plain parser is removed), so they get 415 everywhere.
 */
export function requireJsonBody(app: FastifyInstance): void {
  app.removeContentTypeParser('text/plain');
  app.addHook('preValidation', async (request) => {
    if (!request.routeOptions.schema?.body) return;
    const type = request.headers['content-type'];
    if (type === undefined) return;
    const mediaType = type.split(';')[0]!.trim().toLowerCase();
    if (!JSON_MEDIA_TYPE.test(mediaType)) throw new AppError(415, `Send the request body as application/json, not ${mediaType}.`);
  });
}
