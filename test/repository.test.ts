import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
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

  it('every relative link in the README, CONTRIBUTING.md and docs/ names a file in the repository', () => {
    const documents = ['README.md', 'CONTRIBUTING.md', ...readdirSync(join(root, 'docs')).map((file) => `docs/${file}`)];
    const broken = documents.flatMap((document) =>
      [...readFileSync(join(root, document), 'utf8').matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)]
        .map((match) => match[1]!)
        .filter((target) => !/^[a-z]+:/.test(target) && !existsSync(join(root, dirname(document), target)))
        .map((target) => `${document} -> ${target}`),
    );
    expect(documents).toEqual(expect.arrayContaining(['docs/api.md', 'docs/events.md', 'docs/config.md']));
    expect(broken).toEqual([]);
  });

  it('has an MIT LICENSE and a CONTRIBUTING.md that says how to run one test', () => {
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(readFileSync(join(root, 'CONTRIBUTING.md'), 'utf8')).toMatch(/npx vitest run \S+\.test\.ts/);
  });
});
