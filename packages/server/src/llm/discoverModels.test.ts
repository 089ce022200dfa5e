import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@nanoclaw/llm-sim';
import { createChatClient } from './chatClient.js';
import { discoverModels } from './discoverModels.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ host: '127.0.0.1', port: 0 });
});
afterAll(() => sim.close());

const client = createChatClient({ settings: { timeout_ms: 2000, max_retries: 0, retry_base_ms: 1, retry_max_ms: 1 } });

describe('discoverModels', () => {
  it('adds the models a server lists, pointed at its chat endpoint, without duplicating configured ones', async () => {
    const warnings: unknown[] = [];
    const found = await discoverModels(
      [{ base_url: `${sim.url}/`, api_key: 'k', provider: 'generic' }],
      [{ id: 'text', api_url: 'http://elsewhere/v1/chat/completions' }],
      client,
      { warn: (obj) => warnings.push(obj) },
    );
    expect(found.map((m) => m.id)).toContain('tool-call');
    expect(found.map((m) => m.id)).not.toContain('text');
    expect(found[0]).toEqual({ id: found[0]!.id, name: found[0]!.id, api_url: `${sim.url}/chat/completions`, api_key: 'k', provider: 'generic' });
    expect(warnings).toEqual([]);
  });

  it('reports an unreachable source and carries on', async () => {
    const warnings: Array<{ base_url?: string }> = [];
    const found = await discoverModels([{ base_url: 'http://127.0.0.1:1/v1' }, { base_url: sim.url }], [], client, { warn: (obj) => warnings.push(obj) });
    expect(warnings).toEqual([expect.objectContaining({ base_url: 'http://127.0.0.1:1/v1' })]);
    expect(found.length).toBeGreaterThan(0);
  });
});
