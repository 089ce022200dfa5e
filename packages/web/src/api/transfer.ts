import type { ApiImportResult } from '@nanoclaw/protocol';
import { ApiError, errorFrom } from './http';
import { authHeaders } from '../lib/session';

export type ExportFormat = 'json' | 'markdown';

/** The file name a download's content-disposition header gives, or the fallback. */
function fileNameOf(res: Response, fallback: string): string {
  const match = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '');
  return match?.[1] ?? fallback;
}

/** Fetches an export with the session's credentials and hands it to the browser as a download. */
async function download(path: string, fallbackName: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(path, { headers: authHeaders() });
  } catch {
    throw new ApiError(0, 'network');
  }
  if (!res.ok) throw await errorFrom(res);
  const url = URL.createObjectURL(await res.blob());
  try {
    const link = document.createElement('a');
    link.href = url;
    link.download = fileNameOf(res, fallbackName);
    document.body.append(link);
    link.click();
    link.remove();
  } finally {
    // The click has started the download; the URL is not needed after this task.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}

/** One conversation as NanoClaw JSON (every branch) or a Markdown transcript (the active path). */
export function exportConversation(id: string, format: ExportFormat): Promise<void> {
  return download(`/api/conversations/${encodeURIComponent(id)}/export?format=${format}`, `conversation.${format === 'json' ? 'json' : 'md'}`);
}

/** Every conversation and project of the account, as one NanoClaw JSON document. */
export function exportEverything(): Promise<void> {
  return download('/api/export', 'nanoclaw-export.json');
}

/** Imports a NanoClaw export, a ChatGPT conversations.json or an Open WebUI chat export. */
export async function importFile(file: File): Promise<ApiImportResult> {
  const form = new FormData();
  form.append('file', file, file.name);
  let res: Response;
  try {
    res = await fetch('/api/import', { method: 'POST', headers: { accept: 'application/json', ...authHeaders() }, body: form });
  } catch {
    throw new ApiError(0, 'network');
  }
  if (!res.ok) throw await errorFrom(res);
  return ((await res.json()) as { data: ApiImportResult }).data;
}
