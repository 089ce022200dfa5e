import { isRecord } from './isRecord.js';
import type { ChatStreamResult, ChatTextDelta, ChatUsage } from './types.js';

type ToolCallResult = ChatStreamResult['tool_calls'][number];

interface ToolCallState {
  index: number;
  id: string;
  type: string;
  name: string;
  arguments: string;
}

interface ChoiceState {
  index: number;
  content: string;
  reasoning: string;
  refusal: string;
  toolCalls: Map<number, ToolCallState>;
  finishReason: string | null;
}

/**
 * Merges the chunks of one streaming chat completion: the one place a stream is assembled.
 * `push` hands out the text of choice 0 as it arrives (for display); `result` is the whole answer,
 * every choice with its tool calls, finish reason and usage (rules: fixtures/provider-streams/README.md).
 * Fields it does not know are ignored, so provider extensions pass through harmlessly.
 */
export class ChatStreamAccumulator {
  readonly #choices = new Map<number, ChoiceState>();
  #usage: ChatUsage | null = null;

  /**
   * Appends the text deltas of `chunk` (choice 0) to `deltas` (a new array if none is given). A piece
   * that continues the kind of text (reasoning, content, refusal) of the last delta already there is
   * joined to it: the chunks of one network read, pushed into one array, become one step update
   * instead of hundreds. Tool calls, finish reason and usage are only in result().
   */
  push(chunk: unknown, deltas: ChatTextDelta[] = []): ChatTextDelta[] {
    if (!isRecord(chunk)) return deltas;
    const { choices } = chunk;
    if (Array.isArray(choices)) {
      for (let position = 0; position < choices.length; position++) {
        const choice: unknown = choices[position];
        if (isRecord(choice)) this.#pushChoice(choice, position, deltas);
      }
    }
    this.#takeUsage(chunk.usage);
    return deltas;
  }

  result(): ChatStreamResult {
    const first = this.#choices.get(0);
    const result: ChatStreamResult = {
      content: first?.content ?? '',
      reasoning: first?.reasoning ?? '',
      tool_calls: first ? toolCallResults(first) : [],
      finish_reason: first?.finishReason ?? null,
      usage: this.#usage,
    };
    if (first?.refusal) result.refusal = first.refusal;
    if (this.#choices.size > 1) {
      result.choices = [...this.#choices.values()]
        .sort((a, b) => a.index - b.index)
        .map((choice) => ({
          index: choice.index,
          content: choice.content,
          reasoning: choice.reasoning,
          tool_calls: toolCallResults(choice),
          finish_reason: choice.finishReason,
        }));
    }
    return result;
  }

  #pushChoice(choice: Record<string, unknown>, position: number, deltas: ChatTextDelta[]): void {
    const index = typeof choice.index === 'number' ? choice.index : position;
    const state = this.#choiceState(index);
    // Deltas are reported for choice 0 only; other choices (n > 1) are accumulated for result().
    const out = index === 0 ? deltas : undefined;
    const { delta, finish_reason: finishReason } = choice;
    if (isRecord(delta)) pushDelta(state, delta, out);
    // An empty finish_reason carries no information and must not hide an earlier real one.
    if (typeof finishReason === 'string' && finishReason !== '') state.finishReason = finishReason;
    // Moonshot reports usage inside the choice.
    this.#takeUsage(choice.usage);
  }

  #choiceState(index: number): ChoiceState {
    let state = this.#choices.get(index);
    if (!state) {
      state = { index, content: '', reasoning: '', refusal: '', toolCalls: new Map(), finishReason: null };
      this.#choices.set(index, state);
    }
    return state;
  }

  #takeUsage(usage: unknown): void {
    // JSON boundary: counts are the provider's; some send null counts until the last chunk.
    if (isRecord(usage)) this.#usage = usage as ChatUsage;
  }
}

function pushDelta(state: ChoiceState, delta: Record<string, unknown>, out: ChatTextDelta[] | undefined): void {
  let reasoning = reasoningField(delta);
  let content = '';
  const rawContent = delta.content;
  if (typeof rawContent === 'string') {
    content = rawContent;
  } else if (Array.isArray(rawContent)) {
    // Mistral: an array of typed parts, `text` parts for the answer and `thinking` parts for reasoning.
    for (const part of rawContent) {
      if (!isRecord(part)) continue;
      if (part.type === 'text') content += textOf(part.text);
      else if (part.type === 'thinking') reasoning += thinkingText(part.thinking);
    }
  }

  if (reasoning !== '') {
    state.reasoning += reasoning;
    if (out) pushText(out, 'reasoning', reasoning);
  }
  if (content !== '') {
    state.content += content;
    if (out) pushText(out, 'content', content);
  }
  const { refusal, tool_calls: toolCalls } = delta;
  if (typeof refusal === 'string' && refusal !== '') {
    state.refusal += refusal;
    if (out) pushText(out, 'refusal', refusal);
  }
  if (Array.isArray(toolCalls)) {
    for (let position = 0; position < toolCalls.length; position++) {
      const fragment: unknown = toolCalls[position];
      if (isRecord(fragment)) mergeToolCallFragment(state, fragment, position);
    }
  }
}

/** Joins `text` to the last delta when that is the same kind of text; the deltas are this accumulator's own. */
function pushText(out: ChatTextDelta[], type: ChatTextDelta['type'], text: string): void {
  const last = out[out.length - 1];
  if (last !== undefined && last.type === type) last.text += text;
  else out.push({ type, text });
}

/** `reasoning_content` (DeepSeek and most others) or `reasoning` (Groq, Cerebras, vLLM). */
function reasoningField(delta: Record<string, unknown>): string {
  const { reasoning_content: reasoningContent, reasoning } = delta;
  if (typeof reasoningContent === 'string' && reasoningContent !== '') return reasoningContent;
  return typeof reasoning === 'string' ? reasoning : '';
}

/** A Mistral thinking part holds `[{type: 'text', text}]` (a plain string is accepted too). */
function thinkingText(thinking: unknown): string {
  if (typeof thinking === 'string') return thinking;
  if (!Array.isArray(thinking)) return '';
  let text = '';
  for (const part of thinking) {
    if (isRecord(part) && part.type === 'text') text += textOf(part.text);
  }
  return text;
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function mergeToolCallFragment(state: ChoiceState, fragment: Record<string, unknown>, position: number): void {
  const index = typeof fragment.index === 'number' ? fragment.index : position;
  const fn = isRecord(fragment.function) ? fragment.function : undefined;
  const name = fn && isNonEmptyString(fn.name) ? fn.name : '';
  const args = fn && typeof fn.arguments === 'string' ? fn.arguments : '';
  let call = state.toolCalls.get(index);
  if (!call) {
    // A fragment that names nothing and adds no arguments does not start a call.
    if (!isNonEmptyString(fragment.id) && name === '' && args === '') return;
    call = { index, id: '', type: '', name: '', arguments: '' };
    state.toolCalls.set(index, call);
  }
  // id, type and name keep their first non-empty value: continuation fragments often repeat them as "".
  if (call.id === '' && isNonEmptyString(fragment.id)) call.id = fragment.id;
  if (call.type === '' && isNonEmptyString(fragment.type)) call.type = fragment.type;
  if (call.name === '') call.name = name;
  call.arguments += args;
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function toolCallResults(choice: ChoiceState): ToolCallResult[] {
  return [...choice.toolCalls.values()]
    .sort((a, b) => a.index - b.index)
    .map((call) => ({
      index: call.index,
      id: call.id,
      type: call.type || 'function',
      function: { name: call.name, arguments: call.arguments },
    }));
}
