import { describe, expect, it } from 'vitest';
import { makeDocx, makeImage, makePdf, makeXlsx } from '../../test/attachmentFixtures.js';
import { sniffAttachment, UnsupportedFileError } from './sniffAttachment.js';

describe('sniffAttachment', () => {
  it.each(['png', 'jpeg', 'webp', 'gif'] as const)('knows a %s image from its bytes, whatever its name', async (format) => {
    expect(await sniffAttachment(await makeImage(format, 4, 4), 'notes.txt')).toEqual({ kind: 'image', mime: `image/${format}` });
  });

  it('knows PDF, DOCX and XLSX documents from their bytes', async () => {
    expect(await sniffAttachment(await makePdf(1), 'a.bin')).toMatchObject({ kind: 'document', format: 'pdf', mime: 'application/pdf' });
    expect(await sniffAttachment(await makeDocx(['x']), 'a.zip')).toMatchObject({ kind: 'document', format: 'docx' });
    expect(await sniffAttachment(await makeXlsx({ A: [[1]] }), 'a')).toMatchObject({ kind: 'document', format: 'xlsx' });
  });

  it('reads UTF-8 text by the name: HTML, Markdown, CSV, code', async () => {
    const text = Buffer.from('héllo, <b>world</b>\n');
    expect(await sniffAttachment(text, 'page.HTML')).toEqual({ kind: 'document', mime: 'text/html', format: 'html' });
    expect(await sniffAttachment(text, 'README.md')).toEqual({ kind: 'document', mime: 'text/markdown', format: 'text' });
    expect(await sniffAttachment(text, 'data.csv')).toEqual({ kind: 'document', mime: 'text/csv', format: 'text' });
    expect(await sniffAttachment(text, 'main.py')).toEqual({ kind: 'document', mime: 'text/plain', format: 'text' });
  });

  it('refuses a binary file named like an image, and other known binary types, saying what they are', async () => {
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(120, 1)]);
    await expect(sniffAttachment(elf, 'photo.png')).rejects.toThrow(UnsupportedFileError);
    const zip = Buffer.from('504b0304140000000000', 'hex');
    await expect(sniffAttachment(Buffer.concat([zip, Buffer.alloc(100)]), 'x.docx')).rejects.toThrow(/cannot be attached/);
    await expect(sniffAttachment(Buffer.from([0, 1, 2, 255, 254]), 'a.txt')).rejects.toThrow(/neither an image/);
  });
});
