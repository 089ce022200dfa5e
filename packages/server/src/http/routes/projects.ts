import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { v4 as uuidv4 } from 'uuid';
import { createProjectBodySchema, projectNameSchema, updateProjectBodySchema, type ApiProject, type UpdateProjectBody, type ApiUploadResult } from '@nanoclaw/protocol';
import type { AppContext } from '../appContext.js';
import type { ProjectPatch, ProjectRow } from '../../db/index.js';
import { badRequest, notFound } from '../appError.js';
import { receiveUpload, registerMultipart, uploadLimitsOf } from '../receiveUpload.js';
import { idParamsSchema } from './conversations.js';
import { assertReadOnlyFields } from '../assertReadOnlyFields.js';

export function presentProject(row: ProjectRow): ApiProject {
  return {
    id: row.id,
    user_id: row.user_id,
    name: row.name,
    path: row.path,
    description: row.description,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

const DEFAULT_UPLOAD_NAME = 'Uploaded files';

/** How many distinct folders the uploaded files (`a/b/c.txt`) and empty folders (`a/empty`) make. */
function folderCount(files: readonly string[], folders: readonly string[]): number {
  const seen = new Set<string>();
  const addFolders = (path: string, ownFolder: boolean) => {
    const parts = path.split('/').filter(Boolean);
    for (let depth = 1; depth <= parts.length - (ownFolder ? 0 : 1); depth++) seen.add(parts.slice(0, depth).join('/'));
  };
  for (const path of files) addFolders(path, false);
  for (const path of folders) addFolders(path, true);
  return seen.size;
}

/** Projects CRUD and folder upload (SPEC §2); every project has its directory under workspace_root. */
export function projectRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    await registerMultipart(app, ctx.config);

    app.get('/projects', async (request) => ({
      code: 0,
      data: (await ctx.repos.projects.listForUser(request.user.id)).map(presentProject),
    }));

    app.post('/projects', { schema: { body: createProjectBodySchema } }, async (request) => {
      const project = await ctx.workspaces.create(request.user.id, request.body);
      return { code: 0, data: presentProject(project) };
    });

    app.get('/projects/:id', { schema: { params: idParamsSchema } }, async (request) => {
      const project = await ctx.workspaces.get(request.user.id, request.params.id);
      if (!project) throw notFound('Project');
      return { code: 0, data: presentProject(project) };
    });

    const update = async (request: FastifyRequest<{ Params: { id: string }; Body: UpdateProjectBody }>) => {
      const existing = await ctx.workspaces.get(request.user.id, request.params.id);
      if (!existing) throw notFound('Project');
      assertReadOnlyFields(request.body, existing, ['id', 'user_id', 'path'], 'project');
      // The directory keeps its name: renaming a project never moves files under a running agent.
      const patch: ProjectPatch = {};
      if (request.body.name !== undefined) patch.name = request.body.name;
      if (request.body.description !== undefined) patch.description = request.body.description;
      const updated = await ctx.repos.projects.update(request.user.id, existing.id, patch);
      if (!updated) throw notFound('Project');
      return { code: 0, data: presentProject(updated) };
    };
    app.put('/projects/:id', { schema: { params: idParamsSchema, body: updateProjectBodySchema } }, update);
    app.patch('/projects/:id', { schema: { params: idParamsSchema, body: updateProjectBodySchema } }, update);

    app.delete('/projects/:id', { schema: { params: idParamsSchema } }, async (request) => {
      if (!(await ctx.workspaces.remove(request.user.id, request.params.id))) throw notFound('Project');
      return { code: 0, data: { id: request.params.id, deleted: true } };
    });

    /**
     * A folder as a new project: multipart with one part per file whose filename is its path in the
     * folder ("site/css/main.css"), plus optional fields `name` and `description`. Files arrive in a
     * staging directory first; the project exists only once every file is in. When every path starts
     * with the same folder, that folder is the project (and its name the default project name).
     */
    app.post('/projects/upload', async (request) => {
      const userId = request.user.id;
      const staging = await ctx.workspaces.stagingDirectory(userId, uuidv4());
      try {
        const { fields, paths, folders, bytes } = await receiveUpload(request, staging, uploadLimitsOf(ctx.config));
        if (paths.length === 0 && folders.length === 0) throw badRequest('The upload holds no files or folders: choose a folder.');

        // Empty folders (`folder` fields) are in the staging directory already and move with it.
        const entries = [...paths, ...folders];
        const tops = new Set(entries.map((path) => path.split('/')[0] as string));
        const [top] = tops;
        const sharedTop = tops.size === 1 && top !== undefined && paths.every((path) => path.includes('/')) ? top : null;
        const parsedName = projectNameSchema.safeParse(fields.name?.trim() ? fields.name : (sharedTop ?? DEFAULT_UPLOAD_NAME));
        if (!parsedName.success) throw badRequest(`Invalid project name: ${parsedName.error.issues[0]?.message ?? 'not allowed'}.`);
        const description = fields.description?.trim() ? fields.description : null;

        const project = await ctx.workspaces.adopt(userId, { name: parsedName.data, description }, sharedTop ? join(staging, sharedTop) : staging);
        const inProject = (path: string) => (sharedTop ? path.slice(sharedTop.length + 1) : path);
        const stats = { files: paths.length, directories: folderCount(paths.map(inProject), folders.map(inProject)), size: bytes };
        const result: ApiUploadResult = { ...presentProject(project), stats, project: presentProject(project), files: paths.length, bytes };
        return { code: 0, data: result };
      } finally {
        await rm(staging, { recursive: true, force: true });
      }
    });
  };
}
