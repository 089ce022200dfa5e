import type { ExportAttachment, ExportConversation, ExportMessage, ExportProject, FileRef } from '@nanoclaw/protocol';
import type { Kysely } from 'kysely';
import { createConversationRepo, toConversationRow } from './conversationRepo.js';
import { createAttachmentRepo, type NewAttachment } from './attachmentRepo.js';
import { createMessageRepo, toMessageRow, type MessageRow } from './messageRepo.js';
import type { DB } from './schema.js';
import { toNumber, type Clock } from './values.js';

/** A conversation as exported, without its messages (those are read page by page). */
export type ExportConversationHead = Omit<ExportConversation, 'messages' | 'attachments'>;

/** Where a page of rows sorted by (created_at, id) starts: strictly after this row. */
export interface RowPosition {
  created_at: string;
  id: string;
}

/** A file of an imported conversation, its bytes checked and stored already; `id` is its id in the file. */
export interface AttachmentToImport {
  id: string;
  file: Omit<NewAttachment, 'userId' | 'conversationId'>;
}

/**
 * A conversation to store, its project already resolved to one of the importer's; every `files[].id` its
 * messages hold names one of `attachments`.
 */
export interface ConversationToImport {
  conversation: ExportConversation;
  projectId: string | null;
  attachments?: readonly AttachmentToImport[];
}

export interface ImportedConversation {
  id: string;
  title: string;
  message_count: number;
}

function toExportMessage(row: MessageRow): ExportMessage {
  return {
    id: row.id,
    parent_id: row.parent_id,
    role: row.role,
    content: row.content,
    token_count: row.token_count,
    status: row.status,
    created_at: row.created_at,
  };
}

function refTo(fileRefs: ReadonlyMap<string, FileRef>, id: string): FileRef {
  const ref = fileRefs.get(id);
  if (!ref) throw new Error(`A message names the file "${id}", which is not among its conversation's files.`);
  return ref;
}

/**
 * The reads behind exports (page by page, so a user's 100,000 messages never sit in memory together)
 * and the one transaction an import is stored in. Messages are written through messageRepo's
 * draft/insert, like every other message.
 */
export function createTransferStore(db: Kysely<DB>, now: Clock) {
  async function projects(userId: string): Promise<ExportProject[]> {
    const rows = await db
      .selectFrom('projects')
      .select(['name', 'description', 'created_at'])
      .where('user_id', '=', userId)
      .orderBy('name', 'asc')
      .execute();
    return rows;
  }

  /** The user's conversations oldest first (all of them, or only `onlyId`), strictly after `after`. */
  async function conversationPage(userId: string, after: RowPosition | null, limit: number, onlyId?: string): Promise<ExportConversationHead[]> {
    let query = db
      .selectFrom('conversations as c')
      .leftJoin('projects as p', 'p.id', 'c.project_id')
      .selectAll('c')
      .select('p.name as project_name')
      .where('c.user_id', '=', userId);
    if (onlyId !== undefined) query = query.where('c.id', '=', onlyId);
    if (after) {
      query = query
        .where('c.created_at', '>=', after.created_at)
        .where((eb) => eb.or([eb('c.created_at', '>', after.created_at), eb('c.id', '>', after.id)]));
    }
    const rows = await query.orderBy('c.created_at', 'asc').orderBy('c.id', 'asc').limit(limit).execute();
    return rows.map((row) => {
      // Pinning is the exporter's view of their list, not part of the conversation: not exported.
      const { user_id: _user, project_id: _project, project_name, pinned: _pinned, pinned_at: _pinnedAt, ...settings } = toConversationRow(row);
      return { ...settings, project: project_name, active_leaf_id: row.active_leaf_id };
    });
  }

  /** A conversation's messages by (created_at, id), strictly after `after`: parents come before their children. */
  async function messagePage(conversationId: string, after: RowPosition | null, limit: number): Promise<ExportMessage[]> {
    let query = db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId);
    if (after) {
      query = query
        .where('created_at', '>=', after.created_at)
        .where((eb) => eb.or([eb('created_at', '>', after.created_at), eb('id', '>', after.id)]));
    }
    const rows = await query.orderBy('created_at', 'asc').orderBy('id', 'asc').limit(limit).execute();
    return rows.map((row) => toExportMessage(toMessageRow(row)));
  }

  /** A conversation's attachments (rows only) by (created_at, id), strictly after `after`. */
  async function attachmentPage(conversationId: string, after: RowPosition | null, limit: number): Promise<Omit<ExportAttachment, 'data'>[]> {
    let query = db
      .selectFrom('attachments')
      .select(['id', 'name', 'mime', 'kind', 'size', 'sha256', 'text', 'created_at'])
      .where('conversation_id', '=', conversationId);
    if (after) {
      query = query
        .where('created_at', '>=', after.created_at)
        .where((eb) => eb.or([eb('created_at', '>', after.created_at), eb('id', '>', after.id)]));
    }
    const rows = await query.orderBy('created_at', 'asc').orderBy('id', 'asc').limit(limit).execute();
    return rows.map((row) => ({ ...row, size: toNumber(row.size) }));
  }

  /**
   * Stores the conversations and their messages in one transaction (all or nothing), each owned by
   * `userId`, with new ids and timestamps; parents are drafted before their children, so the tree and
   * the order of siblings stay as they were. Attachment rows (bytes stored already) are made part of
   * their new conversation, and the messages' `files` name them by their new ids.
   */
  async function importConversations(userId: string, items: readonly ConversationToImport[]): Promise<ImportedConversation[]> {
    return db.transaction().execute(async (trx) => {
      const conversations = createConversationRepo(trx, now);
      const messages = createMessageRepo(trx, now);
      const attachments = createAttachmentRepo(trx, now);
      const created: ImportedConversation[] = [];
      for (const { conversation, projectId, attachments: files = [] } of items) {
        const row = await conversations.create(userId, {
          title: conversation.title,
          model: conversation.model,
          systemPrompt: conversation.system_prompt,
          temperature: conversation.temperature,
          maxTokens: conversation.max_tokens,
          thinkingEnabled: conversation.thinking_enabled,
          projectId,
        });
        const fileRefs = new Map<string, FileRef>();
        for (const { id, file } of files) {
          const stored = await attachments.create({ ...file, userId, conversationId: row.id });
          fileRefs.set(id, { id: stored.id, name: stored.name, mime: stored.mime, size: stored.size, sha256: stored.sha256, kind: stored.kind });
        }
        const newIds = new Map<string, string>();
        const rows = conversation.messages.map((message) => {
          const parentId = message.parent_id === null ? null : newIds.get(message.parent_id);
          if (parentId === undefined) throw new Error(`Message ${message.id} comes before its parent.`);
          const drafted = messages.draft({
            conversationId: row.id,
            parentId,
            role: message.role,
            content: 'files' in message.content && message.content.files ? { ...message.content, files: message.content.files.map((ref) => refTo(fileRefs, ref.id)) } : message.content,
            status: message.status,
            tokenCount: message.token_count,
          });
          newIds.set(message.id, drafted.id);
          return drafted;
        });
        await messages.insert(rows);
        const activeLeaf = conversation.active_leaf_id === null ? null : (newIds.get(conversation.active_leaf_id) ?? null);
        if (activeLeaf !== null) await trx.updateTable('conversations').set({ active_leaf_id: activeLeaf }).where('id', '=', row.id).execute();
        created.push({ id: row.id, title: row.title, message_count: rows.length });
      }
      return created;
    });
  }

  return { projects, conversationPage, messagePage, attachmentPage, importConversations };
}

export type TransferStore = ReturnType<typeof createTransferStore>;
