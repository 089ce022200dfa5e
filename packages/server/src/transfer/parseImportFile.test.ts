import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AssistantContent, ExportConversation } from '@nanoclaw/protocol';
import { activePathOf as activePath } from '../db/conversationTree.js';
import { ImportFileError } from './importErrors.js';
import { parseImportFile, parseImportJson } from './parseImportFile.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../test/fixtures/imports/${name}`, import.meta.url), 'utf8'));
const defaults = { model: 'text', temperature: 0.7, maxTokens: 4096 };
const texts = (conversation: ExportConversation, ids: string[]) => ids.map((id) => conversation.messages.find((m) => m.id === id)?.content.text);
const steps = (conversation: ExportConversation, id: string) => (conversation.messages.find((m) => m.id === id)!.content as AssistantContent).steps;

describe('a ChatGPT conversations.json', () => {
  const plan = parseImportFile(fixture('chatgpt-conversations.json'), defaults);
  const [fibonacci, plant] = plan.conversations as [ExportConversation, ExportConversation];

  it('becomes our tree: every branch kept, parents before children, empty and null nodes left out', () => {
    expect(plan.format).toBe('chatgpt');
    expect(fibonacci.title).toBe('Fibonacci numbers');
    expect(fibonacci.messages.map((m) => [m.id, m.parent_id, m.role])).toEqual([
      ['u1', null, 'user'],
      ['r1', 'u1', 'assistant'],
      ['u2a', 'r1', 'user'],
      ['c1', 'u2a', 'assistant'],
      ['u2b', 'r1', 'user'],
      ['th1', 'u2b', 'assistant'],
      ['r2', 'u1', 'assistant'],
    ]);
    expect(texts(fibonacci, ['u1', 'r2'])).toEqual(['What is the 10th Fibonacci number?', 'Counting from F(1) = 1, the 10th Fibonacci number is **55**.']);
  });

  it('makes a code run one answer with steps: the call, the output and the text after it', () => {
    expect(steps(fibonacci, 'c1').map((s) => s.type)).toEqual(['tool_call', 'tool_result', 'text']);
    const [call, result] = steps(fibonacci, 'c1');
    expect(call).toMatchObject({ name: 'python', id_ref: 'c1' });
    expect(JSON.parse(call!.type === 'tool_call' ? call.arguments : '')).toMatchObject({ language: 'python', code: expect.stringContaining('def fib(n):') });
    expect(result).toMatchObject({ type: 'tool_result', id_ref: 'c1', content: '55' });
    const content = fibonacci.messages.find((m) => m.id === 'c1')!.content as AssistantContent;
    expect(content.text).toBe('Python agrees: `fib(10)` returns 55.');
    expect(content.tool_calls).toMatchObject([{ id: 'c1', function: { name: 'python' }, result: '55' }]);
  });

  it('keeps thoughts and their recap as one thinking step', () => {
    expect(steps(fibonacci, 'th1').map((s) => [s.type, 'content' in s ? s.content : ''])).toEqual([
      ['thinking', 'Recalling the sequence\n\nF(20) follows F(19) = 4181 and F(18) = 2584.\n\nThought for 3 seconds'],
      ['text', 'The 20th Fibonacci number is 6765.'],
    ]);
  });

  it('makes current_node the active leaf (the message it went into)', () => {
    expect(fibonacci.active_leaf_id).toBe('c1');
    expect(activePath(fibonacci.messages, fibonacci.active_leaf_id).map((m) => m.id)).toEqual(['u1', 'r1', 'u2a', 'c1']);
  });

  it('keeps a picture as a text placeholder and says so; a browsing call is a tool call with its result', () => {
    expect(plant.messages[0]!.content.text).toBe('[image asset pointer: file-service://file-7Hq2kL9 1024×768 — not imported]\n\nWhat plant is this?');
    expect(plan.notes).toEqual(['image asset pointer: 1 kept as a text placeholder.']);
    expect(steps(plant, 's1').map((s) => [s.type, 'name' in s ? s.name : ''])).toEqual([
      ['tool_call', 'browser'],
      ['tool_result', 'browser'],
      ['text', ''],
    ]);
  });

  it('keeps a content type it does not know as a placeholder holding its fields', () => {
    const unknown = {
      title: 't',
      mapping: { a: { id: 'a', parent: null, children: [], message: { author: { role: 'user' }, content: { content_type: 'sonic_boom', volume: 11 } } } },
    };
    const one = parseImportFile([unknown], defaults);
    expect(one.conversations[0]!.messages[0]!.content.text).toBe('[sonic_boom — not imported as such]\n{"content_type":"sonic_boom","volume":11}');
    expect(one.notes).toEqual(['content of type "sonic_boom": 1 kept as a text placeholder.']);
  });
});

describe('titles from other products', () => {
  it('are cut to the 200 characters a title may have; a missing one is named', () => {
    const plan = parseImportFile([{ title: 'é'.repeat(300), mapping: {} }, { title: null, mapping: {} }], defaults);
    expect(plan.conversations.map((c) => c.title)).toEqual(['é'.repeat(200), 'Imported conversation']);
  });
});

