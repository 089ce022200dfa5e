/**
 * Errors of the workspace layer, each named for what went wrong and carrying a sentence the user (or
 * the model, as a tool result) can act on. The HTTP layer maps them to statuses in its error handler.
 */
abstract class WorkspaceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A path that is refused before anything is touched: escapes, absolute paths, NUL bytes, over-long names… */
export class PathRefusedError extends WorkspaceError {}
/** A file where a directory is needed, or the other way round. */
export class WrongKindError extends WorkspaceError {}
/** Nothing exists at the path. */
export class FileNotFoundError extends WorkspaceError {
  constructor(path: string) {
    super(`Nothing exists at "${displayPath(path)}" in this project.`);
  }
}
/** Something already there stands in the way (an existing file, a file where a folder is needed). */
export class FileConflictError extends WorkspaceError {}
/** Content or a file over the configured size limits. */
export class FileTooLargeError extends WorkspaceError {}
/** A file that holds binary data was asked for as text. */
export class NotTextError extends WorkspaceError {
  constructor(path: string) {
    super(`"${displayPath(path)}" is not a text file (it holds binary data), so it cannot be read as text.`);
  }
}
/** A project name (or its directory name) already in use. */
export class ProjectConflictError extends WorkspaceError {}
/** A project whose stored directory lies outside the workspace root: a broken record, not a user mistake. */
export class ProjectDirectoryInvalidError extends WorkspaceError {
  constructor() {
    super('The project directory is stored with an invalid path.');
  }
}

/** How a project-relative path is shown in messages: "." for the project directory. */
export function displayPath(relative: string): string {
  return relative === '' ? '.' : relative;
}

/** Bytes as people read them: 5 MB, 12.5 KB, 300 bytes. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}
