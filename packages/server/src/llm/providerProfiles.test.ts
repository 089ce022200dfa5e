import type { ModelConfig } from '@nanoclaw/protocol';
import { describe, expect, it } from 'vitest';
import { buildChatRequestBody, resolveProviderProfile } from './providerProfiles.js';
import type { ChatMessage, ChatRequest } from './types.js';

function model(id: string, api_url: string, extra: Partial<ModelConfig> = {}): ModelConfig {
  return { id, api_url, ...extra };
}

const openai = model('gpt-4o', 'https://api.openai.com/v1/chat/completions');
const deepseek = model('deepseek-chat', 'https://api.deepseek.com/v1/chat/completions');
const glm = model('glm-4.6', 'https://open.bigmodel.cn/api/paas/v4/chat/completions');
const ollama = model('qwen3:8b', 'http://localhost:11434/v1/chat/completions');
const generic = model('llama-3.3-70b', 'https://api.groq.com/openai/v1/chat/completions');

const question: ChatMessage = { role: 'user', content: 'What is 2+2?' };
const toolResult: ChatMessage = { role: 'tool', tool_call_id: 'call_1', content: '4' };
const callWithoutReasoning: ChatMessage = {
  role: 'assistant',
  content: null,
  tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'calculator', arguments: '{"expression":"2+2"}' } }],
};
const toolCallRound: ChatMessage[] = [question, { ...callWithoutReasoning, reasoning_content: 'Use the calculator.' }, toolResult];

const request: ChatRequest = { messages: [{ role: 'user', content: 'Hi' }] };

describe('resolveProviderProfile', () => {
  it.each([
    [openai, 'openai'],
    [deepseek, 'deepseek'],
    [model('deepseek-reasoner', 'https://gateway.example/v1/chat/completions'), 'deepseek'],
    [glm, 'glm'],
    [model('glm-4.5-air', 'https://gateway.example/v1/chat/completions'), 'glm'],
    [model('glm-4.6', 'https://api.z.ai/api/paas/v4/chat/completions'), 'glm'],
    [ollama, 'ollama'],
    [model('deepseek-r1:7b', 'http://127.0.0.1:11434/v1/chat/completions'), 'ollama'],
    [model('llama3', 'https://box.example/ollama/v1/chat/completions'), 'ollama'],
    [generic, 'generic'],
  ] as const)('guesses %o as %s', (config, profile) => {
    expect(resolveProviderProfile(config)).toBe(profile);
  });

  it('lets the configured provider win over the guess', () => {
    expect(resolveProviderProfile({ ...openai, provider: 'generic' })).toBe('generic');
  });
});

