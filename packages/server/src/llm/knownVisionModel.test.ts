import { describe, expect, it } from 'vitest';
import { isKnownVisionModel } from './knownVisionModel.js';
import { modelCapabilities } from './modelCatalog.js';

describe('isKnownVisionModel', () => {
  it.each(['gpt-4o', 'gpt-4o-mini', 'openai/gpt-4.1', 'gpt-5', 'o3', 'o4-mini', 'claude-3-5-sonnet-latest', 'claude-sonnet-4-20250514', 'gemini-2.5-pro', 'gemma3:27b', 'pixtral-12b', 'qwen2.5-vl-72b-instruct', 'Qwen/Qwen2-VL-7B', 'glm-4v-plus', 'glm-4.5v', 'llava:13b', 'llama3.2-vision'])('knows %s takes images', (id) => {
    expect(isKnownVisionModel(id)).toBe(true);
  });
  it.each(['deepseek-chat', 'deepseek-reasoner', 'gpt-3.5-turbo', 'glm-4-plus', 'qwen2.5-72b-instruct', 'llama3.1:8b', 'mistral-large', 'text', 'parts', 'reasoning', 'echo'])('does not assume %s does', (id) => {
    expect(isKnownVisionModel(id)).toBe(false);
  });
});

describe('modelCapabilities: vision', () => {
  it('defaults to what is known of the model family; the config wins', () => {
    const api_url = 'https://api.openai.com/v1/chat/completions';
    expect(modelCapabilities({ id: 'gpt-4o', api_url }).vision).toBe(true);
    expect(modelCapabilities({ id: 'gpt-4o', api_url, vision: false }).vision).toBe(false);
    expect(modelCapabilities({ id: 'deepseek-chat', api_url }).vision).toBe(false);
    expect(modelCapabilities({ id: 'my-local-model', api_url, vision: true }).vision).toBe(true);
  });
});
