import { z } from 'zod';
import type { ExportConversation, ExportMessage } from '@nanoclaw/protocol';
import { ImportFileError } from './importErrors.js';
import { foreignConversation, foreignImport, type ImportDefaults, type ImportPlan } from './importPlan.js';
import { importedTimestamp, type Placeholders } from './importText.js';

const openWebuiMessageSchema = z.looseObject({
  id: z.string().min(1),
  parentId: z.string().nullable().optional(),
  childrenIds: z.array(z.string()).optional(),
  role: z.enum(['user', 'assistant', 'system']),
  content: z.union([z.string(), z.array(z.unknown())]).nullable().optional(),
  timestamp: z.number().nullable().optional(),
  files: z.array(z.unknown()).optional(),
});
type OpenWebuiMessage = z.infer<typeof openWebuiMessageSchema>;

const openWebuiChatSchema = z.looseObject({
  title: z.string().nullable().optional(),
  created_at: z.number().nullable().optional(),
  updated_at: z.number().nullable().optional(),
  chat: z.looseObject({
    title: z.string().nullable().optional(),
    history: z
      .looseObject({
        messages: z.record(z.string(), openWebuiMessageSchema),
        currentId: z.string().nullable().optional(),
      })
      .optional(),
    messages: z.array(openWebuiMessageSchema).optional(),
  }),
});
type OpenWebuiChat = z.infer<typeof openWebuiChatSchema>;

/** A file is an Open WebUI chat export when it is a list of chats (or one chat) with a `chat` object. */
export function looksLikeOpenWebui(value: unknown): boolean {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'object' && first !== null && 'chat' in first && typeof (first as { chat: unknown }).chat === 'object';
}

function messageText(message: OpenWebuiMessage, placeholders: Placeholders): string {
  const content = message.content ?? '';
  const parts = typeof content === 'string' ? [content] : content.map((part) => (typeof part === 'string' ? part : placeholders.part(part)));
  for (const file of message.files ?? []) parts.push(placeholders.part(file));
  return parts.filter((part) => part !== '').join('\n\n');
}

/**
 * One Open WebUI chat as ours: `history.messages` (parentId / childrenIds) is the tree and `currentId`
 * the active leaf; an older export with only the `messages` list is one path.
 */
function convertChat(chat: OpenWebuiChat, index: number, defaults: ImportDefaults, placeholders: Placeholders): ExportConversation {
  const history = chat.chat.history;
  const all: Record<string, OpenWebuiMessage> = history?.messages ?? {};
  if (!history) {
    // The flat list: each message answers the one before it.
    (chat.chat.messages ?? []).forEach((message, i, list) => {
      all[message.id] = { ...message, parentId: i === 0 ? null : list[i - 1]!.id };
    });
  }
  const children = new Map<string | null, string[]>();
  for (const message of Object.values(all)) {
    const parent = message.parentId && message.parentId in all ? message.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), message.id]);
  }
  const order = (ids: string[], parent: OpenWebuiMessage | undefined): string[] => {
    const listed = (parent?.childrenIds ?? []).filter((id) => ids.includes(id));
    return [...listed, ...ids.filter((id) => !listed.includes(id))];
  };
  const messages: ExportMessage[] = [];
  const stack = order(children.get(null) ?? [], undefined).reverse();
  const seen = new Set<string>();
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) throw new ImportFileError(`The file's chat ${index} reaches message "${id}" twice: its history is not a tree.`);
    seen.add(id);
    const message = all[id]!;
    const text = messageText(message, placeholders);
    const base = { id, parent_id: message.parentId && message.parentId in all ? message.parentId : null, token_count: 0, status: 'complete' as const, created_at: importedTimestamp(message.timestamp) };
    messages.push(
      message.role === 'assistant'
        ? { ...base, role: 'assistant', content: { text, tool_calls: [], steps: text === '' ? [] : [{ id: `${id}:0`, index: 0, type: 'text', content: text }] } }
        : { ...base, role: message.role, content: { text } },
    );
    stack.push(...order(children.get(id) ?? [], message).reverse());
  }
  if (seen.size < Object.keys(all).length) throw new ImportFileError(`The file's chat ${index} has messages no root reaches: its history is not a tree.`);
  const currentId = history?.currentId;
  return foreignConversation(defaults, {
    index,
    title: chat.title ?? chat.chat.title ?? '',
    active_leaf_id: currentId && currentId in all ? currentId : null,
    created_at: importedTimestamp(chat.created_at),
    updated_at: importedTimestamp(chat.updated_at),
    messages,
  });
}

/** An Open WebUI chat export (a list of chats, or one). */
export function openWebuiImport(value: unknown, defaults: ImportDefaults): ImportPlan {
  return foreignImport('open-webui', 'an Open WebUI chat export', openWebuiChatSchema, value, (chat, index, placeholders) => convertChat(chat, index, defaults, placeholders));
}
