import { fetchAttachment } from '../api/attachments';

/** Files the composer uploads (rather than reading them as text in the browser): images and documents the server reads. */
const UPLOADED_TYPES = /^(image\/(png|jpeg|webp|gif)|application\/pdf|application\/vnd\.openxmlformats-officedocument\.(wordprocessingml\.document|spreadsheetml\.sheet))$/;
const UPLOADED_EXTENSIONS = /\.(png|jpe?g|webp|gif|pdf|docx|xlsx)$/i;

export function isUploadedKind(file: Pick<File, 'type' | 'name'>): boolean {
  return UPLOADED_TYPES.test(file.type) || UPLOADED_EXTENSIONS.test(file.name);
}

export function isImage(file: Pick<File, 'type'>): boolean {
  return /^image\/(png|jpeg|webp|gif)$/.test(file.type);
}

/** "532 KB", "2.4 MB". */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Object URLs of attachments, fetched once per id for the page's life (the bytes of an id never change). */
const urls = new Map<string, Promise<string>>();

export function attachmentUrl(id: string): Promise<string> {
  let url = urls.get(id);
  if (!url) {
    url = fetchAttachment(id).then((blob) => URL.createObjectURL(blob));
    url.catch(() => urls.delete(id));
    urls.set(id, url);
  }
  return url;
}

/** Saves an attachment under its name (a download, as the server's Content-Disposition asks). */
export async function downloadAttachment(id: string, name: string): Promise<void> {
  const a = document.createElement('a');
  a.href = await attachmentUrl(id);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
}
