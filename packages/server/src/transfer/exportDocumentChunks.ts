import { EXPORT_FORMAT, EXPORT_VERSION, type ExportAttachment, type ExportMessage, type ExportProject } from '@nanoclaw/protocol';
import type { ExportConversationHead, RowPosition } from '../db/index.js';

/** Where an export reads from, one page at a time. */
export interface ExportSource {
  projects(): Promise<ExportProject[]>;
  /** Conversations oldest first, strictly after `after`, at most `limit`. */
  conversationPage(after: RowPosition | null, limit: number): Promise<ExportConversationHead[]>;
  /** A conversation's messages oldest first (parents before children), strictly after `after`, at most `limit`. */
  messagePage(conversationId: string, after: RowPosition | null, limit: number): Promise<ExportMessage[]>;
  /** A conversation's attachments (without their bytes) oldest first, strictly after `after`, at most `limit`. */
  attachmentPage(conversationId: string, after: RowPosition | null, limit: number): Promise<Omit<ExportAttachment, 'data'>[]>;
  /** One attachment's bytes (undefined when they are gone). */
  attachmentBytes(attachment: Omit<ExportAttachment, 'data'>): Promise<Buffer | undefined>;
}

export interface ExportOptions {
  exportedAt: string;
  /** Rows read per query (conversations and messages alike). */
  pageSize?: number;
}

export const EXPORT_PAGE_SIZE = 500;
/** Attachment rows read per query: each may carry a document's text. */
export const ATTACHMENT_PAGE_SIZE = 20;

/** Every page of a keyset-paged read, one after the other. */
async function* pages<T extends RowPosition>(read: (after: RowPosition | null) => Promise<T[]>, pageSize: number): AsyncGenerator<T[]> {
  let after: RowPosition | null = null;
  for (;;) {
    const page = await read(after);
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    const last = page[page.length - 1]!;
    after = { created_at: last.created_at, id: last.id };
  }
}

/**
 * The NanoClaw export document (exportDocumentSchema) as text chunks, written while it is read: one
 * page of conversations or messages in memory at a time, and one attachment's bytes, whatever the size
 * of the whole.
 */
export async function* exportDocumentChunks(source: ExportSource, options: ExportOptions): AsyncGenerator<string> {
  const pageSize = options.pageSize ?? EXPORT_PAGE_SIZE;
  const head = { format: EXPORT_FORMAT, version: EXPORT_VERSION, exported_at: options.exportedAt, projects: await source.projects() };
  yield `${JSON.stringify(head).slice(0, -1)},"conversations":[`;
  let firstConversation = true;
  for await (const conversations of pages((after) => source.conversationPage(after, pageSize), pageSize)) {
    for (const conversation of conversations) {
      yield `${firstConversation ? '' : ','}${JSON.stringify(conversation).slice(0, -1)},"messages":[`;
      firstConversation = false;
      let firstPage = true;
      for await (const messages of pages((after) => source.messagePage(conversation.id, after, pageSize), pageSize)) {
        yield `${firstPage ? '' : ','}${messages.map((message) => JSON.stringify(message)).join(',')}`;
        firstPage = false;
      }
      yield '],"attachments":[';
      let firstAttachment = true;
      for await (const attachments of pages((after) => source.attachmentPage(conversation.id, after, ATTACHMENT_PAGE_SIZE), ATTACHMENT_PAGE_SIZE)) {
        for (const attachment of attachments) {
          const bytes = await source.attachmentBytes(attachment);
          yield `${firstAttachment ? '' : ','}${JSON.stringify(bytes === undefined ? attachment : { ...attachment, data: bytes.toString('base64') })}`;
          firstAttachment = false;
        }
      }
      yield ']}';
    }
  }
  yield ']}';
}
