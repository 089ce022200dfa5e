import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_MAIN, startServerProcess } from './serverProcess.js';

/** Runs the built server (as `npm start` does) to its exit; its code and what it printed. */
function runMain(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: join(cwd, 'data'), ...env };
    delete childEnv.NANOCLAW_CONFIG;
    if (env.NANOCLAW_CONFIG) childEnv.NANOCLAW_CONFIG = env.NANOCLAW_CONFIG;
    const child = execFile(process.execPath, [SERVER_MAIN, ...args], { cwd, env: childEnv, timeout: 15_000 }, (_error, stdout, stderr) => {
      done({ code: child.exitCode, stdout, stderr });
    });
  });
}

let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'nc-startup-'));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('the built server', () => {
  it('is ASCII only, so V8 keeps its source at one byte a character', () => {
    const dist = dirname(SERVER_MAIN);
    const files = [SERVER_MAIN, ...readdirSync(join(dist, 'chunks')).filter((name) => name.endsWith('.js')).map((name) => join(dist, 'chunks', name))];
    const notAscii = files.filter((file) => readFileSync(file).some((byte) => byte > 0x7f)).map((file) => file.slice(dist.length + 1));
    expect(notAscii).toEqual([]);
  });
});

describe('the command line', () => {
  it('--version prints the version and --help the usage, without starting', async () => {
    const version = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version as string;
    expect(await runMain(['--version'])).toEqual({ code: 0, stdout: `nanoclaw ${version}\n`, stderr: '' });
    const help = await runMain(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: /);
    expect(help.stdout).toContain('docs/config.md');
    const wrong = await runMain(['--bogus']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^Unknown option '--bogus'/);
  });
});

describe('start-up problems get one sentence and exit code 2', () => {
  let blocker: Server;
  let port: number;
  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    port = (blocker.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

  it('a port already in use names the port and how to change it, with no stack trace', async () => {
    const result = await runMain([], { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'error' });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`Port ${port} on 127.0.0.1 is already in use by another program. Choose another with PORT=3000 (or port: in config.yml).\n`);
  });

  it('an unreachable database names it (without its password) and what to do', async () => {
    // A port nothing listens on: the connection is refused.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await runMain([], { DATABASE_URL: `postgres://nanoclaw:secret-pw@127.0.0.1:${deadPort}/nanoclaw`, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^The database at postgres://nanoclaw:\\*\\*\\*@127\\.0\\.0\\.1:${deadPort}/nanoclaw is not reachable \\(.+\\)\\. Start it, or point database_url \\(DATABASE_URL\\) at one that runs\\.\\n$`));
    expect(result.stderr).not.toContain('secret-pw');
  });

  it('an unknown config key names it and the closest known key', async () => {
    const file = join(cwd, 'typo.yml');
    writeFileSync(file, 'max_iteration: 5\n');
    const result = await runMain([], { NANOCLAW_CONFIG: file, PORT: '0' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown config key "max_iteration" (did you mean "max_iterations"?)');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('listening beyond loopback in single-user mode', () => {
  it('warns at start, naming the address and what to set instead', async () => {
    const lines: string[] = [];
    const server = await startServerProcess({ cwd, env: { HOST: '0.0.0.0', DATA_DIR: join(cwd, 'wide') }, stdout: (line) => lines.push(line) });
    try {
      const warning = lines.map((line) => JSON.parse(line) as { level: number; msg: string }).find((entry) => entry.msg.startsWith('Listening on 0.0.0.0 in single-user mode'));
      expect(warning?.level).toBe(40);
      expect(warning?.msg).toContain('HOST=127.0.0.1');
    } finally {
      await server.stop();
    }
  });
});

describe('many clients connecting at once', () => {
  const somaxconn = existsSync('/proc/sys/net/core/somaxconn') ? Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8')) : 0;
  // Where the kernel's cap is below a thousand, the server cannot hold more, whatever it asks for.
  it.skipIf(somaxconn < 1024)('are all held by the kernel while the server is busy, none left to retry a second later', async () => {
    const server = await startServerProcess({ cwd, env: { DATA_DIR: join(cwd, 'backlog') } });
    const { port } = new URL(server.url);
    const sockets: Socket[] = [];
    try {
      // A stopped process accepts nothing: every connection waits in the listen queue, as behind a busy event
      // loop. One the queue has no room for is dropped, and stays unconnected however often its client tries
      // again while the server is stopped: the count below does not depend on how fast this test runs.
      server.child.kill('SIGSTOP');
      let connected = 0;
      await new Promise<void>((resolve) => {
        const deadline = setTimeout(resolve, 3000);
        for (let i = 0; i < 1000; i++) {
          const socket = connect(Number(port), '127.0.0.1');
          sockets.push(socket);
          socket.on('error', () => undefined);
          socket.once('connect', () => {
            if (++connected < 1000) return;
            clearTimeout(deadline);
            resolve();
          });
        }
      });
      expect(connected).toBe(1000);
    } finally {
      server.child.kill('SIGCONT');
      for (const socket of sockets) socket.destroy();
      await server.stop();
    }
  });
});
