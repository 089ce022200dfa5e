import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as auth from '../auth/authErrors.js';
import { ConflictError, NotFoundError, UnknownCursorError } from '../db/index.js';
import * as workspace from '../workspace/workspaceErrors.js';
import { AppError } from './appError.js';
import { domainErrorStatus, errorHandler } from './errorHandler.js';

/** Each error the layers below HTTP throw, with the status and sentence the API answers for it. */
const cases: Array<[Error, number, string]> = [
  [new auth.UnauthenticatedError(), 401, 'Sign in to continue: send "Authorization: Bearer <token>" from POST /api/auth/login.'],
  [new auth.UnauthenticatedError('Your session has expired. Sign in again.'), 401, 'Your session has expired. Sign in again.'],
  [new auth.AccountDeactivatedError(), 403, 'This account has been deactivated. Ask an administrator to reactivate it.'],
  [new auth.RegistrationClosedError(), 403, 'Registration is turned off on this server. Ask an administrator for an account.'],
  [new auth.SingleUserModeError(), 400, 'This server runs in single-user mode (auth_mode: single): there is nothing to sign in to.'],
  [new auth.UsernameTakenError('The username "ada" is already taken.'), 409, 'The username "ada" is already taken.'],
  [new auth.WrongCurrentPasswordError(), 400, 'The current password is not correct.'],
  [new auth.AccountGoneError(), 404, 'The account no longer exists.'],
  [new workspace.PathRefusedError('The path "../x" leads outside the project directory.'), 400, 'The path "../x" leads outside the project directory.'],
  [new workspace.WrongKindError('"src" is a directory; list it instead of reading it.'), 400, '"src" is a directory; list it instead of reading it.'],
  [new workspace.FileNotFoundError('docs/a.md'), 404, 'Nothing exists at "docs/a.md" in this project.'],
  [new workspace.FileConflictError('"a.txt" already exists. Choose another name.'), 409, '"a.txt" already exists. Choose another name.'],
  [new workspace.FileTooLargeError('The content is 12 MB, more than the 10 MB a file may be written with.'), 413, 'The content is 12 MB, more than the 10 MB a file may be written with.'],
  [new workspace.NotTextError('logo.png'), 415, '"logo.png" is not a text file (it holds binary data), so it cannot be read as text.'],
  [new workspace.ProjectConflictError('A project named "demo" already exists.'), 409, 'A project named "demo" already exists.'],
  [new workspace.ProjectDirectoryInvalidError(), 500, 'The project directory is stored with an invalid path.'],
  [new NotFoundError('conversation', 'c1'), 404, 'The conversation does not exist.'],
  [new UnknownCursorError('zz'), 400, 'Unknown cursor: start again from the first page.'],
  [new ConflictError('A project named "demo" already exists.'), 409, 'A project named "demo" already exists.'],
  [new AppError(429, 'Too many login attempts from this address.'), 429, 'Too many login attempts from this address.'],
  [new Error('secret internals'), 500, 'Something went wrong on the server. The error has been logged.'],
];

const app = Fastify();
app.setErrorHandler(errorHandler);
app.get<{ Params: { index: string } }>('/fail/:index', async (request) => {
  throw cases[Number(request.params.index)]![0];
});
beforeAll(() => app.ready());
afterAll(() => app.close());

describe('errorHandler', () => {
  it.each(cases.map(([error, status, message], index) => ({ name: error.name, index, status, message })))(
    'answers $name with $status and its sentence',
    async ({ index, status, message }) => {
      const response = await app.inject({ method: 'GET', url: `/fail/${index}` });
      expect(response.statusCode).toBe(status);
      expect(response.json()).toEqual({ code: status, message });
    },
  );

  it('has a status for every error class auth and workspace export', () => {
    const classes = [...Object.values(auth), ...Object.values(workspace)].filter(
      (value): value is abstract new (...args: never[]) => Error => typeof value === 'function' && value.prototype instanceof Error,
    );
    expect(classes.length).toBe(21);
    for (const type of classes) expect(domainErrorStatus(Object.create(type.prototype)), type.name).toBeGreaterThanOrEqual(400);
  });
});
