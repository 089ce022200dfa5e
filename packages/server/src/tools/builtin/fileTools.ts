import type { ToolRegistry } from '../toolRegistry.js';
import type { ToolContext, ToolDefinition } from '../types.js';
import type { ProjectFiles } from '../../workspace/projectFiles.js';

/** What the file tools need: the files of a project, looked up through its owner. */
export interface FileToolDeps {
  filesOf(userId: string, projectId: string): Promise<ProjectFiles | null>;
}

export const NO_PROJECT_MESSAGE =
  'This conversation has no project: file tools work inside a project directory. Attach the conversation to a project (or send project_id with the message) and try again.';

const CATEGORY = 'file';
const pathProperty = (what: string) => ({ type: 'string', minLength: 1, description: `${what}, relative to the project directory (e.g. "src/main.py").` });

/** The project of the run, checked against the run's user; never from the model's arguments. */
async function projectFiles(deps: FileToolDeps, ctx: ToolContext): Promise<ProjectFiles> {
  if (!ctx.projectId) throw new Error(NO_PROJECT_MESSAGE);
  const files = await deps.filesOf(ctx.userId, ctx.projectId);
  if (!files) throw new Error("This conversation's project no longer exists (it may have been deleted). Attach the conversation to another project.");
  return files;
}

export function createFileTools(deps: FileToolDeps): ToolDefinition<any>[] {
  const fileRead: ToolDefinition<{ path: string }> = {
    name: 'file_read',
    category: CATEGORY,
    description: "Read a text file from the current project's directory. Answers its content and size.",
    parameters: { type: 'object', properties: { path: pathProperty('The file') }, required: ['path'], additionalProperties: false },
    handler: async ({ path }, ctx) => {
      const file = await (await projectFiles(deps, ctx)).read(path);
      return { path: file.path, size: file.size, content: file.content };
    },
  };

  const fileWrite: ToolDefinition<{ path: string; content: string }> = {
    name: 'file_write',
    category: CATEGORY,
    description: "Create or overwrite a text file in the current project's directory (missing parent directories are created).",
    parameters: {
      type: 'object',
      properties: { path: pathProperty('The file'), content: { type: 'string', description: 'The whole new content of the file.' } },
      required: ['path', 'content'],
      additionalProperties: false,
    },
    handler: async ({ path, content }, ctx) => {
      const written = await (await projectFiles(deps, ctx)).write(path, content);
      return { path: written.path, size: written.size, created: written.created };
    },
  };

  const fileDelete: ToolDefinition<{ path: string }> = {
    name: 'file_delete',
    category: CATEGORY,
    description: "Delete a file, or a directory with everything in it, from the current project's directory.",
    parameters: { type: 'object', properties: { path: pathProperty('The file or directory') }, required: ['path'], additionalProperties: false },
    handler: async ({ path }, ctx) => {
      const removed = await (await projectFiles(deps, ctx)).remove(path);
      return { path: removed.path, type: removed.type, deleted: true };
    },
  };

  const fileList: ToolDefinition<{ path?: string; pattern?: string; max_results?: number }> = {
    name: 'file_list',
    category: CATEGORY,
    description:
      "List files and directories in the current project's directory. Without a pattern: the entries of `path`. " +
      'With a glob pattern (e.g. "**/*.py", "src/*.{ts,js}"): every entry below `path` whose path relative to it matches.',
    parameters: {
      type: 'object',
      properties: {
        path: { type: 'string', description: 'Directory to list, relative to the project directory; default: the project directory.' },
        pattern: { type: 'string', minLength: 1, maxLength: 1000, description: 'Glob pattern; "**" crosses directories.' },
        max_results: { type: 'integer', minimum: 1, maximum: 5000, default: 500, description: 'Most entries to answer.' },
      },
      additionalProperties: false,
    },
    handler: async ({ path, pattern, max_results }, ctx) => {
      const result = await (await projectFiles(deps, ctx)).glob({ path: path ?? '', pattern, maxResults: max_results ?? 500 });
      return {
        path: result.path === '' ? '.' : result.path,
        entries: result.items.map((item) => ({ path: item.path, type: item.type, size: item.size })),
        truncated: result.truncated,
      };
    },
  };

  const fileExists: ToolDefinition<{ path: string }> = {
    name: 'file_exists',
    category: CATEGORY,
    description: "Check whether a file or directory exists in the current project's directory.",
    parameters: { type: 'object', properties: { path: pathProperty('The file or directory') }, required: ['path'], additionalProperties: false },
    handler: async ({ path }, ctx) => (await projectFiles(deps, ctx)).exists(path),
  };

  const fileMkdir: ToolDefinition<{ path: string }> = {
    name: 'file_mkdir',
    category: CATEGORY,
    description: "Create a directory (and any missing parents) in the current project's directory.",
    parameters: { type: 'object', properties: { path: pathProperty('The directory') }, required: ['path'], additionalProperties: false },
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
