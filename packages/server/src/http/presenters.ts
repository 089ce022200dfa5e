import type { ApiConversation, ApiMessage, AssistantContent, MessageStatus, UserContent } from '@nanoclaw/protocol';
import type { ConversationRow, MessageRow } from '../db/index.js';

/** `messageCount`: how many messages it holds (see conversationRepo.countMessagesOf), when known. */
export function presentConversation(row: ConversationRow & { project_name?: string | null }, messageCount?: number): ApiConversation {
  return {
    id: row.id,
    user_id: row.user_id,
    project_id: row.project_id,
    ...(row.project_name !== undefined ? { project_name: row.project_name } : {}),
    title: row.title,
    model: row.model,
    system_prompt: row.system_prompt,
    temperature: row.temperature,
    max_tokens: row.max_tokens,
    thinking_enabled: row.thinking_enabled,
    created_at: row.created_at,
    updated_at: row.updated_at,
    pinned: row.pinned,
    pinned_at: row.pinned_at,
    ...(messageCount !== undefined ? { message_count: messageCount } : {}),
  };
}

/** A message flattened as the original API answered it; `siblingIds`: its versions (messageRepo.siblingIdsOf). */
export function presentMessage(row: MessageRow, siblingIds: string[] = [row.id]): ApiMessage {
  const base = {
    id: row.id,
    conversation_id: row.conversation_id,
    role: row.role,
    status: row.status as MessageStatus,
    token_count: row.token_count,
    parent_id: row.parent_id,
    sibling_ids: siblingIds,
    created_at: row.created_at,
  };
  if (row.role === 'assistant') {
    const content = row.content as Partial<AssistantContent>;
    return {
      ...base,
      text: content.text ?? '',
      tool_calls: content.tool_calls ?? [],
      process_steps: content.steps ?? [],
      ...(content.error ? { error: content.error } : {}),
      ...(content.notices?.length ? { notices: content.notices } : {}),
    };
  }
  const content = row.content as Partial<UserContent>;
  return {
    ...base,
    text: content.text ?? '',
    ...(content.attachments?.length ? { attachments: content.attachments } : {}),
    ...(content.files?.length ? { files: content.files } : {}),
  };
}