describe('an Open WebUI chat export', () => {
  const plan = parseImportFile(fixture('openwebui-export.json'), defaults);
  const chat = plan.conversations[0]!;

  it('becomes our tree from history (both answers of the regenerated turn), currentId the active leaf', () => {
    expect(plan.format).toBe('open-webui');
    expect(chat.title).toBe('Autumn haiku');
    expect(chat.messages.map((m) => [m.id, m.parent_id, m.role])).toEqual([
      ['m1', null, 'user'],
      ['m2', 'm1', 'assistant'],
      ['m3', 'm1', 'assistant'],
      ['m4', 'm3', 'user'],
      ['m5', 'm4', 'assistant'],
    ]);
    expect(chat.active_leaf_id).toBe('m5');
    expect(steps(chat, 'm5')).toMatchObject([{ type: 'text', content: expect.stringContaining('Snow on quiet pines') }]);
  });

  it('keeps an attached image as a placeholder', () => {
    expect(chat.messages[0]!.content.text).toMatch(/^Write a haiku about autumn\.\n\n\[image: data:image\/png/);
    expect(plan.notes).toEqual(['image: 1 kept as a text placeholder.']);
  });
});

describe('a NanoClaw export', () => {
  it('is taken as it is; an answer exported while being written comes in as interrupted, and the notes say so', () => {
    const message = { id: 'q', parent_id: null, role: 'user', content: { text: 'hi' }, token_count: 0, status: 'complete', created_at: 'x' };
    const answer = { id: 'a', parent_id: 'q', role: 'assistant', content: { text: 'hal', tool_calls: [], steps: [] }, token_count: 3, status: 'streaming', created_at: 'x' };
    const conversation = { id: 'c', title: 't', model: 'text', system_prompt: null, temperature: 0.7, max_tokens: 10, thinking_enabled: false, project: null, active_leaf_id: 'a', created_at: 'x', updated_at: 'x', messages: [message, answer] };
    const plan = parseImportFile({ format: 'nanoclaw-export', version: 1, exported_at: 'x', projects: [], conversations: [conversation] }, defaults);
    expect(plan.conversations[0]!.messages.map((m) => m.status)).toEqual(['complete', 'interrupted']);
    expect(plan.conversations[0]!.messages[1]!.content).toEqual(answer.content);
    expect(plan.notes).toEqual(['1 answer was still being written when exported; imported as interrupted.']);
  });
});

describe('files that cannot be imported', () => {
  const refuse = (value: unknown) => () => parseImportFile(value, defaults);

  it('malformed or truncated JSON, or nothing at all', () => {
    expect(() => parseImportJson('{"format": "nanoclaw-export", "conv')).toThrow(/not valid JSON .*truncated/);
    expect(() => parseImportJson('   ')).toThrow('The file is empty.');
  });

  it('another format, or an empty list', () => {
    expect(refuse({ hello: 'world' })).toThrow(/none of the formats NanoClaw imports/);
    expect(refuse([{ messages: [] }])).toThrow(/none of the formats/);
    expect(refuse([])).toThrow(/empty list/);
  });

  it('a NanoClaw export of another version, or one that breaks the schema or the tree', () => {
    const doc = { format: 'nanoclaw-export', version: 1, exported_at: 'x', projects: [], conversations: [] as unknown[] };
    expect(refuse({ ...doc, version: 2 })).toThrow('The file is a NanoClaw export of version 2; this server reads version 1.');
    const conversation = { id: 'c', title: 't', model: 'text', system_prompt: null, temperature: 0.7, max_tokens: 10, thinking_enabled: false, project: null, active_leaf_id: null, created_at: 'x', updated_at: 'x' };
    const message = { id: 'm1', parent_id: null, role: 'user', content: { text: 'hi' }, token_count: 0, status: 'complete', created_at: 'x' };
    expect(refuse({ ...doc, conversations: [{ ...conversation, messages: [{ ...message, role: 'wizard' }] }] })).toThrow(/conversations\[0\]\.messages\[0\]\.role/);
    expect(refuse({ ...doc, conversations: [{ ...conversation, messages: [{ ...message, parent_id: 'gone' }] }] })).toThrow(/messages\[0\] names a parent_id \("gone"\)/);
    expect(refuse({ ...doc, conversations: [{ ...conversation, messages: [message, message] }] })).toThrow(/repeats the id "m1"/);
    expect(refuse({ ...doc, conversations: [{ ...conversation, active_leaf_id: 'nope', messages: [message] }] })).toThrow(/active_leaf_id \("nope"\)/);
    expect(refuse({ ...doc, conversations: [{ ...conversation, messages: [{ ...message, role: 'assistant' }] }] })).toThrow(`The file's conversations[0].messages[0] has the role "assistant" but a question's content.`);
  });

  it('a ChatGPT export whose mapping is no tree or has the wrong shape', () => {
    const node = (parent: string | null, children: string[]) => ({ parent, children, message: { author: { role: 'user' }, content: { content_type: 'text', parts: ['x'] } } });
    expect(refuse([{ title: 'loop', mapping: { a: node('b', ['b']), b: node('a', ['a']) } }])).toThrow(/cycle/);
    expect(refuse([{ title: 'twice', mapping: { a: node(null, ['c']), b: node(null, ['c']), c: node('a', []) } }])).toThrow(/reaches node "c" twice/);
    expect(refuse([{ title: 'bad', mapping: { a: { children: 'nope' } } }])).toThrow(/ChatGPT.*\[0\]\.mapping\.a\.children/);
  });

  it('errors are ImportFileErrors (answered 400)', () => {
    expect(refuse({})).toThrow(ImportFileError);
  });
});
