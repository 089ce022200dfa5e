import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));
const HTTP = join(SRC, 'http');

/**
 * The layers below HTTP: nothing in them knows about routes, replies or statuses (they throw their own
 * errors, which http/errorHandler maps); the run's events are encoded by the protocol package.
 */
const BELOW_HTTP = ['agent', 'auth', 'workspace', 'tools', 'llm', 'db', 'sandbox', 'config', 'telemetry', 'transfer', 'redis'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|mts)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The relative module specifiers of a file (imports, re-exports, dynamic imports), read by the TypeScript scanner. */
function relativeImports(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((ref) => ref.fileName).filter((name) => name.startsWith('.'));
}

/** "file → import" for every import of `layer` that lands inside src/http. */
function httpImportsOf(layer: string): string[] {
  return sourceFiles(join(SRC, layer)).flatMap((file) =>
    relativeImports(file)
      .filter((specifier) => {
        const target = resolve(dirname(file), specifier);
        return target === HTTP || target.startsWith(HTTP + '/');
      })
      .map((specifier) => `${relative(SRC, file)} → ${specifier}`),
  );
}

describe('layering', () => {
  it.each(BELOW_HTTP)('no module under src/%s imports from src/http', (layer) => {
    expect(httpImportsOf(layer)).toEqual([]);
  });

  it('sees an import of src/http where there is one', () => {
    // The check itself: http's own routes import from http.
    expect(httpImportsOf('http/routes')).toContain('http/routes/admin.ts → ../appError.js');
  });
});
