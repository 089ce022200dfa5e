import { describe, expect, it } from 'vitest';
import type { FileRef } from '@nanoclaw/protocol';
import type { AttachmentRow } from '../db/index.js';
import { makeImage } from '../../test/attachmentFixtures.js';
import { historyToChat } from '../agent/historyToChat.js';
import { filesForModel } from './filesForModel.js';

function row(id: string, kind: 'image' | 'document', extra: Partial<AttachmentRow> = {}): AttachmentRow {
  return { id, user_id: 'u', conversation_id: 'c', name: `${id}.${kind === 'image' ? 'png' : 'txt'}`, mime: kind === 'image' ? 'image/png' : 'text/plain', kind, size: 1, sha256: id, text: null, created_at: '', ...extra };
}
const ref = (r: AttachmentRow): FileRef => ({ id: r.id, name: r.name, mime: r.mime, size: r.size, sha256: r.sha256, kind: r.kind });

async function prepare(rows: AttachmentRow[], vision: boolean, documentChars = 100_000) {
  const png = await makeImage('png', 300, 100);
  const history = [{ role: 'user' as const, content: { text: 'Look', files: rows.map(ref) } }];
  const deps = { listByIds: async (ids: readonly string[]) => rows.filter((r) => ids.includes(r.id)), read: async () => png };
  const prepared = await filesForModel(history, deps, { vision, modelName: 'Tiny', imageMaxSide: 150, imageMaxPixels: 1e7, documentChars });
  return { ...prepared, chat: historyToChat(history, prepared.parts) };
}

describe('filesForModel', () => {
  it('gives a vision model the image as an image_url part (a downscaled data URL) after the text', async () => {
    const { chat, notices } = await prepare([row('img', 'image')], true);
    expect(notices).toEqual([]);
    const content = chat[0]!.content as Array<{ type: string; text?: string; image_url?: { url: string } }>;
    expect(content.map((p) => p.type)).toEqual(['text', 'text', 'image_url']);
    const bytes = Buffer.from(content[2]!.image_url!.url.replace(/^data:image\/png;base64,/, ''), 'base64');
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([150, 50]);
  });

  it('does not send an image to a model without vision: a line for the model, a notice for the person', async () => {
    const { chat, notices } = await prepare([row('img', 'image')], false);
    expect(typeof chat[0]!.content).toBe('string');
    expect(chat[0]!.content).toContain('[Attached image img.png: not shown, this model does not take images.]');
    expect(notices).toEqual(['Tiny does not take images: img.png was not sent to it. Choose a model with vision to ask about images.']);
  });

  it('gives a document as its text, cut to its share of the budget with a note saying how much', async () => {
    const { chat, notices } = await prepare([row('a', 'document', { text: 'x'.repeat(4000) }), row('b', 'document', { text: 'short' })], true, 4000);
    const content = chat[0]!.content as string;
    expect(content).toContain('Attached file b.txt (text/plain):\n```\nshort\n```');
    expect(content).toContain('[Cut to fit the model\'s context: the first 2,000 of 4,000 characters (50%) are shown.]');
    expect(notices).toEqual(['a.txt is too long for the model\'s context: only its first 50% was sent.']);
  });
});
