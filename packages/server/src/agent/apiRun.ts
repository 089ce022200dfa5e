import { answerFromSteps, type ModelConfig, type OpenAiMessage, type TextStep } from '@nanoclaw/protocol';
import type { Repositories, MessageRow } from '../db/index.js';
import type { ChatToolChoice } from '../llm/types.js';
import { contentText } from './chatRelay.js';
import { firstWordsTitle } from './conversationTitle.js';
import type { RunHub } from './runHub.js';
import type { RunService } from './runService.js';
import type { RunSession } from './runSession.js';

export interface ApiRunDeps {
  repos: Repositories;
  runHub: RunHub;
  runs: RunService;
}

export interface ApiRunInput {
  userId: string;
  model: ModelConfig;
  messages: OpenAiMessage[];
  temperature?: number;
  maxTokens?: number;
  toolChoice?: ChatToolChoice;
  projectId: string | null;
}

/** A request the agent cannot answer as sent (the field it names is in the message). */
export class ApiRunInputError extends Error {
  override name = 'ApiRunInputError';
}

const TITLE_LENGTH = 30;

/**
 * Runs NanoClaw's agent for an OpenAI-style request, stored as a new conversation of the user: its system
 * and developer messages become the system prompt, earlier user and assistant turns are stored as they
 * were sent (text only; the caller's own tool messages are left out), and the last message, which must be
 * the user's, is the question. The run follows every rule of a run from the web UI (checkpoints, usage,
 * stop); a client that goes away does not stop it.
 */
export async function startApiRun(deps: ApiRunDeps, input: ApiRunInput): Promise<RunSession> {
  const last = input.messages.at(-1);
  if (last?.role !== 'user') throw new ApiRunInputError('"messages": the last message must be the user\'s question when the agent answers.');
  const question = contentText(last.content);
  const systemPrompt = input.messages
    .filter((m) => m.role === 'system' || m.role === 'developer')
    .map((m) => contentText(m.content))
    .join('\n\n');
  if (input.projectId && !(await deps.repos.projects.getForUser(input.userId, input.projectId))) {
    throw new ApiRunInputError('"nanoclaw.project_id": no such project.');
  }
  const conversation = await deps.repos.conversations.create(input.userId, {
    model: input.model.id,
    title: firstWordsTitle(question, TITLE_LENGTH) || 'API conversation',
    systemPrompt: systemPrompt || null,
    ...(input.temperature !== undefined && { temperature: input.temperature }),
    ...(input.maxTokens !== undefined && { maxTokens: input.maxTokens }),
    projectId: input.projectId,
  });
  const history: MessageRow[] = [];
  for (const message of input.messages.slice(0, -1)) {
    if (message.role !== 'user' && message.role !== 'assistant') continue;
    const text = contentText(message.content);
    if (!text) continue;
    const parentId = history.at(-1)?.id ?? null;
    const content =
      message.role === 'user'
        ? { text }
        : { ...answerFromSteps([textStep(text)]), steps: [textStep(text)] };
    history.push(await deps.repos.messages.create({ conversationId: conversation.id, role: message.role, content, status: 'complete', parentId }));
  }
  const release = await deps.runHub.reserve(conversation.id);
  try {
    const row = deps.repos.messages.draft({ conversationId: conversation.id, role: 'user', content: { text: question }, status: 'complete', parentId: history.at(-1)?.id ?? null });
    return await deps.runs.startRun({
      userId: input.userId,
      conversation,
      parentId: row.id,
      question: row,
      newTitle: null,
      history: [...history, row],
      projectId: input.projectId,
      toolsEnabled: true,
      ...(input.toolChoice && { toolChoice: input.toolChoice }),
    });
  } catch (err) {
    release();
    throw err;
  }
}

function textStep(content: string): TextStep {
  return { id: 'step-0', index: 0, type: 'text', content };
}
