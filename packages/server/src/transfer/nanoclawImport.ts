import { EXPORT_VERSION, exportDocumentSchema, type ExportConversation } from '@nanoclaw/protocol';
import { describeIssues, ImportFileError } from './importErrors.js';
import type { ImportPlan } from './importPlan.js';

/** Every parent named is an earlier message of the same conversation; ids are unique; the active leaf is one of them. */
function checkTree(conversation: ExportConversation, index: number): void {
  const seen = new Set<string>();
  conversation.messages.forEach((message, m) => {
    const where = `conversations[${index}].messages[${m}]`;
    if (seen.has(message.id)) throw new ImportFileError(`The file's ${where} repeats the id "${message.id}".`);
    if (message.parent_id !== null && !seen.has(message.parent_id)) {
      throw new ImportFileError(`The file's ${where} names a parent_id ("${message.parent_id}") that is no earlier message of its conversation.`);
    }
    const isAnswer = 'steps' in message.content;
    if ((message.role === 'assistant') !== isAnswer) {
      throw new ImportFileError(`The file's ${where} has the role "${message.role}" but ${isAnswer ? "an answer's" : "a question's"} content.`);
    }
    seen.add(message.id);
  });
  if (conversation.active_leaf_id !== null && !seen.has(conversation.active_leaf_id)) {
    throw new ImportFileError(`The file's conversations[${index}].active_leaf_id ("${conversation.active_leaf_id}") is no message of that conversation.`);
  }
}

/** A NanoClaw export document (format "nanoclaw-export"), taken as it is. */
export function nanoclawImport(value: { version?: unknown }): ImportPlan {
  if (value.version !== EXPORT_VERSION) {
    throw new ImportFileError(`The file is a NanoClaw export of version ${JSON.stringify(value.version)}; this server reads version ${EXPORT_VERSION}.`);
  }
  const parsed = exportDocumentSchema.safeParse(value);
  if (!parsed.success) throw describeIssues('a NanoClaw export', parsed.error);
  parsed.data.conversations.forEach(checkTree);
  // An answer exported while it was being written is not being written here: it stopped where the file stops.
  let unfinished = 0;
  const conversations = parsed.data.conversations.map((conversation) => ({
    ...conversation,
    messages: conversation.messages.map((message) => {
      if (message.status !== 'streaming') return message;
      unfinished += 1;
      return { ...message, status: 'interrupted' as const };
    }),
  }));
  const notes = unfinished > 0 ? [`${unfinished} answer${unfinished === 1 ? ' was' : 's were'} still being written when exported; imported as interrupted.`] : [];
  return { format: 'nanoclaw', projects: parsed.data.projects, conversations, notes };
}
