import type { ModelConfig, TitleSettings } from '@nanoclaw/protocol';
import type { AgentDeps } from './runAgent.js';

/** The question's and the answer's text the title request shows the model, at most, characters each. */
const EXCERPT_CHARS = 1500;
const TITLE_PROMPT =
  'Write a short title (2 to 6 words) for the conversation below, in the language it is written in. ' +
  'Answer with the title only: no quotes, no punctuation at the end, no explanation.';

/** The first words of a question as a title: at most `max` characters, cut at a word boundary when there is one. */
export function firstWordsTitle(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  const chars = [...oneLine];
  if (chars.length <= max) return oneLine;
  const cut = chars.slice(0, max).join('');
  // The limit falls between two words: nothing to take back.
  if (chars[max] === ' ') return cut;
  const space = cut.lastIndexOf(' ');
  // No space in the second half (one long word, or a language written without spaces): cut where the limit is.
  return space >= max / 2 ? cut.slice(0, space) : cut;
}

// Built from strings, not written as regex literals: the bundler writes the server as ASCII only, escaping
// the characters of string literals (\uXXXX) but not those of regex literals, and a single character beyond
// Latin-1 makes V8 keep the whole chunk's source at two bytes a character (here, 2 MB more at start-up).
/** A "Title:" label, in English or Chinese, with a half- or full-width colon. */
const TITLE_LABEL = new RegExp('^(title|标题)\\s*[:：]\\s*', 'i');
/** Quotes and brackets a model may put around a title, CJK ones included. */
const TITLE_QUOTES = '"\'“”‘’「」『』《》';
/** Those quotes around a title, and a final full stop or exclamation mark. */
const TITLE_WRAPPING = new RegExp(`^[${TITLE_QUOTES}]+|[${TITLE_QUOTES}.。!！]+$`, 'g');

/**
 * What a model answered to the title request, as a title: its first line, without quotes, Markdown
 * marks, a "Title:" label or a final full stop, at most `max` characters at a word boundary; empty when
 * nothing usable is left. The model's text is untrusted: nothing of it but plain words survives.
 */
export function cleanModelTitle(raw: string, max: number): string {
  const line = raw
    .replace(/<think>[\s\S]*?<\/think>/gi, '')
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '');
  if (!line) return '';
  const title = line
    .replace(TITLE_LABEL, '')
    .replace(/[*_`#>]+/g, '')
    .replace(TITLE_WRAPPING, '')
    .replace(/\s+/g, ' ')
    .trim();
  return firstWordsTitle(title, max);
}

/** Asks the model for a short title of a first exchange; resolves '' when it gives nothing usable. */
export async function askForTitle(
  streamChat: AgentDeps['streamChat'],
  model: ModelConfig,
  exchange: { question: string; answer: string },
  settings: TitleSettings,
  signal: AbortSignal,
): Promise<string> {
  const excerpt = (text: string) => [...text].slice(0, EXCERPT_CHARS).join('');
  let text = '';
  const stream = streamChat(
    model,
    {
      messages: [
        { role: 'system', content: TITLE_PROMPT },
        { role: 'user', content: `User: ${excerpt(exchange.question)}\n\nAssistant: ${excerpt(exchange.answer)}` },
      ],
      temperature: 0.3,
      maxTokens: 32,
      thinking: false,
    },
    signal,
  );
  for await (const delta of stream) if (delta.type === 'content') text += delta.text;
  return cleanModelTitle(text, settings.max_chars);
}
