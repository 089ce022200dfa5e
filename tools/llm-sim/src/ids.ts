import { randomBytes } from 'node:crypto';

export function completionId(): string {
  return `chatcmpl-${randomBytes(12).toString('hex')}`;
}

export function toolCallId(): string {
  return `call_${randomBytes(12).toString('hex')}`;
}
