import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { createWorkerPool, WORKER_START_TIMEOUT_MS, WorkerJobError } from '../workers/workerPool.js';

/** The document formats turned into text in the extraction worker. */
export type DocumentFormat = 'pdf' | 'docx' | 'xlsx' | 'html';

export interface ExtractLimits {
  /** A PDF with more pages is refused. */
  maxPages: number;
  /** Text beyond this many characters is dropped (and `truncated` says so). */
  maxChars: number;
  /** DOCX/XLSX: the most bytes all entries of the zip may expand to (zip bombs). */
  maxUnzippedBytes: number;
}

export interface ExtractedText {
  text: string;
  /** Pages (PDF) or sheets (XLSX) read. */
  parts?: number;
  truncated: boolean;
}

/** A document that cannot be read: corrupt, too large once unpacked, too many pages, too slow. The message is for the person. */
export class ExtractionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExtractionError';
  }
}

interface ExtractJob {
  format: DocumentFormat;
  bytes: Uint8Array;
  limits: ExtractLimits;
}

interface ExtractLibraries {
  unpdf: { getDocumentProxy(data: Uint8Array, options?: object): Promise<PdfDocument> };
  mammoth: { extractRawText(input: { buffer: Buffer }): Promise<{ value: string }> };
  ExcelJS: { Workbook: new () => ExcelWorkbook };
  yauzl: typeof import('yauzl');
  parseHTML(html: string): { document: { querySelectorAll(selector: string): Iterable<{ remove(): void }>; body?: { innerHTML: string } | null } };
  TurndownService: new (options: object) => { remove(tags: string[]): void; turndown(html: string): string };
}
interface PdfDocument {
  numPages: number;
  getPage(n: number): Promise<{ getTextContent(): Promise<{ items: Array<{ str?: string; hasEOL?: boolean }> }> }>;
  destroy(): Promise<void>;
}
interface ExcelWorkbook {
  xlsx: { load(data: Buffer): Promise<unknown> };
  worksheets: Array<{ name: string; eachRow(callback: (row: { values: unknown }, rowNumber: number) => void): void }>;
}

/**
 * Turns a document into text. Self-contained (it uses only its arguments) because the worker pool runs its
 * source text in another thread; the error messages it throws are for the person who uploaded the file.
 */
async function extractDocument(job: ExtractJob, libs: ExtractLibraries): Promise<ExtractedText> {
  const { limits } = job;
  const bytes = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
  let text = '';
  let truncated = false;
  const add = (piece: string): boolean => {
    if (truncated) return false;
    if (text.length + piece.length > limits.maxChars) {
      text += piece.slice(0, limits.maxChars - text.length);
      truncated = true;
      return false;
    }
    text += piece;
    return true;
  };

  /** Reads every entry's size from the zip's directory, then inflates each one, checking that none grows past what it declares. */
  const checkZip = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const fail = (message: string) => reject(new Error(message));
      libs.yauzl.fromBuffer(bytes, { lazyEntries: true, validateEntrySizes: true }, (err, zip) => {
        if (err || !zip) return fail('The file is not a valid Office document (its zip structure is damaged).');
        let total = 0;
        let entries = 0;
        zip.on('error', () => fail('The file is not a valid Office document (its zip structure is damaged).'));
        zip.on('end', () => resolve());
        zip.on('entry', (entry: import('yauzl').Entry) => {
          entries++;
          total += entry.uncompressedSize;
          if (entries > 10_000 || total > limits.maxUnzippedBytes) {
            zip.close();
            return fail(`The document unpacks to more than ${Math.round(limits.maxUnzippedBytes / 1024 / 1024)} MB, which is more than is read (a zip bomb?).`);
          }
          if (entry.fileName.endsWith('/')) return zip.readEntry();
          zip.openReadStream(entry, (streamErr, stream) => {
            if (streamErr || !stream) return fail('The file is not a valid Office document (an entry could not be unpacked).');
            stream.on('error', () => fail('The document is damaged or lies about its size once unpacked (a zip bomb?).'));
            stream.on('end', () => zip.readEntry());
            stream.resume();
          });
        });
        zip.readEntry();
      });
    });

  switch (job.format) {
    case 'pdf': {
      let pdf: PdfDocument;
      try {
        // No eval (font programs compiled to JS were CVE-2024-4367), no fonts loaded: only the text is read.
        pdf = await libs.unpdf.getDocumentProxy(new Uint8Array(bytes), { isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0 });
      } catch {
        throw new Error('The PDF could not be read: it is damaged, encrypted or not a PDF.');
      }
      try {
        if (pdf.numPages > limits.maxPages) throw new Error(`The PDF has ${pdf.numPages} pages; at most ${limits.maxPages} are read.`);
        let anyText = false;
        for (let n = 1; n <= pdf.numPages; n++) {
          const content = await (await pdf.getPage(n)).getTextContent();
          let pageText = '';
          for (const item of content.items) pageText += (item.str ?? '') + (item.hasEOL ? '\n' : '');
          if (pageText.trim()) anyText = true;
          if (!add((n > 1 ? '\n\n' : '') + `--- page ${n} ---\n` + pageText.trim())) break;
        }
        // Page markers alone (a scanned PDF) are no text.
        return { text: anyText ? text : '', parts: pdf.numPages, truncated };
      } finally {
        await pdf.destroy().catch(() => undefined);
      }
    }
    case 'docx': {
      await checkZip();
      let value: string;
      try {
        ({ value } = await libs.mammoth.extractRawText({ buffer: bytes }));
      } catch {
        throw new Error('The Word document could not be read: it is damaged or not a .docx file.');
      }
      add(value.replace(/\n{3,}/g, '\n\n').trim());
      return { text, truncated };
    }
    case 'xlsx': {
      await checkZip();
      const workbook = new libs.ExcelJS.Workbook();
      try {
        await workbook.xlsx.load(bytes);
      } catch {
        throw new Error('The spreadsheet could not be read: it is damaged or not an .xlsx file.');
      }
      const cell = (value: unknown): string => {
        if (value === null || value === undefined) return '';
        if (value instanceof Date) return value.toISOString();
        if (typeof value === 'object') {
          const v = value as { result?: unknown; text?: unknown; richText?: Array<{ text: string }>; error?: unknown };
          if (v.richText) return v.richText.map((r) => r.text).join('');
          if (v.text !== undefined) return String(v.text);
          if (v.result !== undefined) return cell(v.result);
          if (v.error !== undefined) return String(v.error);
          return JSON.stringify(value);
        }
        return String(value).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
      };
      let sheets = 0;
      for (const sheet of workbook.worksheets) {
        sheets++;
        const rows: string[][] = [];
        sheet.eachRow((row) => {
          const values = Array.isArray(row.values) ? (row.values as unknown[]).slice(1) : [];
          rows.push(Array.from(values, cell));
        });
        const width = Math.max(1, ...rows.map((r) => r.length));
        const line = (r: string[]) => '| ' + Array.from({ length: width }, (_, i) => r[i] ?? '').join(' | ') + ' |';
        let table = `${sheets > 1 ? '\n\n' : ''}## Sheet: ${sheet.name}\n\n`;
        if (rows.length) table += [line(rows[0]!), '|' + ' --- |'.repeat(width), ...rows.slice(1).map(line)].join('\n');
        else table += '(empty)';
        if (!add(table)) break;
      }
      return { text, parts: sheets, truncated };
    }
    case 'html': {
      const { document } = libs.parseHTML(new TextDecoder().decode(bytes));
      for (const node of document.querySelectorAll('script, style, noscript, template, iframe')) node.remove();
      const turndown = new libs.TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-' });
      turndown.remove(['script', 'style']);
      add(turndown.turndown(document.body?.innerHTML ?? '').trim());
      return { text, truncated };
    }
  }
}

