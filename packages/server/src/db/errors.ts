/** A row the caller asked for does not exist (or belongs to someone else). */
export class NotFoundError extends Error {
  constructor(
    readonly entity: string,
    readonly id: string,
    message = `The ${entity} does not exist.`,
  ) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/**
 * A pagination cursor that names no row the caller can see. The HTTP layer answers 400
 * `Unknown cursor` (a bad request, not a missing resource).
 */
export class UnknownCursorError extends NotFoundError {
  constructor(cursor: string) {
    super('cursor', cursor, 'Unknown cursor');
    this.name = 'UnknownCursorError';
  }
}

/** A write that would break a uniqueness rule, e.g. a second project with the same name. */
export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

function errorCode(err: unknown): unknown {
  return typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
}

/** True for a unique or primary-key violation on SQLite, PostgreSQL or MySQL/MariaDB. */
export function isUniqueViolation(err: unknown): boolean {
  const code = errorCode(err);
  return (
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === '23505' ||
    code === 'ER_DUP_ENTRY'
  );
}

/** True when the engine aborted a transaction to break a deadlock; retrying it is safe. */
export function isDeadlock(err: unknown): boolean {
  const code = errorCode(err);
  return code === '40P01' || code === 'ER_LOCK_DEADLOCK';
}
