import type { FileRef, UserContent } from '@nanoclaw/protocol';
import type { AttachmentRow } from '../db/index.js';
import type { ChatContentPart } from '../llm/types.js';
import { imageDataUrl } from './prepareImage.js';

export interface FilesForModelDeps {
  listByIds(ids: readonly string[]): Promise<AttachmentRow[]>;
  read(row: Pick<AttachmentRow, 'sha256'>): Promise<Buffer | undefined>;
}

export interface FilesForModelOptions {
  /** The model takes images. */
  vision: boolean;
  modelName: string;
  imageMaxSide: number;
  imageMaxPixels: number;
  /** Characters all documents of the replayed history may take together (a share of the context budget). */
  documentChars: number;
}

export interface FilesForModel {
  /** Per attachment id, the parts that stand for it after its message's text. */
  parts: Map<string, ChatContentPart[]>;
  /** Sentences for the person: images not sent, documents cut. */
  notices: string[];
}

const fenceFor = (text: string): string => (text.includes('```') ? '~~~~' : '```');

/**
 * What a model is shown for the files of the replayed user messages: images as `image_url` parts (data URLs
 * built now, downscaled) when the model takes images, otherwise a line saying the image was not sent (and a
 * notice for the person); documents as their extracted text, each cut to an equal share of `documentChars`
 * with a line saying how much was cut.
 */
export async function filesForModel(history: ReadonlyArray<{ role: string; content: unknown }>, deps: FilesForModelDeps, options: FilesForModelOptions): Promise<FilesForModel> {
  const refs: FileRef[] = [];
  for (const message of history) if (message.role === 'user') refs.push(...((message.content as UserContent).files ?? []));
  const parts = new Map<string, ChatContentPart[]>();
  const notices: string[] = [];
  if (refs.length === 0) return { parts, notices };
  const rows = new Map((await deps.listByIds(refs.map((ref) => ref.id))).map((row) => [row.id, row]));
  const documents = refs.filter((ref) => ref.kind === 'document').length;
  const share = documents ? Math.max(1000, Math.floor(options.documentChars / documents)) : 0;
  const latest = new Set(((history.at(-1)?.content as UserContent | undefined)?.files ?? []).map((ref) => ref.id));

  for (const ref of refs) {
    const row = rows.get(ref.id);
    if (!row) {
      parts.set(ref.id, [{ type: 'text', text: `[Attached file ${ref.name}: no longer available.]` }]);
      continue;
    }
    if (row.kind === 'image') {
      if (!options.vision) {
        parts.set(ref.id, [{ type: 'text', text: `[Attached image ${row.name}: not shown, this model does not take images.]` }]);
        if (latest.has(ref.id)) notices.push(`${options.modelName} does not take images: ${row.name} was not sent to it. Choose a model with vision to ask about images.`);
        continue;
      }
      const bytes = await deps.read(row);
      if (!bytes) {
        parts.set(ref.id, [{ type: 'text', text: `[Attached image ${row.name}: no longer available.]` }]);
        continue;
      }
      const url = await imageDataUrl(bytes, row.mime, { maxSide: options.imageMaxSide, maxPixels: options.imageMaxPixels });
      parts.set(ref.id, [{ type: 'text', text: `Attached image ${row.name}:` }, { type: 'image_url', image_url: { url } }]);
      continue;
    }
    let text = row.text ?? '';
    let note = '';
    if (text.length > share) {
      const percent = Math.round((share / text.length) * 100);
      note = `\n[Cut to fit the model's context: the first ${share.toLocaleString('en')} of ${text.length.toLocaleString('en')} characters (${percent}%) are shown.]`;
      if (latest.has(ref.id)) notices.push(`${row.name} is too long for the model's context: only its first ${percent}% was sent.`);
      text = text.slice(0, share);
    }
    const fence = fenceFor(text);
    parts.set(ref.id, [{ type: 'text', text: `Attached file ${row.name} (${row.mime}):\n${fence}\n${text}\n${fence}${note}` }]);
  }
  return { parts, notices };
}
