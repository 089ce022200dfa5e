import { lastUserText, offeredToolNames } from '../conversation.js';
import { pieceDelay, type Scenario } from './scenario.js';

/** Answers with a JSON summary of the request, so tests can check what the server sent. */
export const echo: Scenario = (context) => {
  const { request } = context;
  const summary = {
    messages: request.messages.length,
    roles: request.messages.map((message) => message.role),
    tools: offeredToolNames(request),
    tool_choice: request.tool_choice ?? null,
    temperature: request.temperature ?? null,
    max_tokens: request.max_tokens ?? null,
    thinking: request.thinking ?? null,
    reasoning_effort: request.reasoning_effort ?? null,
    stream_options: request.stream_options ?? null,
    last_user: lastUserText(request),
  };
  return { kind: 'stream', content: JSON.stringify(summary), chunkDelayMs: pieceDelay(context) };
};
