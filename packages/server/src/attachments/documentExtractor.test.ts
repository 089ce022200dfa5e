import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDocx, makePdf, makeXlsx } from '../../test/attachmentFixtures.js';
import { createDocumentExtractor, ExtractionError } from './documentExtractor.js';

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/attachments/${name}`, import.meta.url));
const extractor = createDocumentExtractor({ timeoutMs: 20_000, memoryMb: 256, maxPages: 50, maxChars: 10_000, maxUnzippedBytes: 50 * 1024 * 1024 });
afterAll(() => extractor.close());

describe('createDocumentExtractor', () => {
  it('reads the text layer of every page of a PDF', async () => {
    const result = await extractor.extract('pdf', await makePdf(3, 'Quarterly figures'));
    expect(result.parts).toBe(3);
    expect(result.text).toContain('Quarterly figures (page 1)');
    expect(result.text).toContain('Quarterly figures (page 3)');
    expect(result.truncated).toBe(false);
  });

  it('refuses a PDF with more pages than max_pdf_pages (a 10,000-page PDF) with a sentence saying so', async () => {
    await expect(extractor.extract('pdf', fixture('10000-blank-pages.pdf'))).rejects.toThrow(/has 10000 pages; at most 50 are read/);
  }, 60_000);

  it('answers a clear error for a damaged PDF', async () => {
    const pdf = await makePdf(1);
    const error = await extractor.extract('pdf', pdf.subarray(0, 200)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExtractionError);
    expect((error as Error).message).toMatch(/PDF could not be read/);
  });

  it('cuts the text at maxChars and says so', async () => {
    const small = createDocumentExtractor({ timeoutMs: 20_000, memoryMb: 256, maxPages: 50, maxChars: 40, maxUnzippedBytes: 1e6 });
    try {
      const result = await small.extract('pdf', await makePdf(5, 'A long line of text on the page'));
      expect(result.text.length).toBe(40);
      expect(result.truncated).toBe(true);
    } finally {
      await small.close();
    }
  });

  it('reads the paragraphs of a Word document', async () => {
    const result = await extractor.extract('docx', await makeDocx(['First paragraph', 'Second & last']));
    expect(result.text).toBe('First paragraph\n\nSecond & last');
  });

  it('refuses a DOCX zip bomb (300 MB of zeros in 300 KB) before unpacking it', async () => {
    await expect(extractor.extract('docx', fixture('zip-bomb-300mb.docx'))).rejects.toThrow(/unpacks to more than 50 MB.*zip bomb/);
  }, 60_000);

  it('answers a clear error for a damaged DOCX', async () => {
    const docx = await makeDocx(['x']);
    await expect(extractor.extract('docx', docx.subarray(0, docx.length - 40))).rejects.toThrow(/not a valid Office document/);
  });

  it('turns each sheet of a workbook into a Markdown table', async () => {
    const result = await extractor.extract('xlsx', await makeXlsx({ Prices: [['Item', 'Price'], ['Tea', 3.5], ['Cake | slice', 4]], Empty: [] }));
    expect(result.parts).toBe(2);
    expect(result.text).toBe('## Sheet: Prices\n\n| Item | Price |\n| --- | --- |\n| Tea | 3.5 |\n| Cake \\| slice | 4 |\n\n## Sheet: Empty\n\n(empty)');
  });

  it('turns HTML into Markdown without scripts or styles', async () => {
    const html = '<html><head><style>p{}</style></head><body><h1>Title</h1><script>alert(1)</script><p>Some <b>bold</b> text</p></body></html>';
    const result = await extractor.extract('html', Buffer.from(html));
    expect(result.text).toBe('# Title\n\nSome **bold** text');
  });

  it('stops a document that takes longer than the deadline, and the next one still works', async () => {
    const slow = createDocumentExtractor({ timeoutMs: 1, memoryMb: 256, maxPages: 20_000, maxChars: 10_000_000, maxUnzippedBytes: 1e6 });
    try {
      await expect(slow.extract('pdf', fixture('10000-blank-pages.pdf'))).rejects.toThrow(/took longer than .* and was stopped/);
    } finally {
      await slow.close();
    }
    await expect(extractor.extract('docx', await makeDocx(['still here']))).resolves.toMatchObject({ text: 'still here' });
  }, 60_000);

  it('stops a document that needs more memory than the worker may use', async () => {
    const tight = createDocumentExtractor({ timeoutMs: 60_000, memoryMb: 64, maxPages: 20_000, maxChars: 100_000_000, maxUnzippedBytes: 500 * 1024 * 1024 });
    try {
      const paragraphs = Array.from({ length: 300_000 }, (_, i) => `Paragraph ${i} with some words in it`);
      await expect(tight.extract('docx', await makeDocx(paragraphs))).rejects.toThrow(/ran out of memory/);
    } finally {
      await tight.close();
    }
  }, 120_000);
});
