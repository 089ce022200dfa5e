/**
 * Errors of accounts and sign-in, each named for what went wrong and carrying a sentence the user can
 * act on. The HTTP layer maps them to statuses in its error handler.
 */
abstract class AuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** No token, a bad or expired one, or wrong credentials. */
export class UnauthenticatedError extends AuthError {
  constructor(message = 'Sign in to continue: send "Authorization: Bearer <token>" from POST /api/auth/login.') {
    super(message);
  }
}
/** The account exists but has been deactivated by an administrator. */
export class AccountDeactivatedError extends AuthError {
  constructor() {
    super('This account has been deactivated. Ask an administrator to reactivate it.');
  }
}
/** Registration is turned off (allow_registration: false). */
export class RegistrationClosedError extends AuthError {
  constructor() {
    super('Registration is turned off on this server. Ask an administrator for an account.');
  }
}
/** Accounts and tokens asked of a server in single-user mode. */
export class SingleUserModeError extends AuthError {
  constructor() {
    super('This server runs in single-user mode (auth_mode: single): there is nothing to sign in to.');
  }
}
/** Another account already has the username. */
export class UsernameTakenError extends AuthError {}
/** A password change whose current password does not match. */
export class WrongCurrentPasswordError extends AuthError {
  constructor() {
    super('The current password is not correct.');
  }
}
/** The signed-in account was removed meanwhile. */
export class AccountGoneError extends AuthError {
  constructor() {
    super('The account no longer exists.');
  }
}
