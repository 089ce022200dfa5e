import { loadHtmlLibraries, type HtmlLibraries } from './htmlLibraries.js';
import type { SearchSettings } from '@nanoclaw/protocol';
import { httpGet, parseJsonBody, type FetchLike } from './httpGet.js';

export interface SearchResult {
  title: string;
  url: string;
  snippet: string;
}

export interface SearchOutcome {
  results: SearchResult[];
  /** Something the model should know (e.g. engines that did not answer). */
  note?: string;
}

export interface SearchRequest {
  query: string;
  count: number;
  signal: AbortSignal;
}

export interface SearchBackend {
  name: 'searxng' | 'brave' | 'duckduckgo';
  search(request: SearchRequest): Promise<SearchOutcome>;
}

export const DEFAULT_BASE_URLS = {
  brave: 'https://api.search.brave.com',
  duckduckgo: 'https://html.duckduckgo.com',
} as const;

const BROWSER_USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';

/** The configured backend, or a sentence saying why there is none. */
export function createSearchBackend(settings: SearchSettings, fetchImpl: FetchLike): SearchBackend | { unavailable: string } {
  switch (settings.backend) {
    case undefined:
      return {
        unavailable:
          'Web search is not configured. An administrator can enable it by setting search.backend (searxng, brave or duckduckgo) ' +
          'in config.yml, with search.base_url for SearXNG and search.api_key for Brave.',
      };
    case 'searxng':
      if (!settings.base_url) return { unavailable: 'Web search is misconfigured: search.base_url (the SearXNG instance URL) is required for the searxng backend.' };
      return searxng(settings.base_url, settings, fetchImpl);
    case 'brave':
      if (!settings.api_key) return { unavailable: 'Web search is misconfigured: search.api_key (a Brave Search API subscription token) is required for the brave backend.' };
      return brave(settings.base_url ?? DEFAULT_BASE_URLS.brave, settings.api_key, settings, fetchImpl);
    case 'duckduckgo':
      return duckduckgo(settings.base_url ?? DEFAULT_BASE_URLS.duckduckgo, settings, fetchImpl);
  }
}

function endpoint(base: string, path: string, params: Record<string, string>): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.href;
}

function statusError(service: string, status: number, hint = ''): Error {
  const reason = status === 429 ? ' (rate limited; try again later)' : status === 401 || status === 403 ? ` (access denied${hint ? `: ${hint}` : ''})` : '';
  return new Error(`${service} answered HTTP ${status}${reason}`);
}

/** SearXNG JSON API: GET /search?q=…&format=json (the instance must list json in search.formats). */
function searxng(base: string, settings: SearchSettings, fetchImpl: FetchLike): SearchBackend {
  const service = `The searxng search backend at ${base}`;
  return {
    name: 'searxng',
    async search({ query, count, signal }) {
      const url = endpoint(base, '/search', { q: query, format: 'json', pageno: '1' });
      const response = await httpGet(fetchImpl, url, { service, timeoutMs: settings.timeout_ms, signal, headers: { accept: 'application/json' } });
      if (response.status !== 200) throw statusError(service, response.status, 'enable the json format under search.formats in its settings.yml');
      const body = parseJsonBody(response.text, service) as {
        results?: Array<{ url?: unknown; title?: unknown; content?: unknown }>;
        unresponsive_engines?: Array<[string, string]>;
      };
      if (!Array.isArray(body.results)) throw new Error(`${service} answered without a results list`);
      const results = body.results
        .filter((item) => typeof item.url === 'string')
        .slice(0, count)
        .map((item) => ({ title: clean(String(item.title ?? '')), url: String(item.url), snippet: clean(String(item.content ?? '')) }));
      const unresponsive = (body.unresponsive_engines ?? []).map((entry) => `${entry[0]} (${entry[1]})`);
      return { results, ...(unresponsive.length > 0 ? { note: `Engines that did not answer: ${unresponsive.join(', ')}.` } : {}) };
    },
  };
}

