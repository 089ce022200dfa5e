/** The sign-in token (multi-user mode), kept in localStorage and sent as `Authorization: Bearer`. */
const TOKEN_KEY = 'nanoclaw.token';

export function getToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}
export function setToken(token: string | null): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}
export function authHeaders(): Record<string, string> {
  const token = getToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** Called when the server answers 401: the token is gone or expired. */
let onUnauthorized: (() => void) | null = null;
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}
export function notifyUnauthorized(): void {
  setToken(null);
  onUnauthorized?.();
}