describe('buildChatRequestBody', () => {
  it('asks every profile for a stream with usage', () => {
    for (const config of [openai, deepseek, glm, ollama, generic]) {
      expect(buildChatRequestBody(config, request)).toMatchObject({
        model: config.id,
        messages: request.messages,
        stream: true,
        stream_options: { include_usage: true },
      });
    }
  });

  it('sends tools and tool_choice only when there are tools', () => {
    const tools: ChatRequest['tools'] = [{ type: 'function', function: { name: 'calc', description: 'd', parameters: {} } }];

    expect(buildChatRequestBody(openai, { ...request, tools, toolChoice: 'required' })).toMatchObject({ tools, tool_choice: 'required' });
    const withoutTools = buildChatRequestBody(openai, { ...request, tools: [], toolChoice: 'required' });
    expect(withoutTools).not.toHaveProperty('tools');
    expect(withoutTools).not.toHaveProperty('tool_choice');
  });

  it('sends temperature and max_tokens to a chat model, capped by the model config', () => {
    expect(buildChatRequestBody({ ...openai, max_tokens: 4_000 }, { ...request, temperature: 0.5, maxTokens: 10_000 })).toMatchObject({
      temperature: 0.5,
      max_tokens: 4_000,
    });
    expect(buildChatRequestBody(openai, request)).not.toHaveProperty('max_tokens');
  });

  describe('OpenAI reasoning models', () => {
    it.each(['o1', 'o3-mini', 'o4-mini', 'gpt-5', 'gpt-5-mini', 'openai/o3'])('treats %s as a reasoning model', (id) => {
      const body = buildChatRequestBody({ ...openai, id }, { ...request, temperature: 0.5, maxTokens: 2_000 });

      expect(body).toMatchObject({ max_completion_tokens: 2_000 });
      expect(body).not.toHaveProperty('max_tokens');
      expect(body).not.toHaveProperty('temperature');
    });

    it('sends the configured reasoning_effort', () => {
      const body = buildChatRequestBody({ ...openai, id: 'o3', reasoning_effort: 'high' }, { ...request, maxTokens: 100 });

      expect(body).toMatchObject({ reasoning_effort: 'high', max_completion_tokens: 100 });
    });

    it('treats any model with reasoning_effort configured as a reasoning model', () => {
      const body = buildChatRequestBody({ ...generic, reasoning_effort: 'low' }, { ...request, temperature: 1 });

      expect(body).toMatchObject({ reasoning_effort: 'low' });
      expect(body).not.toHaveProperty('temperature');
    });
  });

  describe('DeepSeek', () => {
    it('caps max_tokens at 8192', () => {
      expect(buildChatRequestBody(deepseek, { ...request, maxTokens: 32_000 })).toMatchObject({ max_tokens: 8192 });
    });

    it('enables thinking on request and sends nothing when it is off', () => {
      expect(buildChatRequestBody(deepseek, { ...request, thinking: true })).toMatchObject({ thinking: { type: 'enabled' } });
      expect(buildChatRequestBody(deepseek, { ...request, thinking: false })).not.toHaveProperty('thinking');
    });

    it('sends reasoning_content back with the tool-call round', () => {
      expect(buildChatRequestBody(deepseek, { messages: toolCallRound }).messages).toEqual(toolCallRound);
    });

    it('does not send reasoning_effort', () => {
      expect(buildChatRequestBody({ ...deepseek, reasoning_effort: 'high' }, request)).not.toHaveProperty('reasoning_effort');
    });
  });

  describe('GLM', () => {
    it('caps max_tokens', () => {
      expect(buildChatRequestBody(glm, { ...request, maxTokens: 100_000 })).toMatchObject({ max_tokens: 8192 });
    });

    it('switches thinking on and off explicitly', () => {
      expect(buildChatRequestBody(glm, { ...request, thinking: true })).toMatchObject({ thinking: { type: 'enabled' } });
      expect(buildChatRequestBody(glm, { ...request, thinking: false })).toMatchObject({ thinking: { type: 'disabled' } });
      expect(buildChatRequestBody(glm, request)).not.toHaveProperty('thinking');
    });
  });

  it.each([
    ['OpenAI', openai],
    ['GLM', glm],
    ['Ollama', ollama],
    ['a generic provider', generic],
  ])('strips reasoning_content from assistant messages for %s', (_name, config) => {
    const { messages } = buildChatRequestBody(config, { messages: toolCallRound });

    expect(messages).toStrictEqual([question, callWithoutReasoning, toolResult]);
  });

  it('leaves the caller’s messages untouched', () => {
    buildChatRequestBody(openai, { messages: toolCallRound });

    expect(toolCallRound[1]).toHaveProperty('reasoning_content', 'Use the calculator.');
  });

  it('sends no thinking switch to Ollama and keeps temperature and max_tokens there', () => {
    const body = buildChatRequestBody(ollama, { ...request, thinking: true, temperature: 0.3, maxTokens: 50_000 });

    expect(body).not.toHaveProperty('thinking');
    expect(body).toMatchObject({ temperature: 0.3, max_tokens: 50_000 });
  });
});
