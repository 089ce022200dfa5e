import { z } from 'zod';
import { answerFromSteps, type ExportConversation, type ExportMessage, type Step } from '@nanoclaw/protocol';
import { ImportFileError } from './importErrors.js';
import { foreignConversation, foreignImport, type ImportDefaults, type ImportPlan } from './importPlan.js';
import { importedTimestamp, type Placeholders } from './importText.js';

const chatgptMessageSchema = z.looseObject({
  id: z.string().optional(),
  author: z.looseObject({ role: z.string(), name: z.string().nullable().optional() }),
  create_time: z.number().nullable().optional(),
  content: z.looseObject({ content_type: z.string() }),
  status: z.string().nullable().optional(),
  recipient: z.string().nullable().optional(),
  metadata: z.record(z.string(), z.unknown()).nullable().optional(),
});
type ChatgptMessage = z.infer<typeof chatgptMessageSchema>;

const chatgptNodeSchema = z.looseObject({
  id: z.string().optional(),
  message: chatgptMessageSchema.nullable().optional(),
  parent: z.string().nullable().optional(),
  children: z.array(z.string()).default([]),
});

const chatgptConversationSchema = z.looseObject({
  title: z.string().nullable().optional(),
  create_time: z.number().nullable().optional(),
  update_time: z.number().nullable().optional(),
  mapping: z.record(z.string(), chatgptNodeSchema),
  current_node: z.string().nullable().optional(),
});
type ChatgptConversation = z.infer<typeof chatgptConversationSchema>;

/** A file is a ChatGPT export when it is a list of conversations with a `mapping` tree (or one such conversation). */
export function looksLikeChatgpt(value: unknown): boolean {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'object' && first !== null && 'mapping' in first;
}

/** What one ChatGPT node adds to an answer or a question. */
type Piece = { kind: 'text' | 'thinking'; text: string } | { kind: 'tool_call'; name: string; arguments: string } | { kind: 'tool_result'; name: string; text: string };

function stringField(content: Record<string, unknown>, key: string): string | undefined {
  const value = content[key];
  return typeof value === 'string' ? value : undefined;
}

