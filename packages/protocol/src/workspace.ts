import { z } from 'zod';
import { clientBody } from './clientBody.js';

/** Projects and their files (SPEC §2, §6): request bodies and answers, shared by the server and the UI. */

export const projectNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .refine((name) => !/[\u0000-\u001f\u007f]/.test(name), 'must not contain control characters');

export const createProjectBodySchema = clientBody({
  name: projectNameSchema,
  description: z.string().max(10_000).nullable().optional(),
});
export type CreateProjectBody = z.infer<typeof createProjectBodySchema>;

/**
 * A change of name or description; may be the whole project as GET answered it. `id`, `user_id` and
 * `path` are read-only: when sent they must equal the stored ones (renaming never moves the directory).
 */
export const updateProjectBodySchema = clientBody({
  name: projectNameSchema.optional(),
  description: z.string().max(10_000).nullable().optional(),
  id: z.string().optional(),
  user_id: z.string().optional(),
  path: z.string().optional(),
});
export type UpdateProjectBody = z.infer<typeof updateProjectBodySchema>;

/** A path inside a project, relative to its directory ("" or "." is the project directory itself). */
export const projectPathSchema = z.string().max(8192);

export const listFilesQuerySchema = z.object({ path: projectPathSchema.optional() });

export const writeFileBodySchema = clientBody({
  content: z.string(),
  /** Only create: when something already exists at the path, answer 409 and leave it as it is. */
  create_only: z.boolean().optional(),
});
export type WriteFileBody = z.infer<typeof writeFileBodySchema>;

export const moveFileBodySchema = clientBody({
  new_path: projectPathSchema.min(1),
  /** Replace an existing file at new_path (never a directory). */
  overwrite: z.boolean().optional(),
});
export type MoveFileBody = z.infer<typeof moveFileBodySchema>;

export const makeDirectoryBodySchema = clientBody({ path: projectPathSchema.min(1) });
export type MakeDirectoryBody = z.infer<typeof makeDirectoryBodySchema>;

export const searchFilesBodySchema = clientBody({
  query: z.string().min(1, 'must not be empty').max(1000),
  path: projectPathSchema.optional(),
  max_results: z.number().int().min(1).max(1000).optional(),
  case_sensitive: z.boolean().optional(),
});
export type SearchFilesBody = z.infer<typeof searchFilesBodySchema>;

/** Query of `POST /api/projects/:id/upload`: the folder the files go into, and whether existing files may be replaced. */
export const uploadFilesQuerySchema = z
  .object({
    /** Folder inside the project ("" or absent: the project directory); created when missing. */
    path: projectPathSchema.optional(),
    /** "true": files that already exist are replaced; otherwise any existing file refuses the whole upload (409). */
    overwrite: z.enum(['true', 'false']).optional(),
  })
  .strict();
export type UploadFilesQuery = z.infer<typeof uploadFilesQuerySchema>;

/**
 * One change to a project's files, pushed on `GET /api/projects/:id/file-events` (event `change`)
 * whenever the API, an upload or the agent's file tools change them.
 */
export const projectFileChangeSchema = z.object({
  project_id: z.string(),
  kind: z.enum(['written', 'directory_created', 'moved', 'deleted', 'uploaded']),
  /**
   * What changed, relative to the project directory. A directory stands for everything below it.
   * `moved`: `[from, to]`. `uploaded`: the files, or only the folder they went into when there are many.
   */
  paths: z.array(z.string()),
});
export type ProjectFileChange = z.infer<typeof projectFileChangeSchema>;
export type ProjectFileChangeKind = ProjectFileChange['kind'];
