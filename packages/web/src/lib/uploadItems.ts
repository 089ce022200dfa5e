import type { ApiFileLimits } from '@nanoclaw/protocol';

/** A file to upload and its path inside the upload ("site/css/main.css"). */
export interface UploadItem {
  file: File;
  path: string;
}

/** Files picked with `<input type=file>`: a folder pick (webkitdirectory) gives each its path in the folder. */
export function itemsFromFileList(list: FileList | File[]): UploadItem[] {
  return [...list].map((file) => ({ file, path: file.webkitRelativePath || file.name }));
}

/**
 * The entries of a drop. Must be called while the drop event is being handled: the browser empties
 * the DataTransfer afterwards. Entries (webkitGetAsEntry) can be read later; a browser without them
 * leaves only the plain files.
 */
export function entriesOfDrop(transfer: DataTransfer): { entries: FileSystemEntry[]; files: File[] } {
  const entries: FileSystemEntry[] = [];
  for (const item of [...transfer.items]) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.();
    if (entry) entries.push(entry);
  }
  return { entries, files: [...transfer.files] };
}

const fileOf = (entry: FileSystemFileEntry) => new Promise<File>((resolve, reject) => entry.file(resolve, reject));

/** One directory's entries: readEntries answers in batches until it answers none. */
async function childrenOf(directory: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = directory.createReader();
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

/** What a drop holds: its files, and the folders with nothing in them (which no file's path brings along). */
export interface DroppedItems {
  items: UploadItem[];
  folders: string[];
}

/** Every file below dropped entries (folders walked), with its path from the dropped item down, and every empty folder. */
export async function itemsFromEntries(entries: FileSystemEntry[]): Promise<DroppedItems> {
  const items: UploadItem[] = [];
  const folders: string[] = [];
  const visit = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isFile) items.push({ file: await fileOf(entry as FileSystemFileEntry), path });
    else if (entry.isDirectory) {
      const children = await childrenOf(entry as FileSystemDirectoryEntry);
      if (children.length === 0) folders.push(path);
      for (const child of children) await visit(child, path);
    }
  };
  for (const entry of entries) await visit(entry, '');
  return { items, folders };
}

export type UploadProblem =
  | { key: 'files.uploadEmpty' }
  | { key: 'files.uploadTooMany'; count: number; max: number }
  | { key: 'files.uploadTooLarge'; size: string; max: string };

/** Bytes as people read them: 5 MB, 12.5 KB, 300 B (as the server words its limits). */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} B`;
}

/**
 * Why an upload cannot be sent as it is, before a byte is sent; the server checks again. Empty
 * `folders` count as entries of the upload, as files do.
 */
export function uploadProblem(
  items: UploadItem[],
  limits: Pick<ApiFileLimits, 'max_upload_bytes' | 'max_upload_files'> | null,
  folders: string[] = [],
): UploadProblem | null {
  const count = items.length + folders.length;
  if (count === 0) return { key: 'files.uploadEmpty' };
  if (!limits) return null;
  if (count > limits.max_upload_files) return { key: 'files.uploadTooMany', count, max: limits.max_upload_files };
  const total = items.reduce((sum, item) => sum + item.file.size, 0);
  if (total > limits.max_upload_bytes) return { key: 'files.uploadTooLarge', size: formatSize(total), max: formatSize(limits.max_upload_bytes) };
  return null;
}
