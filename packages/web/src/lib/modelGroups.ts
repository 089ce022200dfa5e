import type { ApiModel } from '@nanoclaw/protocol';

export interface ModelGroup {
  provider: string;
  label: string;
  models: ApiModel[];
}

const PROVIDER_LABELS: Record<string, string> = {
  openai: 'OpenAI',
  deepseek: 'DeepSeek',
  glm: 'Zhipu GLM',
  ollama: 'Ollama',
  generic: 'OpenAI-compatible',
};

/** Folds case and accents, so "glm" finds "GLM" and "cafe" finds "Café". */
function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * The models whose name, id or provider contain every word of `query`, grouped by provider (groups in
 * the order their first model is configured, models in their configured order).
 */
export function groupModels(models: readonly ApiModel[], query = ''): ModelGroup[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  const groups = new Map<string, ModelGroup>();
  for (const model of models) {
    const label = PROVIDER_LABELS[model.provider] ?? model.provider;
    const haystack = fold(`${model.name} ${model.id} ${label}`);
    if (!words.every((word) => haystack.includes(word))) continue;
    let group = groups.get(model.provider);
    if (!group) {
      group = { provider: model.provider, label, models: [] };
      groups.set(model.provider, group);
    }
    group.models.push(model);
  }
  return [...groups.values()];
}
