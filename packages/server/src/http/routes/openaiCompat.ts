import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { v4 as uuidv4 } from 'uuid';
import { chatCompletionBodySchema, type ChatCompletionBody, type ModelConfig, type OpenAiModelList } from '@nanoclaw/protocol';
import type { AppContext } from '../appContext.js';
import { RUN_ID_HEADER } from '../requestLog.js';
import { relayChat, toChatMessages, type RelayedAnswer } from '../../agent/chatRelay.js';
import { startApiRun } from '../../agent/apiRun.js';
import { runEvents } from '../../agent/runEvents.js';
import type { LoggedEvent } from '../../agent/runSession.js';
import type { ChatDelta, ChatRequest, ChatStreamResult } from '../../llm/types.js';
import { openAiErrorHandler, openAiNotFound, OpenAiApiError, toOpenAiError } from '../openai/openAiErrors.js';
import { completionObject, completionUsage, CompletionStream, type CompletionMeta, type CompletionToolCall } from '../openai/completionStream.js';

/** A model id with this prefix runs NanoClaw's agent with the model named after it. */
export const AGENT_MODEL_PREFIX = 'agent/';
/** Response header naming the conversation an agent request was stored as. */
export const CONVERSATION_ID_HEADER = 'x-nanoclaw-conversation-id';
/** Longest tool result shown in an agent step's `reasoning_content`. */
const TOOL_RESULT_PREVIEW_CHARS = 500;

/**
 * The OpenAI-compatible API under `/v1`, for the official SDKs and the tools built on them: every request
 * needs an API key (`Authorization: Bearer nck_…`), in single-user mode too, and errors take OpenAI's shape.
 */
export function openAiRoutes(ctx: AppContext, allowedMethods: (path: string) => string[]): FastifyPluginAsyncZod {
  return async (app) => {
    app.setErrorHandler(openAiErrorHandler);
    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0] ?? '/';
      return openAiNotFound(reply, request.method, path, allowedMethods(path));
    });
    app.decorateRequest('user', null as never);
    app.addHook('onRequest', async (request) => {
      request.user = (await ctx.apiKeys.authenticate(request.headers.authorization)).user;
    });

    app.get('/models', { schema: { summary: 'List the models, and their agent variants', tags: ['openai'] } }, async (): Promise<OpenAiModelList> => {
      const created = Math.floor(Date.parse('2024-01-01T00:00:00Z') / 1000);
      const entry = (id: string) => ({ id, object: 'model' as const, created, owned_by: 'nanoclaw' });
      const ids = ctx.catalog.models.map((model) => model.id);
      return { object: 'list', data: [...ids.map(entry), ...ids.map((id) => entry(AGENT_MODEL_PREFIX + id))] };
    });

    app.post('/chat/completions', { schema: { summary: 'Create a chat completion', tags: ['openai'], body: chatCompletionBodySchema } }, async (request, reply) => {
      const body = request.body;
      const agent = body.nanoclaw?.agent === true || body.model.startsWith(AGENT_MODEL_PREFIX);
      const modelId = body.model.startsWith(AGENT_MODEL_PREFIX) ? body.model.slice(AGENT_MODEL_PREFIX.length) : body.model;
      const model = ctx.catalog.has(modelId) ? ctx.catalog.resolve(modelId) : undefined;
      if (!model) throw new OpenAiApiError(404, `The model "${body.model}" does not exist: GET /v1/models lists the models you can use.`, 'model_not_found', 'model');
      const meta: CompletionMeta = { id: `chatcmpl-${uuidv4()}`, model: body.model, created: Math.floor(ctx.now().getTime() / 1000) };
      const includeUsage = body.stream_options?.include_usage === true;
      const requestedMaxTokens = body.max_completion_tokens ?? body.max_tokens ?? undefined;
      const maxTokens = requestedMaxTokens === undefined ? undefined : ctx.catalog.maxTokens(model, requestedMaxTokens);

      if (agent) {
        const session = await startApiRun(ctx, {
          userId: request.user.id,
          model,
          messages: body.messages,
          ...(body.temperature != null && { temperature: body.temperature }),
          ...(maxTokens !== undefined && { maxTokens }),
          ...(body.tool_choice && { toolChoice: body.tool_choice }),
          projectId: body.nanoclaw?.project_id ?? null,
        });
        reply.header(CONVERSATION_ID_HEADER, session.conversationId).header(RUN_ID_HEADER, session.id);
        const events = runEvents(session);
        const answer = new AgentAnswer();
        try {
          // A run that fails before its first step (the model refused, unreachable) is an HTTP error.
          const first = await events.next();
          if (!first.done && first.value.name === 'error') throw new OpenAiApiError(502, first.value.data.content);
          if (!body.stream) {
            for (let next = first; !next.done; next = await events.next()) answer.add(next.value);
            if (answer.error) throw new OpenAiApiError(502, answer.error);
            return completionObject(meta, { content: answer.content, reasoning: answer.reasoning, toolCalls: [], finishReason: 'stop', usage: answer.usage });
          }
          reply.hijack();
          reply.raw.setHeader(CONVERSATION_ID_HEADER, session.conversationId);
          reply.raw.setHeader(RUN_ID_HEADER, session.id);
          // A client that goes away stops reading, not the run: it finishes and is stored, like a chat in the web UI.
          const stream = new CompletionStream(reply.raw, meta, includeUsage, () => {});
          answer.onText = (kind, text) => (kind === 'content' ? stream.content(text) : stream.reasoning(text));
          for (let next = first; !next.done && !stream.closed; next = await events.next()) answer.add(next.value);
          if (answer.error) stream.fail(new OpenAiApiError(502, answer.error));
          else stream.finish('stop', answer.usage);
          return;
        } finally {
          void events.return();
        }
      }

      const chatRequest = relayRequest(body, model, maxTokens);
      const controller = new AbortController();
      // A relayed request belongs to its caller alone: when it goes away, so does the model request.
      reply.raw.on('close', () => controller.abort());
      const deltas = relayChat({ streamChat: ctx.chat.streamChat, usage: ctx.repos.usage, now: ctx.now }, request.user.id, model, chatRequest, controller.signal);
      if (!body.stream) {
        let next = await deltas.next();
        while (!next.done) next = await deltas.next();
        return completionObject(meta, finishedAnswer(next.value));
      }
      // The first piece decides the status: a request refused before any text (429, a bad request) is an HTTP error.
      let next = await nextText(deltas);
      reply.hijack();
      const stream = new CompletionStream(reply.raw, meta, includeUsage, () => controller.abort());
      try {
        for (; !next.done; next = await nextText(deltas)) {
          const delta = next.value;
          if (delta.type === 'content') stream.content(delta.text);
          else if (delta.type === 'reasoning') stream.reasoning(delta.text);
          else if (delta.type === 'refusal') stream.refusal(delta.text);
        }
        const answer = finishedAnswer(next.value);
        stream.toolCalls(answer.toolCalls);
        stream.finish(answer.finishReason, answer.usage);
      } catch (err) {
        if (!stream.closed) stream.fail(toOpenAiError(err));
      }
    });
  };
}

