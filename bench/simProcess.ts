/**
 * The simulator (tools/llm-sim, built) in a process of its own, as a provider is: the benchmarks' direct
 * path and the server's path then cross the same kind of hop. `tokenDelayMs` paces every answer.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

export interface SimProcess {
  chatUrl: string;
  /** Queues scripted answers (the `scripted` model takes them in order). */
  script(...responses: object[]): Promise<void>;
  close(): Promise<void>;
}

export async function startSimProcess(tokenDelayMs = 0): Promise<SimProcess> {
  const child = spawn(process.execPath, [join(root, 'tools/llm-sim/dist/cli.js'), '--port', '0', '--token-delay-ms', String(tokenDelayMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
    child.stdout!.on('data', (data: Buffer) => {
      const match = /listening on (\S+)/.exec(data.toString());
      if (match) resolveUrl(match[1]!);
    });
  });
  return {
    chatUrl: `${url}/chat/completions`,
    async script(...responses) {
      const res = await fetch(`${url}/_sim/script`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ responses }) });
      if (!res.ok) throw new Error(`scripting the simulator failed: ${res.status}`);
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
