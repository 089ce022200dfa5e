import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listFilesQuerySchema, makeDirectoryBodySchema, moveFileBodySchema, searchFilesBodySchema, writeFileBodySchema } from '@nanoclaw/protocol';
import type { AppContext } from '../appContext.js';
import { notFound } from '../appError.js';
import type { ProjectFiles } from '../../workspace/projectFiles.js';

const fileParamsSchema = z.object({ id: z.string().min(1).max(64), '*': z.string().max(8192) });
const projectParamsSchema = z.object({ id: z.string().min(1).max(64) });
const JSON_BODY_LIMIT = 16 * 1024 * 1024;

/**
 * The files of a project (SPEC §2): list, read, write, move, delete, mkdir, search. Paths are relative
 * to the project directory and go through the one resolver; refusals are 400 and touch nothing.
 */
export function fileRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  const filesOf = async (userId: string, projectId: string): Promise<ProjectFiles> => {
    const files = await ctx.workspaces.filesOf(userId, projectId);
    if (!files) throw notFound('Project');
    return files;
  };
  // Room for the largest allowed file as JSON (escapes can double it); the service answers 413 past the limit itself.
  const writeBodyLimit = Math.max(JSON_BODY_LIMIT, ctx.config.max_file_write_bytes * 2 + 64 * 1024);

  return async (app) => {
    app.get('/projects/:id/files', { schema: { params: projectParamsSchema, querystring: listFilesQuerySchema } }, async (request) => {
      const files = await filesOf(request.user.id, request.params.id);
      return { code: 0, data: await files.list(request.query.path ?? '') };
    });

    app.get('/projects/:id/files/*', { schema: { params: fileParamsSchema } }, async (request) => {
      const files = await filesOf(request.user.id, request.params.id);
      return { code: 0, data: await files.read(request.params['*']) };
    });

    app.put('/projects/:id/files/*', { schema: { params: fileParamsSchema, body: writeFileBodySchema }, bodyLimit: writeBodyLimit }, async (request) => {
      const files = await filesOf(request.user.id, request.params.id);
      return { code: 0, data: await files.write(request.params['*'], request.body.content) };
    });

    app.patch('/projects/:id/files/*', { schema: { params: fileParamsSchema, body: moveFileBodySchema } }, async (request) => {
      const files = await filesOf(request.user.id, request.params.id);
      return { code: 0, data: await files.move(request.params['*'], request.body.new_path, { overwrite: request.body.overwrite }) };
    });

    app.delete('/projects/:id/files/*', { schema: { params: fileParamsSchema } }, async (request) => {
      const files = await filesOf(request.user.id, request.params.id);
      return { code: 0, data: { ...(await files.remove(request.params['*'])), deleted: true } };
    });

    app.post('/projects/:id/directories', { schema: { params: projectParamsSchema, body: makeDirectoryBodySchema } }, async (request) => {
      const files = await filesOf(request.user.id, request.params.id);
      return { code: 0, data: await files.mkdir(request.body.path) };
    });

    app.post('/projects/:id/search', { schema: { params: projectParamsSchema, body: searchFilesBodySchema } }, async (request) => {
      const files = await filesOf(request.user.id, request.params.id);
      const { query, path, max_results, case_sensitive } = request.body;
      return { code: 0, data: await files.search({ query, path, maxResults: max_results, caseSensitive: case_sensitive }) };
    });
  };
}
