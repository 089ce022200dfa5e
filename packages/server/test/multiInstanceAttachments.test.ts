import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startSimulator, type Simulator } from '@nanoclaw/llm-sim';
import { makeImage, makePdf } from './attachmentFixtures.js';
import { partsOf, uploadAttachment } from './attachmentHelpers.js';
import { readSse } from './helpers.js';
import { startServerProcess, type ServerProcess } from './serverProcess.js';
import { adminQuery, databaseUrlFor, redisUrl } from './postgresAdmin.js';

/**
 * Two real server processes over one PostgreSQL database and one Redis, with nothing else shared (each its
 * own data directory): a file uploaded through one is read by a run on the other, and served by it.
 */
let sim: Simulator;
const dirs: string[] = [];
let dbName: string;
const children: ChildProcess[] = [];

async function startInstance(databaseUrl: string, prefix: string): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'nc-multi-att-'));
  dirs.push(dir);
  writeFileSync(
    join(dir, 'config.yml'),
    [
      'log_level: warn',
      `data_dir: ${join(dir, 'data')}`,
      'redis:',
      `  key_prefix: ${prefix}`,
      'models:',
      `  - id: "parts"\n    vision: true\n    api_url: ${sim.chatUrl}`,
      `  - id: "echo"\n    api_url: ${sim.chatUrl}`,
    ].join('\n'),
  );
  const instance = await startServerProcess({ cwd: dir, env: { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, NANOCLAW_CONFIG: join(dir, 'config.yml') } });
  children.push(instance.child);
  return instance;
}

describe('attachments across instances sharing PostgreSQL and Redis', () => {
  let a: ServerProcess;
  let b: ServerProcess;
  beforeAll(async () => {
    sim = await startSimulator({ host: '127.0.0.1', port: 0 });
    dbName = `nc_multi_att_${randomBytes(6).toString('hex')}`;
    await adminQuery(`CREATE DATABASE ${dbName}`);
    const prefix = `nc-test-${randomBytes(4).toString('hex')}`;
    a = await startInstance(databaseUrlFor(dbName), prefix);
    b = await startInstance(databaseUrlFor(dbName), prefix);
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await sim?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  });

  it('an image and a PDF uploaded through one instance reach the model in a run on the other, which also serves them', async () => {
    const png = await makeImage('png', 300, 200);
    const image = (await uploadAttachment(a, 'pic.png', png)).body.data;
    const pdf = (await uploadAttachment(a, 'doc.pdf', await makePdf(1, 'Shared across instances'))).body.data;

    const served = await fetch(`${b.url}/api/attachments/${image.id}`);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true);

    const conversation = (await (await fetch(`${b.url}/api/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'parts' }) })).json()).data;
    const res = await fetch(`${b.url}/api/conversations/${conversation.id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Both files', attachment_ids: [image.id, pdf.id] }),
    });
    const events = await readSse(res);
    expect(events.at(-1)?.event).toBe('done');
    const messages = (await (await fetch(`${a.url}/api/conversations/${conversation.id}/messages`)).json()).data.items;
    const parts = partsOf(messages.at(-1).text);
    expect(parts.map((p) => p.type)).toEqual(['text', 'text', 'image_url', 'text']);
    expect(parts[2]).toMatchObject({ mime: 'image/png', width: 300, height: 200 });
    expect(messages.at(-2).files.map((f: { name: string }) => f.name)).toEqual(['pic.png', 'doc.pdf']);
  });
});
