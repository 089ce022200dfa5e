import { mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createToolRegistry } from '../toolRegistry.js';
import { createToolExecutor } from '../toolExecutor.js';
import type { ToolContext } from '../types.js';
import { ProjectFiles } from '../../workspace/projectFiles.js';
import { NO_PROJECT_MESSAGE, registerFileTools } from './fileTools.js';

let base: string;
let projectDir: string;
const OWNER = 'user-1';
const PROJECT = 'project-1';

function setup() {
  const registry = createToolRegistry();
  registerFileTools(registry, {
    // The owner check the real workspaces do through the repository.
    filesOf: async (userId, projectId) => (userId === OWNER && projectId === PROJECT ? new ProjectFiles(projectDir, { maxReadBytes: 1000, maxWriteBytes: 100, path: { maxChars: 1024, maxDepth: 64 } }) : null),
  });
  const executor = createToolExecutor({ registry, maxWorkers: 4, timeoutMs: 5000, outputMaxChars: 50_000 });
  const call = async (name: string, args: object, ctx: Partial<ToolContext> = {}) => {
    const [outcome] = await executor.executeBatch([{ id: 'c1', name, arguments: JSON.stringify(args) }], {
      userId: OWNER,
      conversationId: 'conv',
      projectId: PROJECT,
      model: 'm',
      signal: new AbortController().signal,
      ...ctx,
    });
    return { ...outcome!, value: JSON.parse(outcome!.content) };
  };
  return { registry, call };
}

beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'nc-filetools-')));
  projectDir = join(base, 'project');
  mkdirSync(projectDir);
  mkdirSync(join(base, 'outside'));
  writeFileSync(join(base, 'outside', 'secret.txt'), 'secret');
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

describe('file tools', () => {
  it('are registered with schemas that never mention the project', () => {
    const { registry } = setup();
    const names = registry.list().map((tool) => tool.name);
    expect(names).toEqual(['file_read', 'file_write', 'file_delete', 'file_list', 'file_exists', 'file_mkdir']);
    for (const tool of registry.describe()) {
      const properties = Object.keys((tool.parameters as { properties: object }).properties);
      expect(properties.some((name) => /project/i.test(name)), tool.name).toBe(false);
      expect(JSON.stringify(tool.parameters)).not.toContain('project_id');
      expect(tool.category).toBe('file');
    }
  });

  it('write, read, list with a glob, check, mkdir and delete inside the project', async () => {
    const { call } = setup();
    expect((await call('file_write', { path: 'src/app.py', content: 'print("hi")\n' })).value).toEqual({ path: 'src/app.py', size: 12, created: true });
    expect(readFileSync(join(projectDir, 'src', 'app.py'), 'utf8')).toBe('print("hi")\n');
    expect((await call('file_read', { path: 'src/app.py' })).value).toEqual({ path: 'src/app.py', size: 12, content: 'print("hi")\n' });
    expect((await call('file_mkdir', { path: 'docs/api' })).value).toEqual({ path: 'docs/api', created: true });
    const listed = await call('file_list', { pattern: '**/*.py' });
    expect(listed.value).toEqual({ path: '.', entries: [{ path: 'src/app.py', type: 'file', size: 12 }], truncated: false });
    expect((await call('file_list', {})).value.entries.map((e: { path: string }) => e.path)).toEqual(['docs', 'src']);
    expect((await call('file_exists', { path: 'src/app.py' })).value).toMatchObject({ exists: true, type: 'file' });
    expect((await call('file_exists', { path: 'nope' })).value).toMatchObject({ exists: false, type: null });
    expect((await call('file_delete', { path: 'src' })).value).toEqual({ path: 'src', type: 'directory', deleted: true });
    expect(readdirSync(projectDir)).toEqual(['docs']);
  });

  it('answer a clear error without a project, and for a project the user does not own', async () => {
    const { call } = setup();
    const none = await call('file_read', { path: 'a.txt' }, { projectId: null });
    expect(none.success).toBe(false);
    expect(none.value.error).toBe(NO_PROJECT_MESSAGE);
    expect(NO_PROJECT_MESSAGE).toMatch(/^This conversation has no project: /);
    const foreign = await call('file_write', { path: 'a.txt', content: 'x' }, { userId: 'user-2' });
    expect(foreign.success).toBe(false);
    expect(foreign.value.error).toMatch(/no longer exists/);
    expect(readdirSync(projectDir)).toEqual([]);
  });

  it('turn every escape into an error result and touch nothing', async () => {
    const { call } = setup();
    symlinkSync(join(base, 'outside'), join(projectDir, 'link'));
    symlinkSync('/etc', join(projectDir, 'etc'));
    const attempts: Array<[string, object]> = [
      ['file_read', { path: '../outside/secret.txt' }],
      ['file_read', { path: '/etc/passwd' }],
      ['file_read', { path: 'etc/passwd' }],
      ['file_read', { path: 'link/secret.txt' }],
      ['file_write', { path: 'link/secret.txt', content: 'pwned' }],
      ['file_write', { path: 'C:\\evil.txt', content: 'x' }],
      ['file_write', { path: '\\\\server\\share\\x', content: 'x' }],
      ['file_write', { path: 'a\u0000b', content: 'x' }],
      ['file_delete', { path: '../outside' }],
      ['file_delete', { path: 'link/secret.txt' }],
      ['file_mkdir', { path: 'etc/newdir' }],
      ['file_list', { path: 'link' }],
      ['file_list', { path: '..' }],
      ['file_exists', { path: '../outside/secret.txt' }],
    ];
    for (const [name, args] of attempts) {
      const outcome = await call(name, args);
      expect(outcome.success, `${name} ${JSON.stringify(args)}`).toBe(false);
      expect(outcome.value.error).toMatch(/outside|Absolute|Windows|UNC|NUL|symbolic/);
    }
    expect(readFileSync(join(base, 'outside', 'secret.txt'), 'utf8')).toBe('secret');
    expect(readdirSync(join(base, 'outside'))).toEqual(['secret.txt']);
  });

  it('answer paths over the configured length or depth as an error result naming the limit', async () => {
    const { call } = setup();
    const deep = `${Array.from({ length: 64 }, (_, i) => `d${i}`).join('/')}/file.txt`;
    const long = `${'x'.repeat(1025)}`;
    for (const [name, args] of [
      ['file_write', { path: deep, content: 'x' }],
      ['file_mkdir', { path: deep }],
      ['file_read', { path: long }],
      ['file_list', { path: deep }],
    ] as Array<[string, object]>) {
      const outcome = await call(name, args);
      expect(outcome.success, name).toBe(false);
      expect(outcome.value.error).toMatch(/^The path is too (deep|long): .*\(max_path_(depth|chars)\)\.$/);
    }
    expect(readdirSync(projectDir)).toEqual([]);
  });

  it('refuse writes over the size cap', async () => {
    const { call } = setup();
    const outcome = await call('file_write', { path: 'big.txt', content: 'x'.repeat(101) });
    expect(outcome.success).toBe(false);
    expect(outcome.value.error).toMatch(/more than the 100 bytes/);
    expect(readdirSync(projectDir)).toEqual([]);
  });
});
