import type { Usage } from './types.js';
import type { ChatCompletionChunk } from './wireTypes.js';

/** A client-side reader of OpenAI chat streams, for tests that talk to the simulator directly. */

/** Yields the `data:` payload of each SSE event as it arrives (`[DONE]` included). */
export async function* sseDataPayloads(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const bytes of body) {
    buffer += decoder.decode(bytes, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n');
      if (data) yield data;
    }
  }
}

export interface ChatStreamEvents {
  chunks: ChatCompletionChunk[];
  /** Whether `data: [DONE]` ended the stream. */
  done: boolean;
}

/** Reads a whole `stream: true` response. */
export async function readChatStream(response: Response): Promise<ChatStreamEvents> {
  if (!response.body) throw new Error('The response has no body.');
  const chunks: ChatCompletionChunk[] = [];
  let done = false;
  for await (const data of sseDataPayloads(response.body)) {
    if (data === '[DONE]') done = true;
    else chunks.push(JSON.parse(data) as ChatCompletionChunk);
  }
  return { chunks, done };
}

export interface AssembledAnswer {
  content: string;
  reasoning: string;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  finishReason: string | null;
  usage: Usage | null;
}

/** Merges chunks the way a client must: tool calls by `index`, id and name from their first fragment. */
export function assembleChatStream(chunks: ChatCompletionChunk[]): AssembledAnswer {
  const answer: AssembledAnswer = { content: '', reasoning: '', toolCalls: [], finishReason: null, usage: null };
  for (const chunk of chunks) {
    if (chunk.usage) answer.usage = chunk.usage;
    for (const choice of chunk.choices) {
      const { delta } = choice;
      answer.content += delta.content ?? '';
      answer.reasoning += delta.reasoning_content ?? delta.reasoning ?? '';
      for (const fragment of delta.tool_calls ?? []) {
        const call = (answer.toolCalls[fragment.index] ??= { id: '', name: '', arguments: '' });
        if (fragment.id) call.id = fragment.id;
        if (fragment.function.name) call.name = fragment.function.name;
        call.arguments += fragment.function.arguments;
      }
      if (choice.finish_reason) answer.finishReason = choice.finish_reason;
    }
  }
  return answer;
}
