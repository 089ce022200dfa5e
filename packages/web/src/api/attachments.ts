import type { FileRef } from '@nanoclaw/protocol';
import { ApiError } from './http';
import { authHeaders, notifyUnauthorized } from '../lib/session';
import { UploadCancelled } from './uploadFiles';

/**
 * Uploads one file for a message (POST /api/attachments). XMLHttpRequest rather than fetch: only it
 * reports upload progress.
 */
export function uploadAttachment(file: File, options: { onProgress?: (loaded: number, total: number) => void; signal?: AbortSignal } = {}): Promise<FileRef> {
  const form = new FormData();
  form.append('file', file, file.name);
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new UploadCancelled());
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/attachments');
    xhr.setRequestHeader('accept', 'application/json');
    for (const [name, value] of Object.entries(authHeaders())) xhr.setRequestHeader(name, value);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (event) => options.onProgress?.(event.loaded, event.total);
    xhr.onload = () => {
      const body = xhr.response as { code?: number; data?: FileRef; message?: string } | null;
      if (xhr.status === 200 && body?.code === 0 && body.data) return resolve(body.data);
      if (xhr.status === 401) notifyUnauthorized();
      reject(new ApiError(xhr.status, body?.message ?? `${xhr.status} ${xhr.statusText}`));
    };
    xhr.onerror = () => reject(new ApiError(0, 'network'));
    xhr.onabort = () => reject(new UploadCancelled());
    options.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}

/** An attachment's bytes (the owner's token goes in a header, which an <img src> cannot send). */
export async function fetchAttachment(id: string): Promise<Blob> {
  const res = await fetch(`/api/attachments/${encodeURIComponent(id)}`, { headers: authHeaders() });
  if (res.status === 401) notifyUnauthorized();
  if (!res.ok) throw new ApiError(res.status, `${res.status} ${res.statusText}`);
  return res.blob();
}
