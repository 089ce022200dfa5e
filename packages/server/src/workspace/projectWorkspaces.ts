import { mkdir, rename, rm } from 'node:fs/promises';
import { isAbsolute, join, relative as relativePath, resolve, sep } from 'node:path';
import type { ProjectRepo, ProjectRow } from '../db/index.js';
import { projectDirectoryName } from './projectDirectoryName.js';
import { ProjectFiles, type FileLimits } from './projectFiles.js';
import type { ProjectChangeFeed } from './projectChangeFeed.js';
import { ProjectConflictError, ProjectDirectoryInvalidError } from './workspaceErrors.js';

export interface ProjectWorkspacesOptions {
  /** Absolute directory holding every project: `<root>/<user id>/<directory>`. */
  root: string;
  projects: ProjectRepo;
  limits: FileLimits;
  /** Told about every change made through filesOf (REST edits, uploads, the agent's file tools). */
  changes?: ProjectChangeFeed;
  logger?: { warn(obj: object, msg?: string): void };
}

export interface NewProjectInput {
  name: string;
  description?: string | null;
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

/**
 * Projects together with their directories: created with the row, deleted with it, and the one way
 * the API and the file tools get at a project's files, always through the owner's id.
 */
export function createProjectWorkspaces(options: ProjectWorkspacesOptions) {
  const root = resolve(options.root);

  /** The project's directory; refuses a stored path that would lie outside the workspace root. */
  function directoryOf(project: Pick<ProjectRow, 'path'>): string {
    const dir = resolve(root, project.path);
    const inside = relativePath(root, dir);
    if (!inside || inside.startsWith('..') || isAbsolute(inside) || inside.split(sep).length < 2) {
      throw new ProjectDirectoryInvalidError();
    }
    return dir;
  }

  /** Makes a fresh directory for a project of the user; answers its path relative to the root. */
  async function makeDirectory(userId: string, name: string, fallback: string): Promise<string> {
    const userDir = join(root, userId);
    await mkdir(userDir, { recursive: true });
    const base = projectDirectoryName(name) ?? fallback;
    for (let attempt = 0; attempt < 100; attempt++) {
      const candidate = attempt === 0 ? base : `${base}-${attempt + 1}`;
      try {
        await mkdir(join(userDir, candidate));
        return `${userId}/${candidate}`;
      } catch (err) {
        if (errorCode(err) !== 'EEXIST') throw err;
      }
    }
    throw new ProjectConflictError(`Could not find a free directory name for the project "${name}".`);
  }

  /** Creates the row and its directory; answers 409 (and leaves nothing behind) for a duplicate name. */
  async function create(userId: string, input: NewProjectInput, populate?: (dir: string) => Promise<void>): Promise<ProjectRow> {
    await ensureNameFree(userId, input.name);
    const path = await makeDirectory(userId, input.name, `project-${Date.now().toString(36)}`);
    const dir = join(root, path);
    try {
      await populate?.(dir);
      return await options.projects.create(userId, { name: input.name, path, description: input.description ?? null });
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  async function ensureNameFree(userId: string, name: string): Promise<void> {
    const existing = await options.projects.listForUser(userId);
    if (existing.some((project) => project.name === name)) throw new ProjectConflictError(`A project named "${name}" already exists.`);
  }

  /** Creates a project whose directory is `staged` (moved into place, on the same file system). */
  async function adopt(userId: string, input: NewProjectInput, staged: string): Promise<ProjectRow> {
    return create(userId, input, async (dir) => {
      await rm(dir, { recursive: true, force: true });
      await rename(staged, dir);
    });
  }

  async function get(userId: string, projectId: string): Promise<ProjectRow | null> {
    return options.projects.getForUser(userId, projectId);
  }

  /** The files of the user's project, or null when the user has no project with that id. */
  async function filesOf(userId: string, projectId: string): Promise<ProjectFiles | null> {
    const project = await options.projects.getForUser(userId, projectId);
    if (!project) return null;
    const dir = directoryOf(project);
    // A directory removed behind the server's back comes back empty rather than failing every call.
    await mkdir(dir, { recursive: true });
    const changes = options.changes;
    return new ProjectFiles(dir, options.limits, changes && ((change) => changes.publish({ project_id: project.id, ...change })));
  }

  /** Deletes the row, then the directory with everything in it. Answers false for someone else's or no project. */
  async function remove(userId: string, projectId: string): Promise<boolean> {
    const project = await options.projects.getForUser(userId, projectId);
    if (!project) return false;
    const dir = directoryOf(project);
    if (!(await options.projects.delete(userId, projectId))) return false;
    try {
      await rm(dir, { recursive: true, force: true });
    } catch (err) {
      options.logger?.warn({ err, dir }, 'the project is deleted but its directory could not be removed');
    }
    return true;
  }

  /** A directory for an upload in progress, beside the user's projects (hidden name: no project is named so). */
  async function stagingDirectory(userId: string, id: string): Promise<string> {
    const dir = join(root, userId, `.upload-${id}`);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  return { root, directoryOf, create, adopt, get, filesOf, remove, stagingDirectory };
}

export type ProjectWorkspaces = ReturnType<typeof createProjectWorkspaces>;
