import type { Readability } from '@mozilla/readability';
import { loadHtmlLibraries, type HtmlLibraries } from './htmlLibraries.js';
import { createRequire } from 'node:module';
import type { FetchedPage } from './safeFetch.js';
import { createWorkerPool, WORKER_START_TIMEOUT_MS } from '../../workers/workerPool.js';

export interface ReadablePage {
  url: string;
  final_url: string;
  status: number;
  content_type: string;
  title: string | null;
  /** "article" (Readability found the main text), "page" (whole body converted) or "text" (passed through). */
  extraction: 'article' | 'page' | 'text';
  content: string;
  /** Characters of content before any cut. */
  total_chars: number;
  truncated: boolean;
  /** Notes the model should know (size limit hit, content cut...). */
  notes?: string[];
}

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);
const TEXT_TYPES = new Set([
  'application/json', 'application/ld+json', 'application/xml', 'application/javascript', 'application/ecmascript',
  'application/x-javascript', 'application/x-yaml', 'application/yaml', 'application/toml', 'application/x-sh',
  'application/sql', 'application/graphql', 'application/csv', 'application/x-ndjson', 'image/svg+xml',
]);

export class BinaryContentError extends Error {}

type Kind = 'html' | 'text' | 'binary';

export function contentKind(mediaType: string, body: Buffer): Kind {
  if (HTML_TYPES.has(mediaType)) return 'html';
  if (mediaType.startsWith('text/') || TEXT_TYPES.has(mediaType) || /\+(json|xml)$/.test(mediaType)) return 'text';
  if (mediaType !== '' && mediaType !== 'application/octet-stream') return 'binary';
  // No (or a generic) type: sniff like a browser would, roughly.
  const head = body.subarray(0, 1024);
  if (head.includes(0)) return 'binary';
  const text = head.toString('latin1').trimStart().toLowerCase();
  if (text.startsWith('<!doctype html') || text.startsWith('<html') || /<(head|body|title)[\s>]/.test(text)) return 'html';
  return isMostlyText(head) ? 'text' : 'binary';
}

function isMostlyText(bytes: Buffer): boolean {
  if (bytes.length === 0) return true;
  let control = 0;
  for (const byte of bytes) if (byte < 0x09 || (byte > 0x0d && byte < 0x20)) control++;
  return control / bytes.length < 0.02;
}

/** Turns a fetched page into text the model can read: HTML as Markdown (main article when found), text as is; binary refused. */
/** HTML shorter than this is converted in the calling thread: quicker than a round trip to a worker, and brief. */
export const INLINE_HTML_LIMIT = 100_000;

export type ConvertHtml = (html: string, baseUrl: string) => Promise<HtmlConversion>;

export async function pageToMarkdown(page: FetchedPage, maxChars: number, convert?: ConvertHtml): Promise<ReadablePage> {
  const kind = contentKind(page.mediaType, page.body);
  const mediaType = page.mediaType || 'unknown';
  if (kind === 'binary') {
    throw new BinaryContentError(
      `${page.finalUrl} is binary content (${mediaType}, ${page.body.length}${page.truncated ? '+' : ''} bytes), which cannot be shown as text. ` +
        'fetch_page reads HTML and text documents only.',
    );
  }
  const text = decodeBody(page.body, page.charset, kind === 'html');
  const converted =
    kind !== 'html'
      ? { title: null, markdown: text, extraction: 'text' as const }
      : convert && text.length > INLINE_HTML_LIMIT
        ? await convert(text, page.finalUrl)
        : await htmlToMarkdown(text, page.finalUrl);
  const notes: string[] = [];
  if (page.truncated) notes.push(`The page is larger than the size limit; only its first ${page.body.length} bytes were read.`);
  const total = converted.markdown.length;
  let content = converted.markdown;
  const cut = total > maxChars;
  if (cut) {
    content = content.slice(0, maxChars);
    notes.push(`Content cut to ${maxChars} of ${total} characters; ask for a larger max_chars if you need more.`);
  }
  return {
    url: page.url,
    final_url: page.finalUrl,
    status: page.status,
    content_type: mediaType,
    title: converted.title,
    extraction: converted.extraction,
    content,
    total_chars: total,
    truncated: cut || page.truncated,
    ...(notes.length > 0 ? { notes } : {}),
  };
}

