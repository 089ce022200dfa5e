/** The one error type routes throw: an HTTP status and a sentence the user can act on. */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new AppError(404, `${what} was not found.`);
export const badRequest = (message: string) => new AppError(400, message);
