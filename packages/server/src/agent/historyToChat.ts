import type { AssistantContent, Step, UserContent } from '@nanoclaw/protocol';
import type { ChatContentPart, ChatMessage, ChatToolCall } from '../llm/types.js';

/** A stored message as the agent needs it. */
export interface HistoryMessage {
  role: 'user' | 'assistant' | 'system' | 'tool';
  content: UserContent | AssistantContent | { text: string };
}

/** The text the model sees for a user message: its text, then each attachment as a fenced block. */
export function userMessageText(content: UserContent): string {
  const parts = [content.text];
  for (const file of content.attachments ?? []) {
    const fence = file.content.includes('```') ? '~~~~' : '```';
    parts.push(`Attached file ${file.name}:\n${fence}${file.extension ?? ''}\n${file.content}\n${fence}`);
  }
  return parts.join('\n\n');
}

/**
 * Replays an assistant message's steps as the model saw them: per round, an assistant message with its
 * text and tool_calls, then one tool message per answered call. Calls that never got a result (an answer
 * cut short) are left out, since providers reject tool_calls without matching tool messages.
 * Sub-agent steps (with parent_id) are internal to their tool call and not replayed.
 */
export function assistantStepsToChat(steps: Step[], fallbackText: string): ChatMessage[] {
  const messages: ChatMessage[] = [];
  let text = '';
  let reasoning = '';
  let calls: ChatToolCall[] = [];
  let results = new Map<string, string>();
  let sawResult = false;

  const flush = () => {
    const answered = calls.filter((call) => results.has(call.id));
    if (text || answered.length) {
      const message: ChatMessage = { role: 'assistant', content: text || null };
      if (answered.length) message.tool_calls = answered;
      if (reasoning) message.reasoning_content = reasoning;
      messages.push(message);
      for (const call of answered) messages.push({ role: 'tool', tool_call_id: call.id, content: results.get(call.id) ?? '' });
    }
    text = '';
    reasoning = '';
    calls = [];
    results = new Map();
    sawResult = false;
  };

  for (const step of steps) {
    if (step.parent_id) continue;
    if (sawResult && step.type !== 'tool_result') flush();
    switch (step.type) {
      case 'thinking':
        reasoning += step.content;
        break;
      case 'text':
        text += step.content;
        break;
      case 'tool_call':
        calls.push({ id: step.id_ref, type: 'function', function: { name: step.name, arguments: step.arguments } });
        break;
      case 'tool_result':
        results.set(step.id_ref, step.content);
        sawResult = true;
        break;
    }
  }
  flush();
  if (messages.length === 0 && fallbackText) messages.push({ role: 'assistant', content: fallbackText });
  return messages;
}

/**
 * A user message's content for the model: its text, then what stands for each uploaded file (`files`, from
 * filesForModel). Only text: one string (what every provider takes); with an image: content parts.
 */
export function userMessageContent(content: UserContent, files?: ReadonlyMap<string, ChatContentPart[]>): string | ChatContentPart[] {
  const text = userMessageText(content);
  const fileParts = (content.files ?? []).flatMap((ref) => files?.get(ref.id) ?? [{ type: 'text' as const, text: `[Attached file ${ref.name}]` }]);
  if (fileParts.length === 0) return text;
  if (fileParts.every((part) => part.type === 'text')) return [text, ...fileParts.map((part) => (part as { text: string }).text)].filter(Boolean).join('\n\n');
  return [...(text ? [{ type: 'text' as const, text }] : []), ...fileParts];
}

export function historyToChat(history: HistoryMessage[], files?: ReadonlyMap<string, ChatContentPart[]>): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const message of history) {
    if (message.role === 'user') out.push({ role: 'user', content: userMessageContent(message.content as UserContent, files) });
    else if (message.role === 'assistant') {
      const content = message.content as AssistantContent;
      out.push(...assistantStepsToChat(content.steps ?? [], content.text ?? ''));
    } else if (message.role === 'system') out.push({ role: 'system', content: (message.content as { text: string }).text });
  }
  return out;
}