export function decodeBody(body: Buffer, charset: string | null, isHtml: boolean): string {
  let label = charset;
  if (!label && isHtml) {
    const head = body.subarray(0, 2048).toString('latin1');
    label = /<meta[^>]+charset=["']?([\w-]+)/i.exec(head)?.[1] ?? null;
  }
  try {
    return new TextDecoder(label ?? 'utf-8').decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}

export interface HtmlConversion {
  title: string | null;
  markdown: string;
  extraction: 'article' | 'page';
}

/** Converts in the calling thread (small pages, tests); fetch_page uses createHtmlConverter for large ones. */
export async function htmlToMarkdown(html: string, baseUrl: string): Promise<HtmlConversion> {
  return convertHtml(html, baseUrl, await loadHtmlLibraries());
}

/**
 * HTML → Markdown: the main article (Readability) when the page has one, else the body without navigation.
 * Self-contained (it uses only its arguments) because the worker pool runs its source text in another thread.
 */
function convertHtml(html: string, baseUrl: string, libs: HtmlLibraries): HtmlConversion {
  type El = { tagName: string; getAttribute(name: string): string | null; setAttribute(name: string, value: string): void; remove(): void };
  const { document } = libs.parseHTML(html);
  const base = new URL(baseUrl);
  for (const element of document.querySelectorAll('a[href], img[src]') as unknown as Iterable<El>) {
    const attribute = element.tagName === 'A' ? 'href' : 'src';
    const value = element.getAttribute(attribute);
    if (!value || value.startsWith('#') || value.startsWith('data:')) continue;
    try {
      element.setAttribute(attribute, new URL(value, base).href);
    } catch {
      // Leave unparseable links as they are.
    }
  }
  const pageTitle = document.querySelector('title')?.textContent?.trim() || null;

  const turndown = new libs.TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-', emDelimiter: '*' });
  turndown.remove(['script', 'style', 'noscript', 'template', 'iframe', 'form', 'button', 'select', 'input']);
  // Inline images as data: URIs would flood the model with base64.
  turndown.addRule('dropDataImages', {
    filter: (node) => node.nodeName === 'IMG' && (node.getAttribute('src') ?? '').startsWith('data:'),
    replacement: (_content, node) => {
      const alt = (node as unknown as El).getAttribute('alt');
      return alt ? `[image: ${alt}]` : '';
    },
  });
  const tidy = (markdown: string): string => markdown.replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();

  // Readability always returns something; on pages without a main text (indexes, short notes) the whole body reads better.
  type ReadabilityInput = ConstructorParameters<typeof Readability>[0];
  let article: ReturnType<Readability<string>['parse']> = null;
  if (libs.isProbablyReaderable(document as unknown as ReadabilityInput)) {
    try {
      // Readability changes the document it reads: give it a copy so the fallback still has the whole page.
      article = new libs.Readability(document.cloneNode(true) as unknown as ReadabilityInput, { charThreshold: 200 }).parse();
    } catch {
      article = null;
    }
  }
  if (article?.content && (article.textContent ?? '').trim().length > 0) {
    return { title: article.title?.trim() || pageTitle, markdown: tidy(turndown.turndown(article.content)), extraction: 'article' };
  }
  for (const node of document.querySelectorAll('script, style, noscript, template, iframe, svg, nav, header, footer') as unknown as Iterable<El>) node.remove();
  const body = document.querySelector('body');
  const markdown = body ? turndown.turndown(body.innerHTML as string) : '';
  return { title: pageTitle, markdown: tidy(markdown), extraction: 'page' };
}

export interface HtmlConverter {
  convert(html: string, baseUrl: string): Promise<HtmlConversion>;
  close(): Promise<void>;
}

/**
 * Converts in worker threads: a 2 MB page takes seconds of parsing, which must not stall the event loop
 * (and every other run's stream) of the server.
 */
export function createHtmlConverter(options: { timeoutMs: number }): HtmlConverter {
  const require = createRequire(import.meta.url);
  const pool = createWorkerPool<{ html: string; baseUrl: string }, HtmlConversion>({
    source: `
const { parentPort, workerData } = require('node:worker_threads');
const { parseHTML } = require(workerData.linkedom);
const { Readability, isProbablyReaderable } = require(workerData.readability);
const TurndownService = require(workerData.turndown);
const libs = { parseHTML, Readability, isProbablyReaderable, TurndownService };
const convertHtml = ${convertHtml.toString()};
parentPort.on('message', ({ id, job }) => {
  try {
    parentPort.postMessage({ id, ok: true, result: convertHtml(job.html, job.baseUrl, libs) });
  } catch (error) {
    parentPort.postMessage({ id, ok: false, message: 'Could not convert the page: ' + (error && error.message ? error.message : String(error)) });
  }
});
parentPort.postMessage({ ready: true });`,
    workerData: {
      linkedom: require.resolve('linkedom'),
      readability: require.resolve('@mozilla/readability'),
      turndown: require.resolve('turndown'),
    },
    timeoutMs: options.timeoutMs,
    timeoutMessage: `Converting the page to Markdown took longer than ${options.timeoutMs} ms and was stopped`,
    memoryMessage: 'The page is too complex to convert (the converter ran out of memory)',
    resourceLimits: { maxOldGenerationSizeMb: 512 },
    // The deadline is the page's: starting the worker and loading linkedom, Readability and Turndown do not count against it.
    startup: { timeoutMs: WORKER_START_TIMEOUT_MS, timeoutMessage: 'The page converter could not start in time; try again' },
  });
  return { convert: (html, baseUrl) => pool.run({ html, baseUrl }), close: () => pool.close() };
}