/** The next piece of text, or the end: retry notices are not part of OpenAI's stream. */
async function nextText(deltas: AsyncGenerator<ChatDelta, RelayedAnswer>): Promise<IteratorResult<ChatDelta, RelayedAnswer>> {
  for (;;) {
    const next = await deltas.next();
    if (next.done || next.value.type !== 'retry') return next;
  }
}

function relayRequest(body: ChatCompletionBody, model: ModelConfig, maxTokens: number | undefined): ChatRequest {
  const request: ChatRequest = { messages: toChatMessages(body.messages) };
  if (body.tools?.length) {
    request.tools = body.tools.map((tool) => ({
      type: 'function',
      function: { name: tool.function.name, description: tool.function.description ?? '', parameters: tool.function.parameters ?? { type: 'object', properties: {} } },
    }));
    if (body.tool_choice) request.toolChoice = body.tool_choice;
  }
  if (body.temperature != null) request.temperature = body.temperature;
  if (maxTokens !== undefined) request.maxTokens = maxTokens;
  return request;
}

function toolCallsOf(result: ChatStreamResult): CompletionToolCall[] {
  return result.tool_calls.map((call, position) => ({
    index: position,
    id: call.id || `call_${position}`,
    type: 'function',
    function: { name: call.function.name, arguments: call.function.arguments },
  }));
}

function finishedAnswer({ result, tokens }: RelayedAnswer) {
  const toolCalls = toolCallsOf(result);
  return {
    content: result.content,
    reasoning: result.reasoning,
    toolCalls,
    finishReason: result.finish_reason ?? (toolCalls.length ? 'tool_calls' : 'stop'),
    usage: completionUsage(tokens),
  };
}

/**
 * An agent run's events as an OpenAI answer: the top-level text is `content` (what is stored as the
 * answer, rounds joined by a blank line), everything else — thinking, tool calls and their results,
 * sub-agents — is `reasoning_content`.
 */
class AgentAnswer {
  content = '';
  reasoning = '';
  error: string | null = null;
  usage = completionUsage({ promptTokens: 0, completionTokens: 0 });
  onText: (kind: 'content' | 'reasoning', text: string) => void = () => {};
  private lastTextStep: string | null = null;

  add(event: LoggedEvent): void {
    if (event.name === 'done') this.usage = completionUsage({ promptTokens: event.data.usage.prompt_tokens, completionTokens: event.data.usage.completion_tokens });
    else if (event.name === 'error') this.error = event.data.content;
    else if (event.name === 'process_step' && event.kind === 'delta') {
      const { step, delta } = event;
      if (step.type === 'text' && !step.parent_id) {
        if (this.lastTextStep !== null && this.lastTextStep !== step.id) this.text('content', '\n\n');
        this.lastTextStep = step.id;
        this.text('content', delta);
      } else this.text('reasoning', delta);
    } else if (event.name === 'process_step' && event.kind === 'step') {
      const { step } = event;
      const who = step.agent ? `[${step.agent}] ` : '';
      if (step.type === 'tool_call') this.text('reasoning', `\n\n${who}→ ${step.name}(${step.arguments})\n`);
      else {
        const preview = step.content.length > TOOL_RESULT_PREVIEW_CHARS ? `${step.content.slice(0, TOOL_RESULT_PREVIEW_CHARS)}…` : step.content;
        this.text('reasoning', `${who}← ${step.name}: ${preview}\n\n`);
      }
    }
  }

  private text(kind: 'content' | 'reasoning', text: string): void {
    if (kind === 'content') this.content += text;
    else this.reasoning += text;
    this.onText(kind, text);
  }
}
