import type { ApiModel } from '@nanoclaw/protocol';
import { describe, expect, it } from 'vitest';
import { groupModels } from './modelGroups';

const model = (id: string, provider: string, name = id): ApiModel => ({
  id,
  name,
  provider,
  context_window: 8192,
  capabilities: { vision: false, tools: true, thinking: false },
});
const models = [model('gpt-4o', 'openai', 'GPT-4o'), model('deepseek-chat', 'deepseek', 'DeepSeek V3'), model('o3', 'openai'), model('qwen3:8b', 'ollama', 'Qwen 3 Café')];

describe('groupModels', () => {
  it('groups by provider in configured order', () => {
    expect(groupModels(models).map((g) => [g.label, g.models.map((m) => m.id)])).toEqual([
      ['OpenAI', ['gpt-4o', 'o3']],
      ['DeepSeek', ['deepseek-chat']],
      ['Ollama', ['qwen3:8b']],
    ]);
  });

  it('finds every word in the name, id or provider, case and accents folded', () => {
    expect(groupModels(models, 'openai 4O').flatMap((g) => g.models.map((m) => m.id))).toEqual(['gpt-4o']);
    expect(groupModels(models, 'cafe').flatMap((g) => g.models.map((m) => m.id))).toEqual(['qwen3:8b']);
    expect(groupModels(models, 'deepseek v3').map((g) => g.provider)).toEqual(['deepseek']);
    expect(groupModels(models, 'nothing like it')).toEqual([]);
  });
});
