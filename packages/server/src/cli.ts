import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** What the command line asks for: start the server (the default), or print usage or the version and exit. */
export type CliAction = { kind: 'serve' } | { kind: 'print'; text: string; exitCode: 0 | 2 };

export const USAGE = `Usage: node packages/server/dist/main.js [--help] [--version]   (or: npm start)

Starts NanoClaw: the web app and the API on http://127.0.0.1:3000 by default.

Settings come from config.yml in the working directory (or the file NANOCLAW_CONFIG names), then the
environment: PORT, HOST, WORKERS, DATA_DIR, DATABASE_URL, REDIS_URL, WORKSPACE_ROOT, AUTH_MODE, JWT_SECRET,
LOG_LEVEL, and OPENAI_API_KEY / OPENAI_BASE_URL / OPENAI_MODEL for one model without a file.
NANOCLAW_IGNORE_UNKNOWN_CONFIG=1 starts even though config.yml has keys this version does not know.
Every setting: docs/config.md.

Options:
  -h, --help       print this and exit
  -v, --version    print the version and exit`;

/** The version in the server package's package.json, found above this file (in src/, dist/ or a chunk of it). */
export function serverVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const packageJson = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version: string };
      if (packageJson.name === '@nanoclaw/server') return packageJson.version;
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}

export function parseCli(args: readonly string[]): CliAction {
  let values;
  try {
    ({ values } = parseArgs({ args: [...args], options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } }, strict: true }));
  } catch (err) {
    return { kind: 'print', text: `${(err as Error).message}\n\n${USAGE}`, exitCode: 2 };
  }
  if (values.help) return { kind: 'print', text: USAGE, exitCode: 0 };
  if (values.version) return { kind: 'print', text: `nanoclaw ${serverVersion()}`, exitCode: 0 };
  return { kind: 'serve' };
}
