import { v7 as uuidv7 } from 'uuid';
import type { Config, ModelConfig } from '@nanoclaw/protocol';
import type { ChatMessage, ChatToolChoice } from '../llm/types.js';
import type { ModelCatalog } from '../llm/modelCatalog.js';
import type { Repositories, ConversationRow } from '../db/index.js';
import { Checkpointer } from './checkpointer.js';
import { historyToChat, type HistoryMessage } from './historyToChat.js';
import { runAgent, type AgentDeps, type AgentOutcome } from './runAgent.js';
import { RunRegistry } from './runRegistry.js';
import { RunSession } from './runSession.js';
import { StepRecorder } from './stepRecorder.js';

export interface RunServiceDeps {
  config: Pick<Config, 'max_iterations' | 'checkpoint_interval_ms'>;
  repos: Repositories;
  registry: RunRegistry;
  catalog: ModelCatalog;
  agent: AgentDeps;
  logger: { error(obj: object, msg?: string): void };
  now: () => Date;
}

export interface StartRunParams {
  userId: string;
  conversation: ConversationRow;
  /** The user message this answer replies to. */
  parentId: string;
  /** The conversation up to and including the message being answered, oldest first. */
  history: HistoryMessage[];
  projectId: string | null;
  toolsEnabled: boolean;
  toolChoice?: ChatToolChoice;
  suggestedTitle: string | null;
}

/**
 * Starts agent runs for conversations and makes them durable: the answer row exists from the first
 * moment (status `streaming`), is checkpointed while it grows, and gets its final content and status
 * however the run ends. Clients only watch the session; none of this depends on them.
 */
export function createRunService(deps: RunServiceDeps) {
  async function startRun(params: StartRunParams): Promise<RunSession> {
    const model = deps.catalog.resolve(params.conversation.model);
    if (!model) throw new Error('No model is configured.');
    const answer = await deps.repos.messages.create({
      conversationId: params.conversation.id,
      role: 'assistant',
      content: { text: '', tool_calls: [], steps: [] },
      status: 'streaming',
      parentId: params.parentId,
    });
    const session = new RunSession(uuidv7(), params.conversation.id, params.userId, answer.id);
    deps.registry.start(session, (s) => drive(s, params, model));
    return session;
  }

  async function drive(session: RunSession, params: StartRunParams, model: ModelConfig): Promise<void> {
    const { conversation } = params;
    const recorder = new StepRecorder();
    const checkpointer = new Checkpointer(
      deps.config.checkpoint_interval_ms,
      () => deps.repos.messages.update(session.messageId, { content: recorder.toContent() }),
      (err) => deps.logger.error({ err, messageId: session.messageId }, 'checkpoint failed'),
    );
    recorder.onEvent((event) => {
      session.record(event);
      if (event.type === 'step' && event.step.type === 'tool_call') void checkpointer.flushNow();
      else checkpointer.schedule();
    });

    const maxTokens = deps.catalog.maxTokens(model, conversation.max_tokens);
    const messages: ChatMessage[] = [];
    if (conversation.system_prompt) messages.push({ role: 'system', content: conversation.system_prompt });
    messages.push(...historyToChat(params.history));

    let outcome: AgentOutcome;
    try {
      outcome = await runAgent(
        {
          model,
          messages,
          temperature: conversation.temperature,
          maxTokens,
          thinking: conversation.thinking_enabled,
          toolsEnabled: params.toolsEnabled,
          toolChoice: params.toolChoice,
          maxIterations: deps.config.max_iterations,
          contextBudget: deps.catalog.promptBudget(model, maxTokens),
          toolContext: { userId: params.userId, conversationId: conversation.id, projectId: params.projectId, model: model.id },
          signal: session.controller.signal,
        },
        deps.agent,
        recorder,
      );
    } catch (err) {
      outcome = { status: 'error', error: `The answer failed unexpectedly: ${(err as Error).message}`, usage: { prompt_tokens: 0, completion_tokens: 0 } };
    }

    try {
      await checkpointer.close(() =>
        deps.repos.messages.update(session.messageId, {
          content: recorder.toContent(outcome.error),
          status: outcome.status,
          tokenCount: outcome.usage.completion_tokens,
        }),
      );
      if (outcome.usage.prompt_tokens || outcome.usage.completion_tokens) {
        await deps.repos.usage.record({
          userId: params.userId,
          model: model.id,
          promptTokens: outcome.usage.prompt_tokens,
          completionTokens: outcome.usage.completion_tokens,
          at: deps.now(),
        });
      }
      await deps.repos.conversations.touch(conversation.id);
    } catch (err) {
      deps.logger.error({ err, messageId: session.messageId }, 'storing the answer failed');
      session.finish('error', { content: 'The answer could not be saved. Please try again.', message_id: session.messageId });
      return;
    }

    if (outcome.status === 'error' || outcome.status === 'max_iterations') {
      session.finish('error', { content: outcome.error ?? 'The answer failed.', message_id: session.messageId });
    } else {
      session.finish('done', {
        message_id: session.messageId,
        token_count: outcome.usage.completion_tokens,
        suggested_title: params.suggestedTitle,
        usage: outcome.usage,
        status: outcome.status,
      });
    }
  }

  return { startRun };
}

export type RunService = ReturnType<typeof createRunService>;
