import { createHash } from 'node:crypto';
import type { ExportAttachment, ExportConversation } from '@nanoclaw/protocol';
import type { AttachmentToImport } from '../db/index.js';
import type { AttachmentService } from '../attachments/attachmentService.js';
import { ExtractionError } from '../attachments/documentExtractor.js';
import { ImageError } from '../attachments/prepareImage.js';
import { UnsupportedFileError } from '../attachments/sniffAttachment.js';
import { ImportFileError } from './importErrors.js';

/** How an import checks files: as uploads are (the attachment service), within attachments.max_file_bytes. */
export interface AttachmentChecker {
  inspect: AttachmentService['inspect'];
  maxFileBytes: number;
}

/** A file checked for import, with its bytes, still to be stored. */
export interface CheckedAttachment extends AttachmentToImport {
  bytes: Buffer;
}

export interface CheckedConversation {
  conversation: ExportConversation;
  attachments: CheckedAttachment[];
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Checks one carried file: its base64, size, sha256 and type from its bytes, as an upload is checked. */
async function checkAttachment(attachment: ExportAttachment & { data: string }, checker: AttachmentChecker, where: string): Promise<CheckedAttachment> {
  const fail = (problem: string) => new ImportFileError(`${where}: ${problem} Nothing was imported.`);
  if (attachment.size > checker.maxFileBytes) throw fail(`it is larger than the ${checker.maxFileBytes} bytes a file may be (attachments.max_file_bytes).`);
  if (!BASE64.test(attachment.data)) throw fail('its data is not base64.');
  const bytes = Buffer.from(attachment.data, 'base64');
  if (bytes.length !== attachment.size) throw fail(`its data holds ${bytes.length} bytes, not the ${attachment.size} its size says.`);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== attachment.sha256) throw fail(`its data does not match its sha256 (the bytes hash to ${sha256}).`);
  let file: Awaited<ReturnType<AttachmentChecker['inspect']>>;
  try {
    file = await checker.inspect({ name: attachment.name, bytes });
  } catch (err) {
    if (err instanceof UnsupportedFileError || err instanceof ImageError || err instanceof ExtractionError) throw fail(err.message);
    throw err;
  }
  if (file.mime !== attachment.mime || file.kind !== attachment.kind) {
    throw fail(`its bytes are ${file.mime} (${file.kind}), not the ${attachment.mime} (${attachment.kind}) it says.`);
  }
  return { id: attachment.id, file, bytes };
}

/**
 * Checks every file the conversations carry (all of them, before anything is stored: one bad file
 * refuses the import with a 400 naming its conversation and the file), and leaves out of the messages
 * the references to files the import does not carry, with a note saying so.
 */
export async function checkImportAttachments(
  conversations: readonly ExportConversation[],
  checker: AttachmentChecker | undefined,
): Promise<{ conversations: CheckedConversation[]; notes: string[] }> {
  const notes: string[] = [];
  const checked: CheckedConversation[] = [];
  for (const [c, conversation] of conversations.entries()) {
    const attachments: CheckedAttachment[] = [];
    for (const [a, attachment] of (conversation.attachments ?? []).entries()) {
      const where = `The conversation "${conversation.title}" (conversations[${c}]) has the file "${attachment.name}" (attachments[${a}])`;
      if (attachments.some((other) => other.id === attachment.id)) throw new ImportFileError(`${where}: its id "${attachment.id}" is repeated. Nothing was imported.`);
      if (attachment.data === undefined || !checker) continue;
      attachments.push(await checkAttachment({ ...attachment, data: attachment.data }, checker, where));
    }
    const carried = new Set(attachments.map((attachment) => attachment.id));
    let left = 0;
    const messages = conversation.messages.map((message) => {
      const content = message.content;
      if (!('files' in content) || !content.files?.length) return message;
      const files = content.files.filter((ref) => carried.has(ref.id));
      left += content.files.length - files.length;
      if (files.length === content.files.length) return message;
      const { files: _files, ...rest } = content;
      return { ...message, content: files.length > 0 ? { ...rest, files } : rest };
    });
    if (left > 0) {
      const why = checker ? 'the file does not carry' : 'this server does not accept attachments';
      notes.push(`${left} file reference${left === 1 ? '' : 's'} in "${conversation.title}" (conversations[${c}]) named files ${why}; left out of the messages.`);
    }
    checked.push({ conversation: { ...conversation, messages }, attachments });
  }
  return { conversations: checked, notes };
}
