import { v7 as uuidv7 } from 'uuid';
import type { AssistantContent, Config, ModelConfig } from '@nanoclaw/protocol';
import type { ChatMessage, ChatToolChoice } from '../llm/types.js';
import type { ModelCatalog } from '../llm/modelCatalog.js';
import { retryWhileDatabaseUnavailable, type Repositories, type ConversationRow, type MessageRow } from '../db/index.js';
import { CheckpointWriter } from './checkpointWriter.js';
import { askForTitle } from './conversationTitle.js';
import { historyToChat, type HistoryMessage } from './historyToChat.js';
import { filesForModel, type FilesForModelDeps } from '../attachments/filesForModel.js';
import { modelCapabilities } from '../llm/modelCatalog.js';
import { loadRecentHistory } from './recentHistory.js';
import { estimateTokens } from './trimToBudget.js';
import { runAgent, type AgentDeps, type AgentOutcome } from './runAgent.js';
import type { RunHub } from './runHub.js';
import { RunSession } from './runSession.js';
import { StepRecorder } from './stepRecorder.js';
import { createSubAgentRunner } from './subAgents.js';
import { noTelemetry, type RunOutcome, type Telemetry } from '../telemetry/telemetry.js';

export interface RunServiceDeps {
  config: Pick<Config, 'max_iterations' | 'checkpoint_interval_ms' | 'multi_agent' | 'titles'> & Partial<Pick<Config, 'attachments'>>;
  /** Reads uploaded files for the model (absent: messages' files are named only). */
  files?: FilesForModelDeps;
  repos: Repositories;
  runHub: RunHub;
  catalog: ModelCatalog;
  agent: AgentDeps;
  logger: RunLogger;
  now: () => Date;
  /** Runs, sub-agents and their metrics and spans. */
  telemetry?: Telemetry;
}

