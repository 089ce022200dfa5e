import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ExportAttachment, ExportConversation } from '@nanoclaw/protocol';
import { UnsupportedFileError } from '../attachments/sniffAttachment.js';
import { checkImportAttachments, type AttachmentChecker } from './importAttachments.js';
import { importConversations, type ImportDeps } from './importConversations.js';

const bytes = Buffer.from('# Notes\n');
const sha256 = createHash('sha256').update(bytes).digest('hex');

function file(id: string, data: string | null = bytes.toString('base64')): ExportAttachment {
  return { id, name: `${id}.md`, mime: 'text/markdown', kind: 'document', size: bytes.length, sha256, text: '# Notes\n', created_at: '2026-01-01T00:00:00.000Z', ...(data === null ? {} : { data }) };
}

function conversation(attachments: ExportAttachment[] | undefined, refs: string[]): ExportConversation {
  const ref = (id: string) => ({ id, name: `${id}.md`, mime: 'text/markdown', size: bytes.length, sha256, kind: 'document' as const });
  return {
    id: 'c', title: 'Notes', model: 'text', system_prompt: null, temperature: 0.7, max_tokens: 100, thinking_enabled: false, project: null,
    active_leaf_id: null, created_at: '', updated_at: '',
    messages: [{ id: 'm', parent_id: null, role: 'user', content: { text: 'see', files: refs.map(ref) }, token_count: 0, status: 'complete', created_at: '' }],
    ...(attachments ? { attachments } : {}),
  };
}

const inspected: string[] = [];
const checker: AttachmentChecker = {
  maxFileBytes: 1000,
  inspect: async ({ name, bytes: b }) => {
    inspected.push(name);
    if (name.startsWith('exe')) throw new UnsupportedFileError(`"${name}" cannot be attached.`);
    return { name, mime: 'text/markdown', kind: 'document', size: b.length, sha256: createHash('sha256').update(b).digest('hex'), text: b.toString() };
  },
};

describe('checkImportAttachments', () => {
  it('checks each carried file with the attachment checker and keeps the references it carries', async () => {
    const { conversations, notes } = await checkImportAttachments([conversation([file('a')], ['a'])], checker);
    expect(notes).toEqual([]);
    expect(conversations[0]!.attachments.map((a) => [a.id, a.file.sha256, a.bytes.equals(bytes)])).toEqual([['a', sha256, true]]);
    expect(conversations[0]!.conversation.messages[0]!.content).toMatchObject({ files: [{ id: 'a' }] });
  });

  it('refuses base64 with a stray character, a repeated id, and a type the checker refuses, naming the file', async () => {
    await expect(checkImportAttachments([conversation([file('a', `${bytes.toString('base64')}A`)], [])], checker)).rejects.toThrow(/"a\.md" \(attachments\[0\]\): its data is not base64/);
    await expect(checkImportAttachments([conversation([file('a'), file('a')], [])], checker)).rejects.toThrow(/attachments\[1\]\): its id "a" is repeated/);
    await expect(checkImportAttachments([conversation([file('exe')], [])], checker)).rejects.toThrow(/The conversation "Notes" \(conversations\[0\]\) has the file "exe\.md" \(attachments\[0\]\): "exe\.md" cannot be attached/);
  });

  it('leaves out references to files not carried (no data, or no attachments list) with a note; without a checker, every file', async () => {
    const missing = await checkImportAttachments([conversation([file('a'), file('b', null)], ['a', 'b', 'c'])], checker);
    expect(missing.conversations[0]!.conversation.messages[0]!.content).toEqual({ text: 'see', files: [expect.objectContaining({ id: 'a' })] });
    expect(missing.notes).toEqual(['2 file references in "Notes" (conversations[0]) named files the file does not carry; left out of the messages.']);
    const off = await checkImportAttachments([conversation([file('a')], ['a'])], undefined);
    expect(off.conversations[0]!.conversation.messages[0]!.content).toEqual({ text: 'see' });
    expect(off.conversations[0]!.attachments).toEqual([]);
    expect(off.notes).toEqual(['1 file reference in "Notes" (conversations[0]) named files this server does not accept attachments; left out of the messages.']);
  });
});

describe('importConversations with attachments', () => {
  it('stores each content once, and frees the bytes again when the transaction fails', async () => {
    const log: string[] = [];
    const deps: ImportDeps = {
      projects: { listForUser: async () => [] },
      workspaces: { create: async () => { throw new Error('no projects here'); }, remove: async () => undefined },
      transfer: { importConversations: async () => { throw new Error('the database went away'); } },
      attachments: { ...checker, putBytes: async (sha) => void log.push(`put ${sha}`), free: async (shas) => void log.push(`free ${shas.join(',')}`) },
    };
    const plan = { format: 'nanoclaw' as const, projects: [], notes: [], conversations: [conversation([file('a'), file('b')], ['a', 'b'])] };
    await expect(importConversations(deps, 'u', plan)).rejects.toThrow('the database went away');
    expect(log).toEqual([`put ${sha256}`, `free ${sha256}`]);
  });
});