/** The text of a content's `parts`: strings as they are, anything else (images, audio…) as a placeholder. */
function partsText(parts: unknown, placeholders: Placeholders): string {
  if (!Array.isArray(parts)) return '';
  return parts
    .map((part) => {
      if (typeof part === 'string') return part;
      if (part === null) return '';
      if (typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string') return (part as { text: string }).text;
      return placeholders.part(part);
    })
    .filter((text) => text !== '')
    .join('\n\n');
}

/** The node's content as text, whatever its content_type; what has no text becomes a placeholder. */
function contentText(message: ChatgptMessage, placeholders: Placeholders): string {
  const content = message.content as Record<string, unknown>;
  switch (message.content.content_type) {
    case 'text':
    case 'multimodal_text':
      return partsText(content.parts, placeholders);
    case 'code':
    case 'execution_output':
      return stringField(content, 'text') ?? '';
    case 'thoughts': {
      const thoughts = Array.isArray(content.thoughts) ? content.thoughts : [];
      return thoughts
        .map((thought: { summary?: unknown; content?: unknown }) => [thought.summary, thought.content].filter((s) => typeof s === 'string' && s !== '').join('\n\n'))
        .join('\n\n');
    }
    case 'reasoning_recap':
      return stringField(content, 'content') ?? '';
    case 'tether_browsing_display':
      return [stringField(content, 'summary'), stringField(content, 'result')].filter(Boolean).join('\n\n');
    case 'tether_quote':
      return [stringField(content, 'title'), stringField(content, 'url'), stringField(content, 'text')].filter(Boolean).join('\n');
    case 'user_editable_context':
      return [stringField(content, 'user_profile'), stringField(content, 'user_instructions')].filter(Boolean).join('\n\n');
    default: {
      const text = stringField(content, 'text') ?? stringField(content, 'result') ?? partsText(content.parts, placeholders);
      return text !== '' ? text : placeholders.content(message.content.content_type, content);
    }
  }
}

/** How a node reads in NanoClaw's terms: a question, a system message, or pieces of an answer. */
function pieceOf(message: ChatgptMessage, placeholders: Placeholders): { role: 'user' | 'system'; text: string } | Piece | null {
  const text = contentText(message, placeholders);
  const role = message.author.role;
  if (role === 'user' || role === 'system') return text.trim() === '' ? null : { role, text };
  const type = message.content.content_type;
  if (role === 'tool') return { kind: 'tool_result', name: message.author.name ?? 'tool', text };
  if (type === 'thoughts' || type === 'reasoning_recap') return text.trim() === '' ? null : { kind: 'thinking', text };
  const recipient = message.recipient ?? 'all';
  if (recipient !== 'all') {
    const language = stringField(message.content as Record<string, unknown>, 'language');
    return { kind: 'tool_call', name: recipient, arguments: JSON.stringify(type === 'code' ? { ...(language && { language }), code: text } : { input: text }) };
  }
  return text.trim() === '' ? null : { kind: 'text', text };
}

/** An answer being put together from a chain of ChatGPT nodes. */
interface OpenAnswer {
  message: ExportMessage;
  steps: Step[];
}

function addPiece(answer: OpenAnswer, piece: Piece, nodeId: string): void {
  const base = { id: `${nodeId}:${answer.steps.length}`, index: answer.steps.length };
  const last = answer.steps.at(-1);
  // Thoughts and their recap ("Thought for 3 seconds") are one stretch of thinking.
  if (piece.kind === 'thinking' && last?.type === 'thinking') last.content = `${last.content}\n\n${piece.text}`;
  else if (piece.kind === 'text' || piece.kind === 'thinking') answer.steps.push({ ...base, type: piece.kind, content: piece.text });
  else if (piece.kind === 'tool_call') answer.steps.push({ ...base, type: 'tool_call', id_ref: nodeId, name: piece.name, arguments: piece.arguments });
  else if (piece.kind === 'tool_result') {
    const call = answer.steps.findLast((step) => step.type === 'tool_call' && step.name === piece.name);
    answer.steps.push({ ...base, type: 'tool_result', id_ref: call?.type === 'tool_call' ? call.id_ref : nodeId, name: piece.name, content: piece.text, skipped: false });
  }
  answer.message.content = { ...answerFromSteps(answer.steps), steps: answer.steps };
}

/**
 * One ChatGPT conversation as ours: its `mapping` tree becomes our tree, walked from the roots in
 * `children` order. Questions and system messages are messages of their own; an answer's chain (assistant
 * text, code it ran, the tool's output, the text after it) becomes one answer with steps, as NanoClaw
 * stores a run, and splits where the chain branches. Empty and null nodes are left out, their children
 * kept under the nearest message above. `current_node` becomes the active leaf.
 */
function convertConversation(conversation: ChatgptConversation, index: number, defaults: ImportDefaults, placeholders: Placeholders): ExportConversation {
  const { mapping } = conversation;
  const messages: ExportMessage[] = [];
  /** ChatGPT node id → the id of our message it went into (or the one its content would hang under). */
  const placed = new Map<string, string | null>();
  const answers = new Map<string, OpenAnswer>();
  const roots = Object.entries(mapping).filter(([, node]) => !node.parent || !(node.parent in mapping));
  if (roots.length === 0 && Object.keys(mapping).length > 0) throw new ImportFileError(`The file's conversation ${index} ("${conversation.title ?? ''}") has no root node: its mapping is a cycle.`);
  const stack: Array<{ nodeId: string; under: string | null; mayMerge: boolean }> = roots.reverse().map(([nodeId]) => ({ nodeId, under: null, mayMerge: false }));
  const createdAt = importedTimestamp(conversation.create_time);
  while (stack.length > 0) {
    const { nodeId, under, mayMerge } = stack.pop()!;
    if (placed.has(nodeId)) throw new ImportFileError(`The file's conversation ${index} reaches node "${nodeId}" twice: its mapping is not a tree.`);
    const node = mapping[nodeId]!;
    const piece = node.message ? pieceOf(node.message, placeholders) : null;
    let here = under;
    if (piece && 'role' in piece) {
      const message: ExportMessage = { id: nodeId, parent_id: under, role: piece.role, content: { text: piece.text }, token_count: 0, status: 'complete', created_at: importedTimestamp(node.message?.create_time) };
      messages.push(message);
      here = nodeId;
    } else if (piece) {
      const open = mayMerge && under !== null ? answers.get(under) : undefined;
      if (open) addPiece(open, piece, nodeId);
      else {
        const answer: OpenAnswer = {
          message: { id: nodeId, parent_id: under, role: 'assistant', content: { text: '', tool_calls: [], steps: [] }, token_count: 0, status: 'complete', created_at: importedTimestamp(node.message?.create_time) },
          steps: [],
        };
        addPiece(answer, piece, nodeId);
        answers.set(nodeId, answer);
        messages.push(answer.message);
        here = nodeId;
      }
    }
    placed.set(nodeId, here);
    const children = node.children.filter((child) => child in mapping);
    // An answer goes on through a single continuation; where the chain branches, each branch is an answer of its own.
    const continues = here !== null && answers.has(here) && children.length === 1;
    for (const child of [...children].reverse()) stack.push({ nodeId: child, under: here, mayMerge: continues });
  }
  const unreached = Object.keys(mapping).length - placed.size;
  if (unreached > 0) throw new ImportFileError(`The file's conversation ${index} has ${unreached} nodes no root reaches: its mapping is not a tree.`);
  const current = conversation.current_node ? placed.get(conversation.current_node) : null;
  return foreignConversation(defaults, {
    index,
    title: conversation.title ?? '',
    active_leaf_id: current ?? null,
    created_at: createdAt,
    updated_at: importedTimestamp(conversation.update_time),
    messages,
  });
}

/** A ChatGPT data export's conversations.json (a list of conversations, or one). */
export function chatgptImport(value: unknown, defaults: ImportDefaults): ImportPlan {
  return foreignImport('chatgpt', "a ChatGPT export's conversations.json", chatgptConversationSchema, value, (conversation, index, placeholders) =>
    convertConversation(conversation, index, defaults, placeholders),
  );
}
