import type { z } from 'zod';

/** The file given to import is not one it can read (malformed, truncated, another format…); nothing was stored. 400. */
export class ImportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFileError';
  }
}

/** `conversations[2].messages[0].role`: the place a zod issue points at, as a person would write it. */
function issuePath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`)).join('');
}

/** The first problems of a failed parse as one sentence naming where they are. */
export function describeIssues(what: string, error: z.ZodError): ImportFileError {
  const problems = error.issues.slice(0, 3).map((issue) => {
    const where = issuePath(issue.path);
    return where ? `${where}: ${issue.message}` : issue.message;
  });
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more problems)` : '';
  return new ImportFileError(`The file looks like ${what} but does not match it: ${problems.join('; ')}${more}.`);
}
