import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { AttachmentSettings, FileRef } from '@nanoclaw/protocol';
import type { AttachmentRepo, AttachmentRow, NewAttachment } from '../db/index.js';
import { databaseBlobStore, directoryBlobStore, type BlobStore } from './blobStore.js';
import { createDocumentExtractor, ExtractionError, type DocumentExtractor } from './documentExtractor.js';
import { inspectImage } from './prepareImage.js';
import { sniffAttachment } from './sniffAttachment.js';

/** Too many files, or too many bytes, for one message; the message says which limit. */
export class AttachmentLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AttachmentLimitError';
  }
}

export interface AttachmentServiceDeps {
  settings: AttachmentSettings;
  dataDir: string;
  repo: AttachmentRepo;
  /** Replaces the worker-thread extractor (tests). */
  extractor?: DocumentExtractor;
  now?: () => Date;
}

/** An upload no message has referenced for this long is deleted (on its owner's next upload). */
export const UNSENT_UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;

/** A file name as stored and shown: no path, no control characters, at most 255 characters. */
function cleanName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const base = (name.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return (base || 'file').slice(0, 255);
}

export function fileRefOf(row: AttachmentRow): FileRef {
  return { id: row.id, name: row.name, mime: row.mime, size: row.size, sha256: row.sha256, kind: row.kind };
}

/**
 * Uploaded files: checked from their bytes (type, image size, document readable), turned into text when
 * they are documents (in a worker), stored once per content (sha256) in the database or a directory, and
 * freed when the last conversation referencing them is deleted.
 */
export function createAttachmentService(deps: AttachmentServiceDeps) {
  const { settings, repo } = deps;
  const now = deps.now ?? (() => new Date());
  const blobs: BlobStore =
    settings.storage === 'directory' ? directoryBlobStore(resolve(settings.dir ?? join(deps.dataDir, 'attachments'))) : databaseBlobStore(repo);
  const extractor =
    deps.extractor ??
    createDocumentExtractor({
      timeoutMs: settings.extract_timeout_ms,
      memoryMb: settings.extract_memory_mb,
      maxPages: settings.max_pdf_pages,
      maxChars: settings.max_text_chars,
    });

  /**
   * Checks a file from its bytes as an upload is checked (type, image size, document readable) and reads
   * its text; answers what its row would hold. Stores nothing.
   */
  async function inspect(input: { name: string; bytes: Buffer }): Promise<Omit<NewAttachment, 'userId'>> {
    const name = cleanName(input.name);
    if (input.bytes.length === 0) throw new ExtractionError(`"${name}" is empty.`);
    const sniffed = await sniffAttachment(input.bytes, name);
    let text: string | null = null;
    if (sniffed.kind === 'image') await inspectImage(input.bytes, settings.image_max_pixels);
    else if (sniffed.format === 'text') {
      const decoded = input.bytes.toString('utf8');
      text = decoded.length > settings.max_text_chars ? decoded.slice(0, settings.max_text_chars) : decoded;
    } else {
      const extracted = await extractor.extract(sniffed.format, input.bytes);
      text = extracted.text;
      if (!text.trim()) {
        throw new ExtractionError(
          sniffed.format === 'pdf'
            ? `"${name}" has no text layer (a scanned PDF?): there is nothing to read. Attach the pages as images instead.`
            : `"${name}" contains no text.`,
        );
      }
    }
    const sha256 = createHash('sha256').update(input.bytes).digest('hex');
    return { name, mime: sniffed.mime, kind: sniffed.kind, size: input.bytes.length, sha256, text };
  }

  /** Checks, reads and stores one upload (bytes already within max_file_bytes); answers its row. */
  async function store(input: { userId: string; name: string; bytes: Buffer }): Promise<AttachmentRow> {
    const checked = await inspect(input);
    await blobs.put(checked.sha256, input.bytes);
    const row = await repo.create({ userId: input.userId, ...checked });
    await free(await repo.deleteUnsent(input.userId, new Date(now().getTime() - UNSENT_UPLOAD_TTL_MS)));
    return row;
  }

  /** Deletes the bytes of these sha256 values that no attachment references any more. */
  async function free(shas: readonly string[]): Promise<void> {
    for (const sha256 of await repo.unreferenced(shas)) await blobs.delete(sha256);
  }

  /**
   * The user's attachments for a new message in this conversation, checked against the per-message
   * limits and made part of the conversation. Unknown ids (or another user's) answer undefined.
   */
  async function attachToMessage(userId: string, conversationId: string, ids: readonly string[]): Promise<AttachmentRow[] | undefined> {
    const unique = [...new Set(ids)];
    if (unique.length > settings.max_files_per_message) {
      throw new AttachmentLimitError(`A message may carry at most ${settings.max_files_per_message} files ("attachment_ids" has ${unique.length}).`);
    }
    const rows = await repo.listForUser(userId, unique);
    if (rows.length !== unique.length) return undefined;
    const total = rows.reduce((sum, row) => sum + row.size, 0);
    if (total > settings.max_message_bytes) {
      throw new AttachmentLimitError(
        `The files attached to one message may total at most ${formatMb(settings.max_message_bytes)}; these total ${formatMb(total)}.`,
      );
    }
    return repo.bindToConversation(rows, conversationId);
  }

  /** The bytes of an attachment (undefined when they are gone). */
  const read = (row: Pick<AttachmentRow, 'sha256'>): Promise<Buffer | undefined> => blobs.get(row.sha256);

  /**
   * Deletes a conversation (`remove`) with its attachments: their rows, and the bytes no other attachment
   * shares. The sha256 values are read first, since deleting the conversation cascades to the rows.
   */
  async function deleteWithConversation<T>(conversationId: string, remove: () => Promise<T>): Promise<T> {
    const shas = await repo.shasOfConversation(conversationId);
    const result = await remove();
    await repo.deleteForConversation(conversationId);
    await free(shas);
    return result;
  }

  return {
    store,
    inspect,
    /** Stores bytes already checked (inspect), once per sha256; `free` deletes them again if nothing comes to reference them. */
    putBytes: (sha256: string, bytes: Buffer) => blobs.put(sha256, bytes),
    free,
    attachToMessage,
    read,     deleteWithConversation,
    getForUser: repo.getForUser,
    listByIds: repo.listByIds,
    close: () => extractor.close(),
  };
}

function formatMb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export type AttachmentService = ReturnType<typeof createAttachmentService>;
