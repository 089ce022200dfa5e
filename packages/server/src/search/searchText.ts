/**
 * The text search works on: what a message says in words, folded so that case and accents do not
 * matter (`Café` → `cafe`, `NAÏVE` → `naive`, full-width `ＡＢＣ` → `abc`), the same on every engine.
 * Folding is per character (NFKD, lower case, combining marks dropped, NFC), so a position in the
 * folded text maps back to the original (see `foldWithMap`), which is what snippets need. Japanese
 * voicing marks (゛゜) are kept: `が` is not `か`.
 */

const COMBINING_MARK = /(?![\u3099\u309a])\p{M}/gu;
const ASCII = /^[\x00-\x7f]*$/;
const foldCache = new Map<string, string>();

function foldChar(char: string): string {
  let folded = foldCache.get(char);
  if (folded === undefined) {
    folded = char.normalize('NFKD').toLowerCase().replace(COMBINING_MARK, '').normalize('NFC');
    if (foldCache.size < 20_000) foldCache.set(char, folded);
  }
  return folded;
}

/** Case and accents folded: what is stored and indexed, and what queries are matched as. */
export function foldText(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase();
  let out = '';
  for (const char of text) out += foldChar(char);
  return out;
}

/** The folded text and, for each of its UTF-16 units, the index in `text` of the character it came from. */
export function foldWithMap(text: string): { folded: string; origin: number[] } {
  let folded = '';
  const origin: number[] = [];
  let index = 0;
  for (const char of text) {
    const part = foldChar(char);
    folded += part;
    for (let i = 0; i < part.length; i++) origin.push(index);
    index += char.length;
  }
  origin.push(index);
  return { folded, origin };
}

/** The readable text of a stored message's content (`{text, …}`); '' when it has none. */
export function readableText(content: unknown): string {
  if (typeof content === 'object' && content !== null && 'text' in content) {
    const text = (content as { text: unknown }).text;
    if (typeof text === 'string') return text;
  }
  return '';
}

/** At most this much of a message is indexed (the start of a very long answer is enough to find it). */
export const MAX_INDEXED_CHARS = 20_000;

/** The folded text stored for one message or title. */
export function searchDocument(text: string): string {
  return foldText(text.length > MAX_INDEXED_CHARS ? text.slice(0, MAX_INDEXED_CHARS) : text);
}

/** The shortest word the indexes can look up (trigrams). */
export const MIN_INDEXED_WORD = 3;

/** A query as words: folded, split on white space, duplicates dropped, at most `max`. */
export function queryWords(query: string, max = 8): string[] {
  return [...new Set(foldText(query).split(/\s+/u).filter((word) => word.length > 0))].slice(0, max);
}

/** Characters (code points) of a word, so that a CJK or emoji word is measured as people count it. */
export function charLength(word: string): number {
  return [...word].length;
}

/** Chinese, Japanese and Korean characters: text without spaces between words, found by trigrams. */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const CJK_ALL = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu;
const NOT_WORD = /[^\p{L}\p{N}]+/u;

/** Whether folded text holds Chinese, Japanese or Korean characters. */
export function hasCjk(text: string): boolean {
  return CJK.test(text);
}

/** The longest word the word indexes hold (MariaDB's innodb_ft_max_token_size). */
export const MAX_WORD_TOKEN = 84;

/**
 * The words of folded text for the word indexes (MariaDB's `search_entries.words`): runs of letters and
 * digits, Chinese, Japanese and Korean characters left out (the trigram index finds those), one space
 * between words.
 */
export function wordText(folded: string): string {
  return wordsOf(folded).join(' ');
}

/** The runs of letters and digits of folded text, Chinese, Japanese and Korean characters left out. */
function wordsOf(folded: string): string[] {
  return folded.replace(CJK_ALL, ' ').split(NOT_WORD).filter((word) => word.length > 0);
}

/**
 * The words an entry is found by in MariaDB's postings table (`search_postings`, 0010_search_postings):
 * the distinct words of `wordText(folded)` of 3 to 84 characters. A lookup (`wordLookups`: 3+ characters)
 * can only be the start of such a word, so shorter ones are never read, and none is longer than the column.
 */
