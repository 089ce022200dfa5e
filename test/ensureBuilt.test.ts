import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILD_OUTPUTS, buildInputs, staleReason, writeStamp } from '../scripts/ensure-built.mjs';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function write(root: string, file: string, text = 'x'): void {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), text);
}

function builtTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'nc-build-'));
  roots.push(root);
  write(root, 'packages/server/src/main.ts', 'console.log(1)');
  write(root, 'packages/server/src/main.test.ts', 'test');
  write(root, 'packages/web/src/App.vue', '<template/>');
  write(root, 'packages/web/index.html', '<html>');
  write(root, 'package-lock.json', '{}');
  write(root, 'README.md', 'docs');
  for (const output of BUILD_OUTPUTS) write(root, output.includes('.') ? output : `${output}/index.js`);
  return root;
}

describe('npm start builds only what is stale', () => {
  it('builds when an output is missing or no build was recorded', () => {
    const root = builtTree();
    expect(staleReason(root)).toBe('no build was recorded');
    writeStamp(root);
    expect(staleReason(root)).toBeNull();
    rmSync(join(root, 'packages/web/dist/index.html'));
    expect(staleReason(root)).toBe('packages/web/dist/index.html is missing');
  });

  it('rebuilds after a source, the web page or the lockfile changed; not after a test or a document', () => {
    const root = builtTree();
    expect(buildInputs(root)).toEqual(['package-lock.json', 'packages/server/src/main.ts', 'packages/web/index.html', 'packages/web/src/App.vue']);
    for (const [file, changesBuild] of [
      ['packages/server/src/main.test.ts', false],
      ['README.md', false],
      ['packages/server/src/main.ts', true],
      ['packages/web/index.html', true],
      ['package-lock.json', true],
      ['packages/server/src/new.ts', true],
    ] as const) {
      writeStamp(root);
      write(root, file, `changed ${file}`);
      expect(staleReason(root), file).toBe(changesBuild ? 'sources changed since the last build' : null);
    }
  });
});
