import { fileTypeFromBuffer } from 'file-type';
import type { DocumentFormat } from './documentExtractor.js';

/** What an uploaded file is, judged from its bytes (its name only tells text files apart). */
export type SniffedAttachment =
  | { kind: 'image'; mime: 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif' }
  | { kind: 'document'; mime: string; format: DocumentFormat }
  | { kind: 'document'; mime: string; format: 'text' };

const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/gif']);
const DOCUMENT_TYPES: Record<string, DocumentFormat> = {
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
};
const TEXT_TYPES: Record<string, string> = {
  md: 'text/markdown',
  markdown: 'text/markdown',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  json: 'application/json',
  xml: 'application/xml',
};

/** A file that is not one of the accepted kinds; the message says what is. */
export class UnsupportedFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedFileError';
  }
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** UTF-8 text without NUL bytes (binary files nearly always have some). */
function isText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Sniffs the type from the bytes: PNG, JPEG, WebP, GIF images; PDF, DOCX, XLSX documents; otherwise UTF-8
 * text (HTML, Markdown, CSV, source code…, told apart by the name's extension). Anything else is refused,
 * whatever its name says (an executable named photo.png is not an image).
 */
export async function sniffAttachment(bytes: Uint8Array, name: string): Promise<SniffedAttachment> {
  const detected = await fileTypeFromBuffer(bytes);
  if (detected) {
    if (IMAGE_TYPES.has(detected.mime)) return { kind: 'image', mime: detected.mime as 'image/png' };
    const format = DOCUMENT_TYPES[detected.mime];
    if (format) return { kind: 'document', mime: detected.mime, format };
    // file-type also recognises some text formats (XML, SVG…): those are read as text below.
    if (!detected.mime.startsWith('application/xml') && !detected.mime.startsWith('image/svg')) {
      throw new UnsupportedFileError(
        `This file is ${detected.mime} (.${detected.ext}), which cannot be attached. Attach an image (PNG, JPEG, WebP, GIF), a PDF, a Word (.docx) or Excel (.xlsx) file, or a text file.`,
      );
    }
  }
  if (!isText(bytes)) {
    throw new UnsupportedFileError('This file is neither an image, a PDF, a .docx, an .xlsx nor UTF-8 text, so it cannot be attached.');
  }
  const extension = extensionOf(name);
  if (extension === 'html' || extension === 'htm') return { kind: 'document', mime: 'text/html', format: 'html' };
  return { kind: 'document', mime: TEXT_TYPES[extension] ?? 'text/plain', format: 'text' };
}
