/**
 * Builds what `npm start` runs: the server as a few ES-module files in packages/server/dist
 * (main.js plus shared and lazily loaded chunks), made by esbuild from src/.
 *
 * Why a bundle: started from tsc's one-file-per-module output, Node spent most of its start-up
 * resolving, reading and linking ≈1,000 module files (ours and node_modules'); one bundle starts in
 * about half the time (see `npm run bench`, start-up). Modules the server imports only when a
 * feature is used (`import()`: the MCP bridge, Redis, PostgreSQL/MySQL drivers, the page-to-markdown
 * libraries, the demo simulator) become separate chunks, loaded on first use, so start-up does not
 * parse them. tsc still type-checks the server (`tsc -b`, noEmit).
 *
 * Packages the server imports only on first use (`import('pg')`, `import('ioredis')`, `import('jose')`…) stay
 * in node_modules too: Node loads them when needed, with its own CommonJS interop, exactly as it did
 * before the bundle (this covers the argon2 addon; pyodide is loaded by path, never imported).
 */
import { build, type Plugin } from 'esbuild';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${packageDir}dist`;

/** Imported statically yet loaded from node_modules at run time: a native addon. */
const EXTERNAL = ['better-sqlite3'];

/** `import('some-package')` is left to Node at run time; relative `import('./x.js')` becomes a lazily loaded chunk. */
const lazyPackagesStayExternal: Plugin = {
  name: 'lazy-packages-stay-external',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined));
  },
};

// Only the bundle's own files: tsc keeps its incremental build info in the same directory.
for (const name of ['main.js', 'main.js.map', 'chunks']) await rm(`${outdir}/${name}`, { recursive: true, force: true });

await build({
  absWorkingDir: packageDir,
  entryPoints: { main: 'src/main.ts' },
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: EXTERNAL,
  plugins: [lazyPackagesStayExternal],
  sourcemap: 'linked',
  // V8 keeps every loaded module's source text, at one byte a character only while the whole text is
  // Latin-1. Comments carried over from node_modules (typographic quotes, §) made the large chunks two bytes a
  // character: whitespace minification drops comments, string literals are escaped to ASCII (esbuild's default
  // charset), and license comments go to a `.LEGAL.txt` file beside their chunk. Measured: idle RSS 6–9 MB
  // less. Names are kept, so stack traces still name functions; `NODE_OPTIONS=--enable-source-maps` maps their
  // positions back to the sources (the `.map` files beside each chunk).
  minifyWhitespace: true,
  legalComments: 'linked',
  // CommonJS packages in the bundle call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as __nanoclawCreateRequire } from 'node:module'; const require = __nanoclawCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
