import type { ApiFilesUploadResult } from '@nanoclaw/protocol';
import { ApiError } from './http';
import { authHeaders, notifyUnauthorized } from '../lib/session';
import type { UploadItem } from '../lib/uploadItems';

export interface UploadOptions {
  /** Replace files that already exist (otherwise the server answers 409 naming them). */
  overwrite?: boolean;
  /** Empty folders to create too, by their paths in the upload (as the items' paths). */
  folders?: string[];
  /** Bytes sent so far of the whole request. */
  onProgress?: (loaded: number, total: number) => void;
  signal?: AbortSignal;
}

/** Thrown when the person cancelled the upload. */
export class UploadCancelled extends Error {}

/**
 * Uploads files into a folder of a project (POST /api/projects/:id/upload), keeping their paths.
 * XMLHttpRequest rather than fetch: only it reports upload progress.
 */
export function uploadFiles(projectId: string, into: string, items: UploadItem[], options: UploadOptions = {}): Promise<ApiFilesUploadResult> {
  const form = new FormData();
  for (const folder of options.folders ?? []) form.append('folder', folder);
  for (const item of items) form.append('files', item.file, item.path);
  const query = new URLSearchParams({ path: into, ...(options.overwrite ? { overwrite: 'true' } : {}) });
  return postMultipart<ApiFilesUploadResult>(`/api/projects/${encodeURIComponent(projectId)}/upload?${query}`, form, options);
}

/**
 * POSTs a multipart form and answers the envelope's data; XMLHttpRequest rather than fetch: only it
 * reports upload progress. Rejects with ApiError (status 0: network) or UploadCancelled.
 */
export function postMultipart<T>(url: string, form: FormData, options: Pick<UploadOptions, 'onProgress' | 'signal'> = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new UploadCancelled());
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('accept', 'application/json');
    for (const [name, value] of Object.entries(authHeaders())) xhr.setRequestHeader(name, value);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (event) => options.onProgress?.(event.loaded, event.total);
    xhr.onload = () => {
      const body = xhr.response as { code?: number; data?: T; message?: string } | null;
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
