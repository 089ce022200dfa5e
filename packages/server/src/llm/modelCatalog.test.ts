import type { ModelConfig } from '@nanoclaw/protocol';
import { describe, expect, it } from 'vitest';
import { modelCapabilities } from './modelCatalog.js';

const model = (fields: Partial<ModelConfig> & { api_url: string }): ModelConfig => ({ id: 'm', ...fields });

describe('modelCapabilities', () => {
  it('takes what the configuration says', () => {
    expect(modelCapabilities(model({ api_url: 'http://127.0.0.1:9/v1/chat/completions', vision: true, tools: false, thinking: true }))).toEqual({
      vision: true,
      tools: false,
      thinking: true,
    });
  });

  it('otherwise: no images, tools on, and thinking where the provider has a switch for it or a reasoning effort is set', () => {
    expect(modelCapabilities(model({ api_url: 'https://api.deepseek.com/chat/completions' }))).toEqual({ vision: false, tools: true, thinking: true });
    expect(modelCapabilities(model({ api_url: 'https://open.bigmodel.cn/api/paas/v4/chat/completions' })).thinking).toBe(true);
    expect(modelCapabilities(model({ api_url: 'http://127.0.0.1:11434/v1/chat/completions' })).thinking).toBe(false);
    expect(modelCapabilities(model({ api_url: 'https://api.openai.com/v1/chat/completions', reasoning_effort: 'low' })).thinking).toBe(true);
    expect(modelCapabilities(model({ api_url: 'https://api.deepseek.com/chat/completions', thinking: false })).thinking).toBe(false);
  });
});