/** A logger (pino's) whose child loggers stamp every line of a run with its ids. */
export interface RunLogger {
  error(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  child(bindings: Record<string, string>): RunLogger;
}

export interface StartRunParams {
  userId: string;
  conversation: ConversationRow;
  /** The user message this answer replies to. */
  parentId: string;
  /**
   * The question being answered, when it is new: stored in the same INSERT as the answer row, while the
   * model is already being asked, so storage never delays the first token.
   */
  question?: MessageRow;
  /**
   * The first title of an untitled conversation (its question's first words): stored with the rows, and
   * announced in `done` unless a model's title replaces it. Null for a conversation with a title.
   */
  newTitle: string | null;
  /** The conversation up to and including the message being answered, oldest first. */
  history: HistoryMessage[];
  projectId: string | null;
  toolsEnabled: boolean;
  toolChoice?: ChatToolChoice;
}

/**
 * Starts agent runs for conversations and makes them durable: the answer row exists from the first
 * moment (status `streaming`), is checkpointed while it grows, and gets its final content and status
 * however the run ends. Clients only watch the session; none of this depends on them.
 */
export function createRunService(deps: RunServiceDeps) {
  const telemetry = deps.telemetry ?? noTelemetry;
  const checkpoints = new CheckpointWriter(
    deps.config.checkpoint_interval_ms,
    (items) => deps.repos.messages.saveContents(items),
    (err) => deps.logger.error({ err }, 'saving streaming answers failed'),
  );

  /** The answer's token allowance and the prompt budget left beside it. */
  function limitsOf(model: ModelConfig, conversation: ConversationRow): { maxTokens: number; contextBudget: number } {
    const maxTokens = deps.catalog.maxTokens(model, conversation.max_tokens);
    return { maxTokens, contextBudget: deps.catalog.promptBudget(model, maxTokens) };
  }

  /**
   * The messages a new answer in this conversation replays, oldest first: only as far back as the
   * conversation's model can see (its prompt budget less the system prompt), along the active path or
   * the path ending at `leaf` (a new message's parent, the question of an answer being regenerated).
   */
  async function recentHistory(conversation: ConversationRow, leaf?: string): Promise<MessageRow[]> {
    const model = deps.catalog.resolve(conversation.model);
    if (!model) throw new Error('No model is configured.');
    const { contextBudget: budget } = limitsOf(model, conversation);
    const system = conversation.system_prompt ? estimateTokens({ role: 'system', content: conversation.system_prompt }) : 0;
    return loadRecentHistory(deps.repos.messages, conversation.id, { budgetTokens: budget - system, ...(leaf !== undefined && { leaf }) });
  }

  async function startRun(params: StartRunParams): Promise<RunSession> {
    const model = deps.catalog.resolve(params.conversation.model);
    if (!model) throw new Error('No model is configured.');
    const answer = deps.repos.messages.draft({
      conversationId: params.conversation.id,
      role: 'assistant',
      content: { text: '', tool_calls: [], steps: [] },
      status: 'streaming',
      parentId: params.parentId,
    });
    const session = new RunSession(uuidv7(), params.conversation.id, params.userId, answer.id);
    let startStoring!: () => void;
    const stored = new Promise<void>((resolve) => (startStoring = resolve)).then(() =>
      deps.repos.answers.start({
        conversationId: params.conversation.id,
        rows: params.question ? [params.question, answer] : [answer],
        title: params.newTitle || null,
      }),
    );
    // If storing fails the run is pointless: stop it; drive() reports the failure.
    stored.catch(() => session.controller.abort(STORE_FAILED));
    // The model request must leave before the rows are stored: a synchronous SQLite driver blocks the loop
    // while it writes (about a millisecond with the search index's commit), and the request would wait behind
    // it. Starting the run gets to the model request within this macrotask (microtasks only, when nothing
    // such as a Redis quota check waits on the network), and undici writes it from a setImmediate callback
    // queued then. Storing starts one check phase later still (an immediate queued from an immediate runs
    // in the next loop turn), so it overlaps the wait for the model's answer. Measured at concurrency 1
    // against the simulator: the model's first bytes came 0.7 ms sooner than with one setImmediate.
    // The run's span is the parent of its model calls and tool calls; every line it logs carries its ids.
    const scope = telemetry.runStarted({ runId: session.id, conversationId: params.conversation.id, model: model.id });
    const log = deps.logger.child({ run_id: session.id, conversation_id: params.conversation.id, ...(scope.traceId && { trace_id: scope.traceId }) });
    deps.runHub.start(session, (s) =>
      scope.run(() => drive(s, params, model, stored, log)).then(
        (outcome) => scope.finish(outcome),
        (err: unknown) => {
          scope.finish('error');
          throw err;
        },
      ),
    );
    setImmediate(() => setImmediate(startStoring));
    return session;
  }

  async function drive(session: RunSession, params: StartRunParams, model: ModelConfig, stored: Promise<void>, log: RunLogger): Promise<RunOutcome> {
    const { conversation } = params;
    // The model's warnings (retries) go to the run's log.
    const agent: AgentDeps = { ...deps.agent, streamChat: (m, request, signal) => deps.agent.streamChat(m, request, signal, log) };
    const recorder = new StepRecorder();
    /** Said to the person beside the answer (an image the model cannot see, a document cut short). */
    let notices: string[] = [];
    const withNotices = (content: AssistantContent): AssistantContent => (notices.length ? { ...content, notices } : content);
    const snapshot = () => withNotices(recorder.toContent());
    // Checkpoints start once the answer row exists; until then the first one just waits.
    let rowStored = false;
    let changedBeforeStored = false;
    stored.then(
      () => {
        rowStored = true;
        if (changedBeforeStored) checkpoints.mark(session.messageId, snapshot);
      },
      () => {},
    );
    recorder.onEvent((event) => {
      session.record(event);
      if (!rowStored) changedBeforeStored = true;
      else {
        checkpoints.mark(session.messageId, snapshot);
        // A tool may run for long: make sure what led to it is on disk first.
        if (event.type === 'step' && event.step.type === 'tool_call') void checkpoints.flush();
      }
    });

    const { maxTokens, contextBudget } = limitsOf(model, conversation);
    const messages: ChatMessage[] = [];
    if (conversation.system_prompt) messages.push({ role: 'system', content: conversation.system_prompt });
    let files: Awaited<ReturnType<typeof filesForModel>>['parts'] | undefined;
    if (deps.files && deps.config.attachments) {
      try {
        const prepared = await filesForModel(params.history, deps.files, {
          vision: modelCapabilities(model).vision,
          modelName: model.name ?? model.id,
          imageMaxSide: deps.config.attachments.image_max_side,
          imageMaxPixels: deps.config.attachments.image_max_pixels,
          // Documents may fill up to 60% of what the prompt can hold (~4 characters a token).
          documentChars: Math.floor(contextBudget * 4 * 0.6),
        });
        files = prepared.parts;
        notices = prepared.notices;
      } catch (err) {
        deps.logger.warn({ err, conversationId: conversation.id }, 'reading attached files failed');
        notices = [`The attached files could not be read: ${(err as Error).message}`];
      }
    }
    messages.push(...historyToChat(params.history, files));

    const subAgentUsage = { prompt_tokens: 0, completion_tokens: 0 };
    const subAgents = createSubAgentRunner({
      settings: deps.config.multi_agent,
      model,
      deps: agent,
      recorder,
      contextBudget,
      maxTokens,
      temperature: conversation.temperature,
      usage: subAgentUsage,
      telemetry,
    });
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
          contextBudget,
          toolContext: { userId: params.userId, conversationId: conversation.id, projectId: params.projectId, model: model.id, subAgents, resultCache: new Map() },
          signal: session.controller.signal,
          onRetry: (notice) => session.retrying({ attempt: notice.attempt, max_attempts: notice.maxAttempts, delay_ms: Math.round(notice.delayMs), reason: notice.reason }),
        },
        agent,
        recorder,
      );
    } catch (err) {
      outcome = { status: 'error', error: `The answer failed unexpectedly: ${(err as Error).message}`, usage: { prompt_tokens: 0, completion_tokens: 0 } };
    }

    outcome.usage.prompt_tokens += subAgentUsage.prompt_tokens;
    outcome.usage.completion_tokens += subAgentUsage.completion_tokens;

    // The stored content; its text is also what a model titling the conversation reads.
    const content = withNotices(recorder.toContent(outcome.error));
    try {
      await stored;
      await checkpoints.release(session.messageId);
      const usedTokens = outcome.usage.prompt_tokens > 0 || outcome.usage.completion_tokens > 0;
      const finished = deps.now();
      // The database may be down for a moment (a restart, a fail-over): the answer waits for it rather than being lost.
      await retryWhileDatabaseUnavailable(
        () =>
          deps.repos.answers.finish({
            conversationId: conversation.id,
            messageId: session.messageId,
            patch: { content, status: outcome.status, tokenCount: outcome.usage.completion_tokens },
            usage: usedTokens
              ? { userId: params.userId, model: model.id, promptTokens: outcome.usage.prompt_tokens, completionTokens: outcome.usage.completion_tokens, at: finished }
              : null,
          }),
        {
          maxWaitMs: FINISH_MAX_WAIT_MS,
          onUnavailable: (err) => log.warn({ err, messageId: session.messageId }, 'the database is unreachable: the answer is stored once it is back'),
        },
      );
    } catch (err) {
      log.error({ err, messageId: session.messageId }, 'storing the answer failed');
      session.finish('error', { content: 'The answer could not be saved. Please try again.', message_id: session.messageId });
      return 'store_failed';
    }

    if (outcome.status === 'error' || outcome.status === 'max_iterations') {
      session.finish('error', { content: outcome.error ?? 'The answer failed.', message_id: session.messageId });
    } else {
      const title = outcome.status === 'complete' ? await modelTitle(params, model, content.text, agent, log) : null;
      session.finish('done', {
        message_id: session.messageId,
        token_count: outcome.usage.completion_tokens,
        suggested_title: title ?? params.newTitle,
        usage: outcome.usage,
        status: outcome.status,
      });
    }
    return outcome.status;
  }

  /**
   * An untitled conversation's title from a model, once its answer is done (config `titles`): waited for
   * up to `timeout_ms`, then the answer ends with the first-words title already stored, and a model title
   * arriving later still replaces it, unless the person has renamed the conversation meanwhile.
   */
  async function modelTitle(params: StartRunParams, model: ModelConfig, answer: string, agent: AgentDeps, log: RunLogger): Promise<string | null> {
    const settings = deps.config.titles;
    const fallback = params.newTitle;
    const question = params.history.at(-1);
    if (!fallback || settings.mode !== 'model' || model.offline_demo || question?.role !== 'user') return null;
    const titleModel = (settings.model && deps.catalog.resolve(settings.model)) || model;
    const asked = askForTitle(agent.streamChat, titleModel, { question: (question.content as { text?: string }).text ?? '', answer }, settings, AbortSignal.timeout(Math.max(settings.timeout_ms, 30_000)))
      .then(async (title) => {
        if (!title || title === fallback) return null;
        const current = await deps.repos.conversations.getForUser(params.userId, params.conversation.id);
        if (current?.title !== fallback) return null;
        await deps.repos.conversations.update(params.userId, params.conversation.id, { title });
        return title;
      })
      .catch((err: unknown) => {
        log.warn({ err }, 'asking a model for a conversation title failed');
        return null;
      });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), settings.timeout_ms)));
    try {
      return await Promise.race([asked, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  return { startRun, recentHistory, stop: () => checkpoints.stop() };
}

export type RunService = ReturnType<typeof createRunService>;

const STORE_FAILED = 'store-failed';
/** How long a finished run waits for an unreachable database to come back before its answer is given up, ms. */
const FINISH_MAX_WAIT_MS = 5 * 60_000;
