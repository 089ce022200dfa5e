import type { ExportConversation, ExportMessage, Step } from '@nanoclaw/protocol';
import { activePathOf as activePath } from '../db/conversationTree.js';

const ROLE_HEADINGS: Record<ExportMessage['role'], string> = { user: 'User', assistant: 'Assistant', system: 'System', tool: 'Tool' };

/** A fence longer than any backtick run inside `text`, so the block cannot be closed early. */
function fenced(text: string, language = ''): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text}\n${fence}`;
}

/** A collapsible block (rendered folded by GitHub and most Markdown viewers). */
function details(summary: string, body: string): string {
  return `<details>\n<summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function stepBlock(step: Step): string {
  switch (step.type) {
    case 'text':
      return step.content;
    case 'thinking':
      return details('Thinking', step.content.split('\n').map((line) => `> ${line}`).join('\n'));
    case 'tool_call':
      return details(`Tool call: ${escapeHtml(step.name)}`, fenced(step.arguments, 'json'));
    case 'tool_result':
      return details(`Tool result: ${escapeHtml(step.name)}${step.skipped ? ' (skipped)' : step.success === false ? ' (failed)' : ''}`, fenced(step.content));
  }
}

function messageBody(message: ExportMessage): string {
  const content = message.content;
  const parts: string[] = [];
  if ('steps' in content && content.steps.length > 0) {
    // Sub-agents' steps belong to their call; the transcript shows the top level.
    parts.push(...content.steps.filter((step) => !step.parent_id).map(stepBlock));
  } else {
    parts.push(content.text);
  }
  if ('attachments' in content) {
    for (const attachment of content.attachments ?? []) parts.push(details(`Attachment: ${escapeHtml(attachment.name)}`, fenced(attachment.content, attachment.extension ?? '')));
  }
  if ('error' in content && content.error) parts.push(`> **Error:** ${content.error}`);
  if (message.status !== 'complete') parts.push(`*(${message.status.replace('_', ' ')})*`);
  return parts.filter((part) => part.trim() !== '').join('\n\n');
}

/**
 * A readable transcript of the conversation's active path: the title, its settings in a line, then each
 * message under a role heading; thinking and tool calls folded into collapsible blocks.
 */
export function markdownTranscript(conversation: ExportConversation): string {
  const lines = [`# ${conversation.title || 'Untitled conversation'}`, '', `*Model: ${conversation.model} · created ${conversation.created_at}*`];
  if (conversation.system_prompt) lines.push('', details('System prompt', conversation.system_prompt));
  for (const message of activePath(conversation.messages, conversation.active_leaf_id)) {
    lines.push('', `## ${ROLE_HEADINGS[message.role]}`, '', messageBody(message));
  }
  return `${lines.join('\n')}\n`;
}
