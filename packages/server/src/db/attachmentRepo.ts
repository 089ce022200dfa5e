import type { Kysely, Selectable } from 'kysely';
import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';
import type { AttachmentsTable, DB } from './schema.js';
import { systemClock, timestamp, toNumber, type Clock } from './values.js';

export type AttachmentRow = Selectable<AttachmentsTable>;

export type NewAttachment = Pick<AttachmentRow, 'name' | 'mime' | 'kind' | 'size' | 'sha256' | 'text'> & {
  userId: string;
  /** Made part of this conversation at once (an import); absent: an unsent upload. */
  conversationId?: string;
};

/** Bytes per stored chunk: MariaDB refuses statements over max_allowed_packet (16 MiB by default). */
export const BLOB_CHUNK_BYTES = 1024 * 1024;

/**
 * Attachments (uploaded files): their rows, and their bytes when they are kept in the database
 * (`attachment_blobs`, once per sha256, in chunks).
 */
export function createAttachmentRepo(db: Kysely<DB>, now: Clock = systemClock) {
  const normalise = (row: AttachmentRow): AttachmentRow => ({ ...row, size: toNumber(row.size) });

  async function create(input: NewAttachment): Promise<AttachmentRow> {
    const row: AttachmentRow = {
      // Time-ordered, so rows made in the same millisecond (an import's) keep their order by (created_at, id).
      id: uuidv7(),
      user_id: input.userId,
      conversation_id: input.conversationId ?? null,
      name: input.name,
      mime: input.mime,
      kind: input.kind,
      size: input.size,
      sha256: input.sha256,
      text: input.text,
      created_at: timestamp(now()),
    };
    await db.insertInto('attachments').values(row).execute();
    return row;
  }

  async function getForUser(userId: string, id: string): Promise<AttachmentRow | undefined> {
    const row = await db.selectFrom('attachments').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return row && normalise(row);
  }

  /** The rows with these ids, in the order asked; ids that are missing or not the user's are left out. */
  async function listForUser(userId: string, ids: readonly string[]): Promise<AttachmentRow[]> {
    if (ids.length === 0) return [];
    const rows = await db.selectFrom('attachments').selectAll().where('user_id', '=', userId).where('id', 'in', [...ids]).execute();
    const byId = new Map(rows.map((row) => [row.id, normalise(row)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** The rows with these ids, whoever owns them (a run reading files its own conversation references). */
  async function listByIds(ids: readonly string[]): Promise<AttachmentRow[]> {
    if (ids.length === 0) return [];
    return (await db.selectFrom('attachments').selectAll().where('id', 'in', [...ids]).execute()).map(normalise);
  }

  /**
   * Makes each attachment part of the conversation: an unsent upload is moved into it; one that already
   * belongs to another conversation is copied (a new row, the same bytes), so that deleting either
   * conversation leaves the other's files alone. Returns the rows the message must reference, in order.
   */
  async function bindToConversation(rows: readonly AttachmentRow[], conversationId: string): Promise<AttachmentRow[]> {
    const bound: AttachmentRow[] = [];
    for (const row of rows) {
      if (row.conversation_id === conversationId) bound.push(row);
      else if (row.conversation_id === null) {
        const result = await db
          .updateTable('attachments')
          .set({ conversation_id: conversationId })
          .where('id', '=', row.id)
          .where('conversation_id', 'is', null)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) > 0) bound.push({ ...row, conversation_id: conversationId });
        else bound.push(await copyInto(row, conversationId));
      } else bound.push(await copyInto(row, conversationId));
    }
    return bound;
  }

  async function copyInto(row: AttachmentRow, conversationId: string): Promise<AttachmentRow> {
    const copy: AttachmentRow = { ...row, id: uuidv4(), conversation_id: conversationId, created_at: timestamp(now()) };
    await db.insertInto('attachments').values(copy).execute();
    return copy;
  }

  /** The sha256 of every attachment of the conversation. */
  async function shasOfConversation(conversationId: string): Promise<string[]> {
    return (await db.selectFrom('attachments').select('sha256').where('conversation_id', '=', conversationId).execute()).map((r) => r.sha256);
  }

  /** Deletes the conversation's attachment rows (the foreign key cascades too; this holds where enforcement is off). */
  async function deleteForConversation(conversationId: string): Promise<void> {
    await db.deleteFrom('attachments').where('conversation_id', '=', conversationId).execute();
  }

  /** Deletes the user's uploads that no message references and that are older than `before`; answers their sha256 values. */
  async function deleteUnsent(userId: string, before: Date): Promise<string[]> {
    const rows = await db
      .selectFrom('attachments')
      .select(['id', 'sha256'])
      .where('user_id', '=', userId)
      .where('conversation_id', 'is', null)
      .where('created_at', '<', timestamp(before))
      .execute();
    if (rows.length === 0) return [];
    await db.deleteFrom('attachments').where('id', 'in', rows.map((r) => r.id)).where('conversation_id', 'is', null).execute();
    return rows.map((r) => r.sha256);
  }

  /** Of these sha256 values, those no attachment row references. */
  async function unreferenced(shas: readonly string[]): Promise<string[]> {
    const unique = [...new Set(shas)];
    if (unique.length === 0) return [];
    const used = new Set((await db.selectFrom('attachments').select('sha256').where('sha256', 'in', unique).execute()).map((r) => r.sha256));
    return unique.filter((sha) => !used.has(sha));
  }

  // --- bytes kept in the database ---------------------------------------------------------------

  async function hasBlob(sha256: string): Promise<boolean> {
    return (await db.selectFrom('attachment_blobs').select('seq').where('sha256', '=', sha256).where('seq', '=', 0).executeTakeFirst()) !== undefined;
  }

  /** Stores the bytes once per sha256 (a second upload of the same content writes nothing). */
  async function putBlob(sha256: string, bytes: Buffer): Promise<void> {
    if (await hasBlob(sha256)) return;
    try {
      await db.transaction().execute(async (trx) => {
        for (let seq = 0, offset = 0; offset < bytes.length || seq === 0; seq++, offset += BLOB_CHUNK_BYTES) {
          await trx.insertInto('attachment_blobs').values({ sha256, seq, data: bytes.subarray(offset, offset + BLOB_CHUNK_BYTES) }).execute();
        }
      });
    } catch (err) {
      // The same content stored at the same moment by another upload (or instance) is as good.
      if (!(await hasBlob(sha256))) throw err;
    }
  }

  async function getBlob(sha256: string): Promise<Buffer | undefined> {
    const chunks = await db.selectFrom('attachment_blobs').select(['seq', 'data']).where('sha256', '=', sha256).orderBy('seq').execute();
    if (chunks.length === 0) return undefined;
    return Buffer.concat(chunks.map((chunk) => Buffer.from(chunk.data)));
  }

  async function deleteBlob(sha256: string): Promise<void> {
    await db.deleteFrom('attachment_blobs').where('sha256', '=', sha256).execute();
  }

  return { create, getForUser, listForUser, listByIds, bindToConversation, shasOfConversation, deleteForConversation, deleteUnsent, unreferenced, putBlob, getBlob, deleteBlob };
}

export type AttachmentRepo = ReturnType<typeof createAttachmentRepo>;
