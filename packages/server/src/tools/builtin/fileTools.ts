import { z } from 'zod';
import type { ToolRegistry } from '../toolRegistry.js';
import type { ToolContext, ZodToolDefinition } from '../types.js';
import type { ProjectFiles } from '../../workspace/projectFiles.js';

/** What the file tools need: the files of a project, looked up through its owner. */
export interface FileToolDeps {
  filesOf(userId: string, projectId: string): Promise<ProjectFiles | null>;
}

export const NO_PROJECT_MESSAGE =
  'This conversation has no project: file tools work inside a project directory. Attach the conversation to a project (or send project_id with the message) and try again.';

const CATEGORY = 'file';
const pathProperty = (what: string) => z.string().min(1).describe(`${what}, relative to the project directory (e.g. "src/main.py").`);
const pathArguments = (what: string) => z.strictObject({ path: pathProperty(what) });

const fileListArguments = z.strictObject({
  path: z.string().optional().describe('Directory to list, relative to the project directory; default: the project directory.'),
  pattern: z.string().min(1).max(1000).optional().describe('Glob pattern; "**" crosses directories.'),
  max_results: z.int().min(1).max(5000).default(500).describe('Most entries to answer.'),
});

/** The project of the run, checked against the run's user; never from the model's arguments. */
async function projectFiles(deps: FileToolDeps, ctx: ToolContext): Promise<ProjectFiles> {
  if (!ctx.projectId) throw new Error(NO_PROJECT_MESSAGE);
  const files = await deps.filesOf(ctx.userId, ctx.projectId);
  if (!files) throw new Error("This conversation's project no longer exists (it may have been deleted). Attach the conversation to another project.");
  return files;
}

export function createFileTools(deps: FileToolDeps): ZodToolDefinition<any>[] {
  const fileRead: ZodToolDefinition<{ path: string }> = {
    name: 'file_read',
    category: CATEGORY,
    description: "Read a text file from the current project's directory. Answers its content and size.",
    arguments: pathArguments('The file'),
    handler: async ({ path }, ctx) => {
      const file = await (await projectFiles(deps, ctx)).read(path);
      return { path: file.path, size: file.size, content: file.content };
    },
  };

  const fileWrite: ZodToolDefinition<{ path: string; content: string }> = {
    name: 'file_write',
    category: CATEGORY,
    description: "Create or overwrite a text file in the current project's directory (missing parent directories are created).",
    arguments: z.strictObject({ path: pathProperty('The file'), content: z.string().describe('The whole new content of the file.') }),
    handler: async ({ path, content }, ctx) => {
      const written = await (await projectFiles(deps, ctx)).write(path, content);
      return { path: written.path, size: written.size, created: written.created };
    },
  };

  const fileDelete: ZodToolDefinition<{ path: string }> = {
    name: 'file_delete',
    category: CATEGORY,
    description: "Delete a file, or a directory with everything in it, from the current project's directory.",
    arguments: pathArguments('The file or directory'),
    handler: async ({ path }, ctx) => {
      const removed = await (await projectFiles(deps, ctx)).remove(path);
      return { path: removed.path, type: removed.type, deleted: true };
    },
  };

  const fileList: ZodToolDefinition<z.infer<typeof fileListArguments>> = {
    name: 'file_list',
    category: CATEGORY,
    description:
      "List files and directories in the current project's directory. Without a pattern: the entries of `path`. " +
      'With a glob pattern (e.g. "**/*.py", "src/*.{ts,js}"): every entry below `path` whose path relative to it matches.',
    arguments: fileListArguments,
    handler: async ({ path, pattern, max_results }, ctx) => {
      const result = await (await projectFiles(deps, ctx)).glob({ path: path ?? '', pattern, maxResults: max_results });
      return {
        path: result.path === '' ? '.' : result.path,
        entries: result.items.map((item) => ({ path: item.path, type: item.type, size: item.size })),
        truncated: result.truncated,
      };
    },
  };

  const fileExists: ZodToolDefinition<{ path: string }> = {
    name: 'file_exists',
    category: CATEGORY,
    description: "Check whether a file or directory exists in the current project's directory.",
    arguments: pathArguments('The file or directory'),
    handler: async ({ path }, ctx) => (await projectFiles(deps, ctx)).exists(path),
  };

  const fileMkdir: ZodToolDefinition<{ path: string }> = {
    name: 'file_mkdir',
    category: CATEGORY,
    description: "Create a directory (and any missing parents) in the current project's directory.",
    arguments: pathArguments('The directory'),
    handler: async ({ path }, ctx) => {
      const made = await (await projectFiles(deps, ctx)).mkdir(path);
      return { path: made.path, created: made.created };
    },
  };

  return [fileRead, fileWrite, fileDelete, fileList, fileExists, fileMkdir];
}

export function registerFileTools(registry: ToolRegistry, deps: FileToolDeps): void {
  for (const tool of createFileTools(deps)) registry.register(tool);
}
