import type { Attachment } from '@nanoclaw/protocol';

export const MAX_ATTACHMENT_CHARS = 1_000_000;
export const MAX_ATTACHMENTS = 20;

export type AttachmentProblem = { kind: 'tooLarge' | 'notText'; name: string };

/** Reads a text/code file in the browser; binary files (NUL bytes, invalid text) are refused. */
export async function readAttachment(file: File): Promise<Attachment | AttachmentProblem> {
  if (file.size > MAX_ATTACHMENT_CHARS * 4) return { kind: 'tooLarge', name: file.name };
  const content = await file.text();
  if (content.length > MAX_ATTACHMENT_CHARS) return { kind: 'tooLarge', name: file.name };
  const sample = content.slice(0, 8000);
  const bad = (sample.match(/[\u0000\uFFFD]/g) ?? []).length;
  if (bad > 0 && bad / Math.max(1, sample.length) > 0.001) return { kind: 'notText', name: file.name };
  const dot = file.name.lastIndexOf('.');
  const extension = dot > 0 ? file.name.slice(dot + 1).toLowerCase().slice(0, 32) : '';
  return { name: file.name.slice(0, 255), extension, content };
}