export function postingWords(folded: string): string[] {
  const words = new Set<string>();
  for (const word of wordsOf(folded)) {
    const length = charLength(word);
    if (length >= MIN_INDEXED_WORD && length <= MAX_WORD_TOKEN) words.add(word);
  }
  return [...words];
}

/**
 * The words a query word is looked up by in a word index, each as the start of a stored word (prefix):
 * its runs of letters and digits of 3 to 84 characters. null when the word goes to the trigram index
 * instead (it holds Chinese, Japanese or Korean characters) or has no such run (`a_b`: then it is only
 * checked with LIKE on what other words found).
 */
export function wordLookups(word: string): string[] | null {
  if (hasCjk(word)) return null;
  const tokens = word.split(NOT_WORD).filter((token) => charLength(token) >= MIN_INDEXED_WORD && charLength(token) <= MAX_WORD_TOKEN);
  return tokens.length > 0 ? [...new Set(tokens)] : null;
}

/**
 * The white-space separated words of folded text that hold Chinese, Japanese or Korean characters, one
 * space between them: what SQLite's trigram index holds (`search_entries.cjk`), since other words have a
 * word index. Empty for text without such characters.
 */
export function cjkText(folded: string): string {
  if (!hasCjk(folded)) return '';
  return folded
    .split(/\s+/u)
    .filter((word) => hasCjk(word))
    .join(' ');
}

/**
 * Trigram tokens (see `trigramTokens`) of only the white-space separated words that hold Chinese,
 * Japanese or Korean characters: what MariaDB's trigram index needs since other words have a word index.
 */
export function cjkTrigramTokens(folded: string): string[] {
  return trigramTokens(cjkText(folded));
}

/**
 * The trigram tokens of folded text for a word-based full-text index (MariaDB, which has no n-gram
 * parser): every run of three characters inside each white-space separated word, written as the hex of
 * its UTF-8 bytes, so every token is a plain `[0-9a-f]` word of 6–24 characters that no full-text
 * parser splits, no stopword list contains and no boolean-mode operator touches. Each token once.
 */
export function trigramTokens(folded: string): string[] {
  const tokens = new Set<string>();
  for (const word of folded.split(/\s+/u)) {
    const chars = [...word];
    for (let i = 0; i + 3 <= chars.length; i++) tokens.add(Buffer.from(chars[i]! + chars[i + 1]! + chars[i + 2]!, 'utf8').toString('hex'));
  }
  return [...tokens];
}

const SNIPPET_BEFORE = 40;
const SNIPPET_LENGTH = 160;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Up to ~160 characters of `text` around the first match of any of the (folded) words, each match
 * wrapped in `<mark>…</mark>` and everything else HTML-escaped, with `…` where text was cut.
 */
export function snippetOf(text: string, words: readonly string[]): string {
  const flat = text.replace(/\s+/gu, ' ').trim();
  const { folded, origin } = foldWithMap(flat);
  const ranges: Array<[number, number]> = [];
  for (const word of words) {
    if (word.length === 0) continue;
    for (let at = folded.indexOf(word); at !== -1; at = folded.indexOf(word, at + word.length)) {
      ranges.push([origin[at]!, origin[at + word.length]!]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const first = ranges[0]?.[0] ?? 0;
  let start = Math.max(0, first - SNIPPET_BEFORE);
  if (start > 0) {
    const space = flat.lastIndexOf(' ', start);
    if (space > start - 15 && space >= 0) start = space + 1;
  }
  const end = Math.min(flat.length, start + SNIPPET_LENGTH);
  let out = start > 0 ? '…' : '';
  let at = start;
  for (const [from, to] of ranges) {
    if (to <= at || from >= end) continue;
    const markFrom = Math.max(from, at);
    out += escapeHtml(flat.slice(at, markFrom)) + '<mark>' + escapeHtml(flat.slice(markFrom, Math.min(to, end))) + '</mark>';
    at = Math.min(to, end);
  }
  out += escapeHtml(flat.slice(at, end));
  if (end < flat.length) out += '…';
  return out;
}
