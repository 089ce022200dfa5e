import { z } from 'zod';

/**
 * The OpenAI-compatible API (`/v1`): the request body of `POST /v1/chat/completions`, as the official
 * SDKs send it. Fields NanoClaw does not use (`n`, `seed`, `logprobs`, `user`…) are dropped; the ones it
 * uses are checked, and a wrong one is a 400 naming it.
 */

const textPartSchema = z.object({ type: z.literal('text'), text: z.string() });

/** A message's content: a string, or text parts (images and audio are not relayed). */
const contentSchema = z.union([z.string(), z.array(textPartSchema, { error: 'only text content parts are supported' })]);

const toolCallSchema = z.object({
  id: z.string().min(1),
  type: z.literal('function').default('function'),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});

export const openAiMessageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: contentSchema }),
  z.object({ role: z.literal('developer'), content: contentSchema }),
  z.object({ role: z.literal('user'), content: contentSchema }),
  z.object({
    role: z.literal('assistant'),
    content: contentSchema.nullable().optional(),
    tool_calls: z.array(toolCallSchema).optional(),
    reasoning_content: z.string().optional(),
  }),
  z.object({ role: z.literal('tool'), tool_call_id: z.string().min(1), content: contentSchema }),
]);
export type OpenAiMessage = z.infer<typeof openAiMessageSchema>;

export const openAiToolSchema = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().min(1).max(64),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});

export const openAiToolChoiceSchema = z.union([
  z.enum(['auto', 'none', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }) }),
]);

export const chatCompletionBodySchema = z.object({
  /** A configured model id; `agent/<id>` runs NanoClaw's agent with that model. */
  model: z.string().min(1).max(300),
  messages: z.array(openAiMessageSchema).min(1, 'must have at least one message'),
  tools: z.array(openAiToolSchema).max(128).optional(),
  tool_choice: openAiToolChoiceSchema.optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  max_tokens: z.number().int().min(1).nullable().optional(),
  max_completion_tokens: z.number().int().min(1).nullable().optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  /** NanoClaw's own options: `agent: true` runs the agent with its server-side tools; `project_id` gives its file tools a project. */
  nanoclaw: z.object({ agent: z.boolean().optional(), project_id: z.string().min(1).optional() }).optional(),
});
export type ChatCompletionBody = z.infer<typeof chatCompletionBodySchema>;

/** OpenAI's error answer, which the SDKs parse. */
export const openAiErrorSchema = z.object({
  error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() }),
});
export type OpenAiError = z.infer<typeof openAiErrorSchema>;

// --- answers (what the SDKs parse) ---------------------------------------------------------------

export const openAiUsageSchema = z.object({
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
});
export type OpenAiUsage = z.infer<typeof openAiUsageSchema>;

export const openAiToolCallSchema = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

/** A tool call in a stream: whole, with its position among the answer's calls. */
export const openAiToolCallDeltaSchema = openAiToolCallSchema.extend({ index: z.number().int() });
export type OpenAiToolCallDelta = z.infer<typeof openAiToolCallDeltaSchema>;

export const openAiModelListSchema = z.object({
  object: z.literal('list'),
  data: z.array(z.object({ id: z.string(), object: z.literal('model'), created: z.number().int(), owned_by: z.string() })),
});
export type OpenAiModelList = z.infer<typeof openAiModelListSchema>;

const completionHead = { id: z.string(), created: z.number().int(), model: z.string() };

/** The answer to a request without `stream`. */
export const chatCompletionSchema = z.object({
  ...completionHead,
  object: z.literal('chat.completion'),
  choices: z.array(
    z.object({
      index: z.number().int(),
      message: z.object({
        role: z.literal('assistant'),
        content: z.string().nullable(),
        reasoning_content: z.string().optional(),
        tool_calls: z.array(openAiToolCallSchema).optional(),
      }),
      logprobs: z.null(),
      finish_reason: z.string(),
    }),
  ),
  usage: openAiUsageSchema,
});
export type ChatCompletion = z.infer<typeof chatCompletionSchema>;

export const chatCompletionDeltaSchema = z.object({
  role: z.literal('assistant').optional(),
  content: z.string().optional(),
  reasoning_content: z.string().optional(),
  refusal: z.string().optional(),
  tool_calls: z.array(openAiToolCallDeltaSchema).optional(),
});
export type ChatCompletionDelta = z.infer<typeof chatCompletionDeltaSchema>;

/** One `data:` event of a streamed answer (the usage chunk has no choices). */
export const chatCompletionChunkSchema = z.object({
  ...completionHead,
  object: z.literal('chat.completion.chunk'),
  choices: z.array(z.object({ index: z.number().int(), delta: chatCompletionDeltaSchema, logprobs: z.null(), finish_reason: z.string().nullable() })),
  usage: openAiUsageSchema.nullable().optional(),
});
export type ChatCompletionChunk = z.infer<typeof chatCompletionChunkSchema>;
