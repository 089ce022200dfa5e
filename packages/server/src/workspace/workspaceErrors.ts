import { AppError } from '../http/appError.js';

/**
 * Errors of the workspace layer. They are AppErrors (a status and a sentence), so the API maps them
 * to the envelope unchanged and the file tools hand the sentence to the model as an error result.
 */

/** A path that is refused before anything is touched: escapes, absolute paths, NUL bytes, over-long names… (400). */
export class PathRefusedError extends AppError {
  override name = 'PathRefusedError';
  constructor(message: string) {
    super(400, message);
  }
}

export const fileNotFound = (path: string) => new AppError(404, `Nothing exists at "${displayPath(path)}" in this project.`);
export const fileConflict = (message: string) => new AppError(409, message);
export const fileTooLarge = (message: string) => new AppError(413, message);
export const notText = (path: string) =>
  new AppError(415, `"${displayPath(path)}" is not a text file (it holds binary data), so it cannot be read as text.`);
export const wrongKind = (message: string) => new AppError(400, message);

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
