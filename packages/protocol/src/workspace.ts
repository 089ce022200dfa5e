import { z } from 'zod';

/** Projects and their files (SPEC §2, §6): request bodies and answers, shared by the server and the UI. */

export const projectNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .refine((name) => !/[\u0000-\u001f\u007f]/.test(name), 'must not contain control characters');

export const createProjectBodySchema = z
  .object({
    name: projectNameSchema,
    description: z.string().max(10_000).nullable().optional(),
  })
  .strict();
export type CreateProjectBody = z.infer<typeof createProjectBodySchema>;

export const updateProjectBodySchema = z
  .object({
    name: projectNameSchema.optional(),
    description: z.string().max(10_000).nullable().optional(),
  })
  .strict();
export type UpdateProjectBody = z.infer<typeof updateProjectBodySchema>;

/** A path inside a project, relative to its directory ("" or "." is the project directory itself). */
export const projectPathSchema = z.string().max(8192);

export const listFilesQuerySchema = z.object({ path: projectPathSchema.optional() });

export const writeFileBodySchema = z.object({ content: z.string() }).strict();
export type WriteFileBody = z.infer<typeof writeFileBodySchema>;

export const moveFileBodySchema = z
  .object({
    new_path: projectPathSchema.min(1),
    /** Replace an existing file at new_path (never a directory). */
    overwrite: z.boolean().optional(),
  })
  .strict();
export type MoveFileBody = z.infer<typeof moveFileBodySchema>;

export const makeDirectoryBodySchema = z.object({ path: projectPathSchema.min(1) }).strict();
export type MakeDirectoryBody = z.infer<typeof makeDirectoryBodySchema>;

export const searchFilesBodySchema = z
  .object({
    query: z.string().min(1, 'must not be empty').max(1000),
    path: projectPathSchema.optional(),
    max_results: z.number().int().min(1).max(1000).optional(),
    case_sensitive: z.boolean().optional(),
  })
  .strict();
export type SearchFilesBody = z.infer<typeof searchFilesBodySchema>;

export interface ApiProject {
  id: string;
  user_id: string;
  name: string;
  /** Relative to the workspace root. */
  path: string;
  description: string | null;
  created_at: string;
  updated_at: string;
}

export type FileEntryType = 'file' | 'directory' | 'symlink' | 'other';

export interface ApiFileEntry {
  name: string;
  /** Relative to the project directory, `/`-separated. */
  path: string;
  type: FileEntryType;
  /** Bytes (0 for directories). */
  size: number;
  modified_at: string;
}

export interface ApiDirectoryListing {
  path: string;
  /** Directories first, then files, each by name. */
  items: ApiFileEntry[];
}

export interface ApiFileContent {
  path: string;
  name: string;
  content: string;
  size: number;
  modified_at: string;
}

export interface ApiSearchMatch {
  path: string;
  /** 1-based. */
  line: number;
  text: string;
}

export interface ApiSearchResult {
  query: string;
  matches: ApiSearchMatch[];
  /** True when max_results cut the search short. */
  truncated: boolean;
  files_searched: number;
}

export interface ApiUploadResult {
  project: ApiProject;
  files: number;
  bytes: number;
}
