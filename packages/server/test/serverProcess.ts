import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The built server, run as `npm start` runs it. */
export const SERVER_MAIN = resolve(fileURLToPath(new URL('.', import.meta.url)), '../dist/main.js');

export interface ServerProcess {
  child: ChildProcess;
  /** The address it listens on, as it reported it. */
  url: string;
  /** SIGTERM, then waits until it has exited (at once if it already has). */
  stop(): Promise<void>;
}

/**
 * Starts the built server as a real child process on a free 127.0.0.1 port and resolves once it
 * reports that it listens (main.ts sends `{type: 'listening', address}` over IPC).
 */
export function startServerProcess(options: { cwd: string; env?: NodeJS.ProcessEnv; execArgv?: string[]; stdout?: (line: string) => void; /** Another build's main.js (benchmarks comparing builds). */ main?: string }): Promise<ServerProcess> {
  const child = fork(options.main ?? SERVER_MAIN, [], {
    cwd: options.cwd,
    execArgv: options.execArgv ?? [],
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...options.env },
    stdio: ['ignore', options.stdout ? 'pipe' : 'ignore', 'inherit', 'ipc'],
  });
  if (options.stdout && child.stdout) {
    const onLine = options.stdout;
    createInterface({ input: child.stdout }).on('line', onLine);
  }
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the server exited with ${code} before listening`)));
    child.on('message', (message: { type?: string; address?: string }) => {
      if (message?.type === 'listening' && message.address) resolvePromise({ child, url: message.address, stop });
    });
  });
}
