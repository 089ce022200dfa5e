import { afterAll, describe, expect, it } from 'vitest';
import { contentKind, createHtmlConverter, htmlToMarkdown, pageToMarkdown, INLINE_HTML_LIMIT } from './pageToMarkdown.js';
import type { FetchedPage } from './safeFetch.js';
import { ARTICLE_HTML } from '../../../test/tools-pageFixtures.js';

const converter = createHtmlConverter({ timeoutMs: 20_000 });
afterAll(() => converter.close());

function bigArticle(bytes: number): string {
  const para = `<p>${'Tide pools hold anemones, <a href="/crabs">crabs</a> and mussels between the rocks. '.repeat(8)}</p>\n`;
  return `<html><head><title>Big</title></head><body><nav><a href="/">Home</a></nav><article><h1>Big</h1>${para.repeat(Math.ceil(bytes / para.length))}</article></body></html>`;
}

function page(html: string): FetchedPage {
  return { url: 'http://site.test/a', finalUrl: 'http://site.test/a', status: 200, mediaType: 'text/html', charset: 'utf-8', body: Buffer.from(html), truncated: false, redirects: [] };
}

describe('HTML conversion', () => {
  it('gives the same Markdown in a worker as in the calling thread', async () => {
    const inline = await htmlToMarkdown(ARTICLE_HTML, 'http://site.test/a');
    expect(await converter.convert(ARTICLE_HTML, 'http://site.test/a')).toEqual(inline);
    expect(inline.markdown).toContain('[hermit crabs](http://site.test/species/hermit-crab)');
  });

  it('converts a large page in a worker while the event loop keeps running', async () => {
    const html = bigArticle(1_000_000);
    expect(html.length).toBeGreaterThan(INLINE_HTML_LIMIT);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    const started = Date.now();
    const readable = await pageToMarkdown(page(html), 1000, (h, base) => converter.convert(h, base));
    clearInterval(ticker);
    const elapsed = Date.now() - started;
    expect(readable).toMatchObject({ extraction: 'article', truncated: true, content: expect.stringContaining('[crabs](http://site.test/crabs)') });
    // A blocked loop would tick once or twice in total; a free one ticks about every 10 ms.
    expect(ticks).toBeGreaterThan(elapsed / 40);
  }, 30_000);

  it('stops a conversion that overruns its deadline', async () => {
    const hurried = createHtmlConverter({ timeoutMs: 30 });
    try {
      await expect(hurried.convert(bigArticle(2_000_000), 'http://site.test/')).rejects.toThrow('Converting the page to Markdown took longer than 30 ms and was stopped');
    } finally {
      await hurried.close();
    }
  }, 30_000);
});

describe('contentKind', () => {
  it.each([
    ['text/html', '<p>x</p>', 'html'],
    ['application/xhtml+xml', '<p>x</p>', 'html'],
    ['text/markdown', '# x', 'text'],
    ['application/json', '{}', 'text'],
    ['application/vnd.api+json', '{}', 'text'],
    ['application/atom+xml', '<feed/>', 'text'],
    ['image/svg+xml', '<svg/>', 'text'],
    ['application/pdf', '%PDF-1.7', 'binary'],
    ['image/jpeg', '\xff\xd8', 'binary'],
    ['', '<!DOCTYPE html><html></html>', 'html'],
    ['application/octet-stream', 'plain words here', 'text'],
    ['', 'a\u0000b', 'binary'],
  ])('%s %j is %s', (mediaType, body, kind) => {
    expect(contentKind(mediaType, Buffer.from(body, 'latin1'))).toBe(kind);
  });
});
