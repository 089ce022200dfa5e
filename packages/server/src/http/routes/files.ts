import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { v4 as uuidv4 } from 'uuid';
import { z } from 'zod';
import {
  listFilesQuerySchema,
  makeDirectoryBodySchema,
  moveFileBodySchema,
  searchFilesBodySchema,
  uploadFilesQuerySchema,
  writeFileBodySchema,
  type ApiFileLimits,
  type ApiFilesUploadResult,
} from '@nanoclaw/protocol';
import type { AppContext } from '../appContext.js';
import { countedStream } from '../telemetryHooks.js';
import { badRequest, notFound } from '../appError.js';
import { streamFileChangesToResponse } from '../fileEventsStream.js';
import { receiveUpload, registerMultipart, uploadLimitsOf } from '../receiveUpload.js';
import type { ProjectFiles } from '../../workspace/projectFiles.js';
import { placeUpload } from '../../workspace/placeUpload.js';

const fileParamsSchema = z.object({ id: z.string().min(1).max(64), '*': z.string().max(8192) });
const projectParamsSchema = z.object({ id: z.string().min(1).max(64) });
const JSON_BODY_LIMIT = 16 * 1024 * 1024;

/**
 * The files of a project (SPEC §2): list, read, write, move, delete, mkdir, search, upload into a
 * folder, and the feed of changes. Paths are relative to the project directory and go through the
 * one resolver; refusals are 400 and touch nothing.
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
    await registerMultipart(app, ctx.config);
    // Open change feeds never end on their own: closing the server ends them.
    let serverClosing!: () => void;
    const closing = new Promise<void>((resolve) => (serverClosing = resolve));
    app.addHook('preClose', async () => serverClosing());

    app.get('/files/limits', async () => {
      const limits: ApiFileLimits = {
        max_upload_bytes: ctx.config.max_upload_bytes,
        max_upload_files: ctx.config.max_upload_files,
        max_file_write_bytes: ctx.config.max_file_write_bytes,
        max_file_read_bytes: ctx.config.max_file_read_bytes,
        max_path_chars: ctx.config.max_path_chars,
        max_path_depth: ctx.config.max_path_depth,
      };
      return { code: 0, data: limits };
    });

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
      return { code: 0, data: await files.write(request.params['*'], request.body.content, { createOnly: request.body.create_only }) };
    });

    app.patch('/projects/:id/files/*', { schema: { params: fileParamsSchema, body: moveFileBodySchema } }, async (request) => {
      const files = await filesOf(request.user.id, request.params.id);
      return { code: 0, data: await files.move(request.params['*'], request.body.new_path, { overwrite: request.body.overwrite }) };
    });

    app.delete('/projects/:id/files/*', { schema: { params: fileParamsSchema } }, async (request) => {
      const files = await filesOf(request.user.id, request.params.id);
      return { code: 0, data: { ...(await files.remove(request.params['*'])), deleted: true } };
    });

    // `POST …/files/mkdir` is where the original NanoClaw front end asks for a folder.
    for (const url of ['/projects/:id/directories', '/projects/:id/files/mkdir']) {
      app.post(url, { schema: { params: projectParamsSchema, body: makeDirectoryBodySchema } }, async (request) => {
        const files = await filesOf(request.user.id, request.params.id);
        return { code: 0, data: await files.mkdir(request.body.path) };
      });
    }

    app.post('/projects/:id/search', { schema: { params: projectParamsSchema, body: searchFilesBodySchema } }, async (request) => {
      const files = await filesOf(request.user.id, request.params.id);
      const { query, path, max_results, case_sensitive } = request.body;
      return { code: 0, data: await files.search({ query, path, maxResults: max_results, caseSensitive: case_sensitive }) };
    });

    /**
     * Files (or a folder) into a folder of the project: multipart, one file part per file whose
     * filename is its path below that folder ("css/main.css"), and a `folder` field per empty folder
     * ("logs"). All or nothing: the files arrive in
     * a staging directory, every target is checked, and only then are they moved into place. An
     * existing file refuses the upload (409) unless `overwrite=true`; a folder or file in the way of
     * the other kind, or a path leading outside, is 400; too large or too many is 413.
     */
    app.post('/projects/:id/upload', { schema: { params: projectParamsSchema, querystring: uploadFilesQuerySchema } }, async (request) => {
      const files = await filesOf(request.user.id, request.params.id);
      const into = request.query.path ?? '';
      // A refused folder is refused before any byte is stored.
      await files.resolve(into, { allowRoot: true });
      const staging = await ctx.workspaces.stagingDirectory(request.user.id, uuidv4());
      try {
        const received = join(staging, 'files');
        const backups = join(staging, 'replaced');
        await mkdir(received);
        await mkdir(backups);
        const upload = await receiveUpload(request, received, uploadLimitsOf(ctx.config));
        if (upload.paths.length === 0 && upload.folders.length === 0) throw badRequest('The upload holds no files or folders: choose files, or a folder.');
        const staged = { root: received, paths: upload.paths, folders: upload.folders, backups };
        const placed = await placeUpload(files, staged, into, { overwrite: request.query.overwrite === 'true' });
        const result: ApiFilesUploadResult = { path: placed.path, files: placed.files, folders: placed.folders, bytes: upload.bytes, replaced: placed.replaced };
        return { code: 0, data: result };
      } finally {
        await rm(staging, { recursive: true, force: true });
      }
    });

    /** Server-Sent Events: `ready` once connected, then `change` for every change to the project's files, from any instance. */
    app.get('/projects/:id/file-events', { schema: { params: projectParamsSchema } }, async (request, reply) => {
      const project = await ctx.workspaces.get(request.user.id, request.params.id);
      if (!project) throw notFound('Project');
      reply.hijack();
      await countedStream(ctx.telemetry, 'files', () => streamFileChangesToResponse(reply.raw, ctx.fileChanges, project.id, closing));
    });
  };
}
