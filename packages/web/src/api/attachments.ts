import type { FileRef } from '@nanoclaw/protocol';
import { ApiError } from './http';
import { authHeaders, notifyUnauthorized } from '../lib/session';
import { postMultipart, type UploadOptions } from './uploadFiles';

/** Uploads one file for a message (POST /api/attachments), reporting progress. */
export function uploadAttachment(file: File, options: Pick<UploadOptions, 'onProgress' | 'signal'> = {}): Promise<FileRef> {
  const form = new FormData();
  form.append('file', file, file.name);
  return postMultipart<FileRef>('/api/attachments', form, options);
}

/** An attachment's bytes (the owner's token goes in a header, which an <img src> cannot send). */
export async function fetchAttachment(id: string): Promise<Blob> {
  const res = await fetch(`/api/attachments/${encodeURIComponent(id)}`, { headers: authHeaders() });
  if (res.status === 401) notifyUnauthorized();
  if (!res.ok) throw new ApiError(res.status, `${res.status} ${res.statusText}`);
  return res.blob();
}