export interface DocumentExtractor {
  extract(format: DocumentFormat, bytes: Uint8Array): Promise<ExtractedText>;
  close(): Promise<void>;
}

export interface DocumentExtractorOptions extends Omit<ExtractLimits, 'maxUnzippedBytes'> {
  timeoutMs: number;
  memoryMb: number;
  maxUnzippedBytes?: number;
}

/**
 * Extracts text in worker threads with a deadline and a heap limit: a PDF of ten thousand pages, a zip bomb
 * or a file built to make a parser spin costs one worker, never the server's event loop or its memory.
 */
export function createDocumentExtractor(options: DocumentExtractorOptions): DocumentExtractor {
  const require = createRequire(import.meta.url);
  const limits: ExtractLimits = { maxPages: options.maxPages, maxChars: options.maxChars, maxUnzippedBytes: options.maxUnzippedBytes ?? 256 * 1024 * 1024 };
  const pool = createWorkerPool<ExtractJob, ExtractedText>({
    source: `
const { parentPort, workerData } = require('node:worker_threads');
// Run from TypeScript source (tsx, esbuild's keepNames), the function's text calls __name() on its inner functions.
var __name = (target) => target;
const extractDocument = ${extractDocument.toString()};
(async () => {
  const { parseHTML } = require(workerData.linkedom);
  const libs = {
    unpdf: await import(workerData.unpdf),
    mammoth: require(workerData.mammoth),
    ExcelJS: require(workerData.exceljs),
    yauzl: require(workerData.yauzl),
    parseHTML,
    TurndownService: require(workerData.turndown),
  };
  parentPort.on('message', ({ id, job }) => {
    extractDocument(job, libs).then(
      (result) => parentPort.postMessage({ id, ok: true, result }),
      (error) => parentPort.postMessage({ id, ok: false, message: error && error.message ? error.message : String(error), retire: true }),
    );
  });
  parentPort.postMessage({ ready: true });
})().catch((error) => parentPort.postMessage({ ready: false, message: error && error.message ? error.message : String(error) }));`,
    workerData: {
      unpdf: pathToFileURL(require.resolve('unpdf')).href,
      mammoth: require.resolve('mammoth'),
      exceljs: require.resolve('exceljs'),
      yauzl: require.resolve('yauzl'),
      linkedom: require.resolve('linkedom'),
      turndown: require.resolve('turndown'),
    },
    timeoutMs: options.timeoutMs,
    timeoutMessage: `Reading the document took longer than ${Math.round(options.timeoutMs / 1000)} s and was stopped; it may be too large or damaged.`,
    memoryMessage: 'The document is too large or complex to read (the reader ran out of memory); it may be damaged or a zip bomb.',
    resourceLimits: { maxOldGenerationSizeMb: options.memoryMb, maxYoungGenerationSizeMb: 32 },
    maxWorkers: 2,
    maxIdle: 1,
    idleTimeoutMs: 60_000,
    startup: { timeoutMs: WORKER_START_TIMEOUT_MS, timeoutMessage: 'The document reader could not start in time; try again.' },
  });
  return {
    async extract(format, bytes) {
      try {
        return await pool.run({ format, bytes, limits });
      } catch (err) {
        if (err instanceof WorkerJobError) throw new ExtractionError(err.message);
        throw err;
      }
    },
    close: () => pool.close(),
  };
}