/** Brave Search API: GET /res/v1/web/search?q=…&count=… with X-Subscription-Token. */
function brave(base: string, apiKey: string, settings: SearchSettings, fetchImpl: FetchLike): SearchBackend {
  const service = `The brave search backend at ${base}`;
  return {
    name: 'brave',
    async search({ query, count, signal }) {
      const url = endpoint(base, '/res/v1/web/search', { q: query, count: String(Math.min(count, 20)) });
      const response = await httpGet(fetchImpl, url, {
        service,
        timeoutMs: settings.timeout_ms,
        signal,
        headers: { accept: 'application/json', 'x-subscription-token': apiKey },
      });
      if (response.status !== 200) throw statusError(service, response.status, 'check search.api_key');
      const body = parseJsonBody(response.text, service) as { web?: { results?: Array<{ title?: unknown; url?: unknown; description?: unknown }> } };
      const items = body.web?.results ?? [];
      const { parseHTML } = await loadHtmlLibraries();
      return {
        results: items
          .filter((item) => typeof item.url === 'string')
          .slice(0, count)
          .map((item) => ({ title: htmlToText(parseHTML, String(item.title ?? '')), url: String(item.url), snippet: htmlToText(parseHTML, String(item.description ?? '')) })),
      };
    },
  };
}

/** DuckDuckGo's HTML endpoint: GET /html/?q=…, results read from the page (links unwrapped from /l/?uddg=…, ads skipped). */
function duckduckgo(base: string, settings: SearchSettings, fetchImpl: FetchLike): SearchBackend {
  const service = `The duckduckgo search backend at ${base}`;
  return {
    name: 'duckduckgo',
    async search({ query, count, signal }) {
      const url = endpoint(base, '/html/', { q: query });
      const response = await httpGet(fetchImpl, url, {
        service,
        timeoutMs: settings.timeout_ms,
        signal,
        headers: { accept: 'text/html', 'user-agent': BROWSER_USER_AGENT },
      });
      if (response.status !== 200) {
        throw response.status === 202
          ? new Error(`${service} asked for a bot check instead of answering; try again later or configure another backend`)
          : statusError(service, response.status);
      }
      return { results: parseDuckDuckGoHtml((await loadHtmlLibraries()).parseHTML, response.text, base).slice(0, count) };
    },
  };
}

export function parseDuckDuckGoHtml(parseHTML: HtmlLibraries['parseHTML'], html: string, base: string): SearchResult[] {
  const { document } = parseHTML(html);
  if (document.querySelector('.anomaly-modal, #challenge-form')) {
    throw new Error('DuckDuckGo asked for a bot check instead of answering; try again later or configure another backend');
  }
  const results: SearchResult[] = [];
  for (const element of document.querySelectorAll('.result')) {
    if (element.classList.contains('result--ad')) continue;
    const link = element.querySelector('a.result__a');
    if (!link) continue;
    const href = unwrapDuckDuckGoLink(link.getAttribute('href') ?? '', base);
    if (!href) continue;
    const snippet = element.querySelector('.result__snippet');
    results.push({ title: clean(link.textContent ?? ''), url: href, snippet: clean(snippet?.textContent ?? '') });
  }
  return results;
}

function unwrapDuckDuckGoLink(href: string, base: string): string | null {
  try {
    const url = new URL(href, base);
    const target = url.pathname === '/l/' ? url.searchParams.get('uddg') : url.href;
    if (!target) return null;
    const parsed = new URL(target);
    // Ad clicks go through duckduckgo.com/y.js; they are not results.
    if (parsed.pathname === '/y.js') return null;
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

function clean(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function htmlToText(parseHTML: HtmlLibraries['parseHTML'], html: string): string {
  if (!/[<&]/.test(html)) return clean(html);
  const { document } = parseHTML(`<!doctype html><html><body>${html}</body></html>`);
  return clean(document.body.textContent ?? '');
}
