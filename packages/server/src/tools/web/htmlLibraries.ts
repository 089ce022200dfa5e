import type { parseHTML } from 'linkedom';
import type { Readability, isProbablyReaderable } from '@mozilla/readability';
import type TurndownService from 'turndown';

export interface HtmlLibraries {
  parseHTML: typeof parseHTML;
  Readability: typeof Readability;
  isProbablyReaderable: typeof isProbablyReaderable;
  TurndownService: typeof TurndownService;
}

let loading: Promise<HtmlLibraries> | null = null;

/**
 * The DOM, article-extraction and Markdown libraries, loaded on first use: together they cost
 * ~25 MB and ~200 ms, which a server whose model never reads a web page should not pay at start-up.
 */
export function loadHtmlLibraries(): Promise<HtmlLibraries> {
  loading ??= Promise.all([import('linkedom'), import('@mozilla/readability'), import('turndown')]).then(
    ([linkedom, readability, turndown]) => ({
      parseHTML: linkedom.parseHTML,
      Readability: readability.Readability,
      isProbablyReaderable: readability.isProbablyReaderable,
      TurndownService: turndown.default,
    }),
  );
  return loading;
}
