import { badRequest } from './appError.js';

/**
 * A client that sends back the whole object it got (as the original NanoClaw front end does) may
 * repeat read-only fields such as `id`: they are fine when they equal the stored values, and a 400
 * naming the field when they do not (the body then describes another object).
 */
export function assertReadOnlyFields<K extends string>(body: Partial<Record<K, unknown>>, stored: Record<K, unknown>, fields: readonly K[], what: string): void {
  for (const field of fields) {
    const sent = body[field];
    if (sent !== undefined && sent !== stored[field]) {
      throw badRequest(`"${field}" is read-only: this ${what} has ${JSON.stringify(stored[field])}. Leave it out or send it unchanged.`);
    }
  }
}
