#!/usr/bin/env node
/**
 * `npm start` (and `npm run sim`, the benches) run this first: it builds only when something that goes
 * into the build changed since the last one, so starting an already built tree takes about a second.
 *
 * What goes into the build: every package's sources (tests excepted), package.json and tsconfig, the web
 * app's index.html, public/ and vite config, the bundle script, tsconfig.base.json and the lockfile. A
 * digest of their paths and contents is kept in node_modules/.cache/nanoclaw/build-stamp by `npm run build`
 * (`--stamp`); when it matches and the outputs exist, nothing is built.
 *
 *   node scripts/ensure-built.mjs           build if stale
 *   node scripts/ensure-built.mjs --stamp   record the current sources as built (the end of `npm run build`)
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGES = ['packages/protocol', 'packages/server', 'tools/llm-sim', 'packages/web'];
const INPUT_DIRS = [...PACKAGES.map((dir) => `${dir}/src`), 'packages/server/scripts', 'packages/web/public'];
const INPUT_FILES = [
  ...PACKAGES.flatMap((dir) => [`${dir}/package.json`, `${dir}/tsconfig.json`]),
  'packages/web/index.html',
  'packages/web/vite.config.ts',
  'tsconfig.base.json',
  'package-lock.json',
];
/** What `npm start` needs; a build is due when one is missing, whatever the stamp says. */
export const BUILD_OUTPUTS = ['packages/protocol/dist', 'tools/llm-sim/dist', 'packages/server/dist/main.js', 'packages/web/dist/index.html'];
const STAMP = 'node_modules/.cache/nanoclaw/build-stamp';

function filesUnder(root, dir) {
  const full = join(root, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !/\.test\.ts$/.test(entry.name))
    .map((entry) => relative(root, join(entry.parentPath ?? entry.path, entry.name)));
}

/** The files that go into the build, relative to `root`, sorted. */
export function buildInputs(root) {
  return [...INPUT_DIRS.flatMap((dir) => filesUnder(root, dir)), ...INPUT_FILES.filter((file) => existsSync(join(root, file)))].sort();
}

/** A digest of the build inputs' paths and contents. */
export function inputsDigest(root) {
  const hash = createHash('sha256');
  for (const file of buildInputs(root)) hash.update(`${file}\0`).update(readFileSync(join(root, file))).update('\0');
  return hash.digest('hex');
}

export function writeStamp(root, digest = inputsDigest(root)) {
  mkdirSync(dirname(join(root, STAMP)), { recursive: true });
  writeFileSync(join(root, STAMP), `${digest}\n`);
}

/** Why a build is due, or null when the outputs exist and were built from the current inputs. */
export function staleReason(root) {
  const missing = BUILD_OUTPUTS.find((output) => !existsSync(join(root, output)));
  if (missing) return `${missing} is missing`;
  const stamp = existsSync(join(root, STAMP)) ? readFileSync(join(root, STAMP), 'utf8').trim() : '';
  if (stamp === '') return 'no build was recorded';
  return stamp === inputsDigest(root) ? null : 'sources changed since the last build';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  if (process.argv[2] === '--stamp') {
    writeStamp(root);
  } else {
    const reason = staleReason(root);
    if (reason) {
      console.error(`Building first (${reason}); this takes a minute or so.`);
      const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
      if (build.status !== 0) process.exit(build.status ?? 1);
    }
  }
}
