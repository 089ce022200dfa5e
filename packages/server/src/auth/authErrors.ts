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
/** Password sign-in or registration on a server with `local_login: false`. */
export class LocalLoginDisabledError extends AuthError {
  constructor(provider: string | null) {
    super(
      provider
        ? `Password sign-in is turned off on this server (local_login: false). Use "Sign in with ${provider}".`
        : 'Password sign-in is turned off on this server (local_login: false).',
    );
  }
}

/** A single sign-on attempt that did not sign anyone in; `failure` names why for the sign-in page. */
export abstract class SsoError extends AuthError {
  abstract readonly failure: 'state' | 'rejected' | 'conflict' | 'unavailable';
}
/** The attempt is unknown, expired, from another browser, or its `state` was tampered with. */
export class SsoStateError extends SsoError {
  readonly failure = 'state';
}
/** The provider's answer failed a check (code, nonce, signature, issuer, audience, expiry) or the person declined. */
export class SsoRejectedError extends SsoError {
  readonly failure = 'rejected';
}
/** The sign-in cannot be matched to one account (several share the email, no free username). */
export class SsoConflictError extends SsoError {
  readonly failure = 'conflict';
}
/** The provider cannot be reached or is not an OpenID provider. */
export class SsoUnavailableError extends SsoError {
  readonly failure = 'unavailable';
}
