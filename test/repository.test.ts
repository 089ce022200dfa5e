import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const readJson = (path: string) => JSON.parse(readFileSync(`${root}${path}`, 'utf8')) as Record<string, any>;

describe('the repository stands on its own', () => {
  it('installs on the oldest Node the engines field allows: no locked package needs a newer one', () => {
    const range = readJson('package.json').engines.node as string;
    const oldest = semver.minVersion(range)!.version;
    const lock = readJson('package-lock.json');
    expect(lock.packages[''].engines.node).toBe(range);
    const tooNew = Object.entries(lock.packages as Record<string, { engines?: { node?: string } }>)
      .filter(([, entry]) => typeof entry.engines?.node === 'string' && !semver.satisfies(oldest, entry.engines.node))
      .map(([name, entry]) => `${name} (${entry.engines!.node})`);
    expect(tooNew).toEqual([]);
  });

  it('the README names the same Node version as the engines field', () => {
    const oldest = semver.minVersion(readJson('package.json').engines.node as string)!;
    expect(readFileSync(`${root}README.md`, 'utf8')).toContain(`Node.js ${oldest.major}.${oldest.minor}`);
  });

  it('no tracked test, script or document reaches outside the repository for its files', () => {
    // `.ci/run` may start the machine's services with ../shared/services.sh, and nothing else from there.
    const files = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter((file) => /\.(ts|js|mjs|json|md|sh|yml|yaml|vue)$|^\.ci\//.test(file) && file !== 'package-lock.json' && file !== 'test/repository.test.ts');
    const offenders = files.flatMap((file) =>
      readFileSync(`${root}${file}`, 'utf8')
        .split('\n')
        .map((line, index) => ({ line, where: `${file}:${index + 1}` }))
        .filter(({ line }) => /(\.\.\/)+shared\b|NANOCLAW_SHARED_DIR|\/work\/shared/.test(line))
        .filter(({ line, where }) => !(where.startsWith('.ci/run:') && line.includes('shared/services.sh')))
        .map(({ where }) => where),
    );
    expect(offenders).toEqual([]);
  });
});
