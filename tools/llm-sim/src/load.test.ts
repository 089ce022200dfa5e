import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleChatStream, readChatStream } from './chatStreamReader.js';
import { startSimulator, type Simulator } from './simulator.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

function post(target: Simulator, model: string, signal?: AbortSignal): Promise<Response> {
  return fetch(target.chatUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'go' }] }),
    signal,
  });
}

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('throughput', () => {
  it('delivers a 2,000-token stream complete and fast', async () => {
    const started = Date.now();
    const { chunks, done } = await readChatStream(await post(sim, 'text:2000'));
    expect(done).toBe(true);
    expect(chunks.filter((chunk) => chunk.choices[0]?.delta.content !== undefined)).toHaveLength(2000);
    // Unpaced: even a loaded CI machine sends 2,000 chunks well within this.
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('serves 200 concurrent streams', async () => {
    const answers = await Promise.all(
      Array.from({ length: 200 }, async () => assembleChatStream((await readChatStream(await post(sim, 'text:200'))).chunks)),
    );
    expect(answers.every((answer) => answer.finishReason === 'stop' && answer.content.split(' ').length === 200)).toBe(true);
  });

  it('waits for a slow reader instead of losing data', async () => {
    const body = JSON.stringify({ model: 'text:20000', stream: true, messages: [{ role: 'user', content: 'go' }] });
    const received = await new Promise<string>((resolve, reject) => {
      const outgoing = httpRequest(`${sim.chatUrl}`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (incoming) => {
        let text = '';
        incoming.setEncoding('utf8');
        incoming.pause();
        setTimeout(() => incoming.resume(), 200);
        incoming.on('data', (chunk: string) => (text += chunk));
        incoming.on('end', () => resolve(text));
        incoming.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
    expect(received.match(/"content":/g)).toHaveLength(20000);
    expect(received.endsWith('data: [DONE]\n\n')).toBe(true);
  });
});

describe('connections', () => {
  it('openConnections counts the streaming request and drops to 0 once the client aborts', async () => {
    await readChatStream(await post(sim, 'text:3'));
    // The finished request's keep-alive socket is idle, so it does not count.
    expect(sim.openConnections()).toBe(0);
    const client = new AbortController();
    const response = await post(sim, 'slow:50', client.signal);
    await response.body?.getReader().read();
    expect(sim.openConnections()).toBe(1);
    client.abort();
    await waitFor(() => sim.openConnections() === 0);
  });

  it('close() drops hanging connections', async () => {
    const own = await startSimulator();
    own.script({ kind: 'hang' });
    const pending = post(own, 'text').catch(() => 'failed');
    await waitFor(() => own.openConnections() === 1);
    await own.close();
    expect(await pending).toBe('failed');
    expect(own.openConnections()).toBe(0);
  });

  it('tokenDelayMs paces every scenario', async () => {
    const paced = await startSimulator({ tokenDelayMs: 30 });
    try {
      const started = Date.now();
      await readChatStream(await post(paced, 'text:5'));
      expect(Date.now() - started).toBeGreaterThanOrEqual(4 * 30 * 0.9);
    } finally {
      await paced.close();
    }
  });
});
