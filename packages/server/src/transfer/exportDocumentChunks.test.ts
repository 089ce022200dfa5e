import { describe, expect, it } from 'vitest';
import { exportDocumentSchema, type ExportAttachment, type ExportMessage } from '@nanoclaw/protocol';
import type { ExportConversationHead, RowPosition } from '../db/index.js';
import { ATTACHMENT_PAGE_SIZE, exportDocumentChunks, type ExportSource } from './exportDocumentChunks.js';

const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();

function conversation(n: number): ExportConversationHead {
  return {
    id: `c${n}`,
    title: `Conversation ${n}`,
    model: 'text',
    system_prompt: null,
    temperature: 0.7,
    max_tokens: 4096,
    thinking_enabled: false,
    project: null,
    active_leaf_id: null,
    created_at: at(n),
    updated_at: at(n),
  };
}

function message(conversationId: string, n: number): ExportMessage {
  return {
    id: `${conversationId}-m${String(n).padStart(3, '0')}`,
    parent_id: n === 0 ? null : `${conversationId}-m${String(n - 1).padStart(3, '0')}`,
    role: n % 2 === 0 ? 'user' : 'assistant',
    content: n % 2 === 0 ? { text: `question ${n}` } : { text: `answer ${n}`, tool_calls: [], steps: [{ id: 's', index: 0, type: 'text', content: `answer ${n}` }] },
    token_count: n,
    status: 'complete',
    created_at: at(n),
  };
}

/** Keyset pages over an in-memory list, logging every read. */
function after<T extends RowPosition>(rows: T[], position: RowPosition | null, limit: number): T[] {
  const start = position === null ? 0 : rows.findIndex((row) => row.id === position.id) + 1;
  return rows.slice(start, start + limit);
}

function fakeSource(conversations: number, messagesEach: number, log: string[], attachmentsEach = 0): ExportSource {
  const heads = Array.from({ length: conversations }, (_, i) => conversation(i));
  return {
    projects: async () => [{ name: 'Garden', description: null, created_at: at(0) }],
    conversationPage: async (position, limit) => {
      log.push(`conversations after ${position?.id ?? '-'} limit ${limit}`);
      return after(heads, position, limit);
    },
    messagePage: async (conversationId, position, limit) => {
      log.push(`messages ${conversationId} after ${position?.id ?? '-'} limit ${limit}`);
      return after(Array.from({ length: messagesEach }, (_, i) => message(conversationId, i)), position, limit);
    },
    attachmentPage: async (conversationId, position, limit) => {
      log.push(`attachments ${conversationId} after ${position?.id ?? '-'} limit ${limit}`);
      return after(Array.from({ length: attachmentsEach }, (_, i) => attachment(conversationId, i)), position, limit);
    },
    attachmentBytes: async (row) => {
      log.push(`bytes ${row.id}`);
      return row.id.endsWith('gone') ? undefined : Buffer.from(`bytes of ${row.id}`);
    },
  };
}

function attachment(conversationId: string, n: number): Omit<ExportAttachment, 'data'> {
  return {
    id: `${conversationId}-a${String(n).padStart(3, '0')}${n === 2 ? '-gone' : ''}`,
    name: `notes-${n}.md`,
    mime: 'text/markdown',
    kind: 'document',
    size: 10,
    sha256: 'a'.repeat(64),
    text: `notes ${n}`,
    created_at: at(n),
  };
}

async function collect(chunks: AsyncIterable<string>, log: string[]): Promise<string> {
  let text = '';
  for await (const chunk of chunks) {
    log.push('chunk');
    text += chunk;
  }
  return text;
}

describe('exportDocumentChunks', () => {
  it('writes a document the export schema reads back, every conversation with every message in order', async () => {
    const log: string[] = [];
    const text = await collect(exportDocumentChunks(fakeSource(3, 7, log), { exportedAt: at(99), pageSize: 3 }), log);
    const document = exportDocumentSchema.parse(JSON.parse(text));
    expect(document.projects).toEqual([{ name: 'Garden', description: null, created_at: at(0) }]);
    expect(document.conversations.map((c) => c.id)).toEqual(['c0', 'c1', 'c2']);
    expect(document.conversations[2]!.messages.map((m) => m.id)).toEqual(Array.from({ length: 7 }, (_, i) => message('c2', i).id));
    expect(document.conversations[1]!.messages[3]).toEqual(message('c1', 3));
  });

  it('reads page by page, each page written out before the next is read', async () => {
    const log: string[] = [];
    await collect(exportDocumentChunks(fakeSource(4, 7, log), { exportedAt: at(99), pageSize: 3 }), log);
    const reads = log.filter((entry) => entry !== 'chunk');
    // 4 conversations in pages of 3 (3 + 1); 7 messages each in pages of 3 (3 + 3 + 1): never more than a page asked for.
    expect(reads.filter((r) => r.startsWith('conversations'))).toEqual(['conversations after - limit 3', 'conversations after c2 limit 3']);
    expect(reads.filter((r) => r.startsWith('messages c0'))).toEqual(['messages c0 after - limit 3', 'messages c0 after c0-m002 limit 3', 'messages c0 after c0-m005 limit 3']);
    // Between two reads of the same conversation's messages, the page read first has gone out.
    const second = log.indexOf('messages c0 after c0-m002 limit 3');
    expect(log.slice(log.indexOf('messages c0 after - limit 3'), second)).toContain('chunk');
  });

  it('writes an empty conversation and an empty account as valid documents', async () => {
    const empty = exportDocumentSchema.parse(JSON.parse(await collect(exportDocumentChunks(fakeSource(0, 0, []), { exportedAt: at(1) }), [])));
    expect(empty.conversations).toEqual([]);
    const noMessages = exportDocumentSchema.parse(JSON.parse(await collect(exportDocumentChunks(fakeSource(1, 0, []), { exportedAt: at(1) }), [])));
    expect(noMessages.conversations[0]!.messages).toEqual([]);
  });

  it("writes each conversation's attachments with their bytes as base64, one file's bytes read at a time", async () => {
    const log: string[] = [];
    const count = ATTACHMENT_PAGE_SIZE + 2;
    const text = await collect(exportDocumentChunks(fakeSource(2, 1, log, count), { exportedAt: at(99) }), log);
    const document = exportDocumentSchema.parse(JSON.parse(text));
    const files = document.conversations[1]!.attachments!;
    expect(files).toHaveLength(count);
    expect(files[0]).toEqual({ ...attachment('c1', 0), data: Buffer.from('bytes of c1-a000').toString('base64') });
    // Bytes that are gone are not invented: the file is listed without data.
    expect(files[2]).toEqual(attachment('c1', 2));
    // Pages of ATTACHMENT_PAGE_SIZE rows; after each file's bytes are read, they are written before the next file's are read.
    expect(log.filter((r) => r.startsWith('attachments c0'))).toEqual([
      `attachments c0 after - limit ${ATTACHMENT_PAGE_SIZE}`,
      `attachments c0 after c0-a${String(ATTACHMENT_PAGE_SIZE - 1).padStart(3, '0')} limit ${ATTACHMENT_PAGE_SIZE}`,
    ]);
    const reads = log.map((entry, i) => [entry, i] as const).filter(([entry]) => entry.startsWith('bytes'));
    for (let k = 1; k < reads.length; k++) expect(log.slice(reads[k - 1]![1], reads[k]![1])).toContain('chunk');
  });
});
