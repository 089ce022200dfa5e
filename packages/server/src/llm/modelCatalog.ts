import type { ApiModel, ModelConfig } from '@nanoclaw/protocol';
import { hasThinkingSwitch, resolveProviderProfile } from './providerProfiles.js';
import { isKnownVisionModel } from './knownVisionModel.js';

const DEFAULT_CONTEXT_WINDOW = 32_768;
const DEFAULT_MAX_TOKENS = 4_096;

/** The configured models, with the default and the limits the run needs. */
export class ModelCatalog {
  private readonly byId: Map<string, ModelConfig>;

  constructor(
    readonly models: ModelConfig[],
    private readonly defaultId: string | undefined,
  ) {
    this.byId = new Map(models.map((model) => [model.id, model]));
  }

  get defaultModel(): ModelConfig | undefined {
    return (this.defaultId ? this.byId.get(this.defaultId) : undefined) ?? this.models[0];
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** The model to use for a conversation: its own if still configured, else the default. */
  resolve(id: string | null | undefined): ModelConfig | undefined {
    return (id ? this.byId.get(id) : undefined) ?? this.defaultModel;
  }

  contextWindow(model: ModelConfig): number {
    return model.context_window ?? DEFAULT_CONTEXT_WINDOW;
  }

  /** The answer's token allowance: the conversation's wish, bounded by the model's cap. */
  maxTokens(model: ModelConfig, requested: number | null | undefined): number {
    const wanted = requested ?? DEFAULT_MAX_TOKENS;
    return model.max_tokens ? Math.min(wanted, model.max_tokens) : wanted;
  }

  /** Prompt budget: the context window minus room for the answer (at most half the window). */
  promptBudget(model: ModelConfig, maxTokens: number): number {
    const window = this.contextWindow(model);
    return window - Math.min(maxTokens, Math.floor(window / 2));
  }

  describe(): ApiModel[] {
    const defaultId = this.defaultModel?.id;
    return this.models.map((model) => ({
      id: model.id,
      name: model.name ?? model.id,
      provider: resolveProviderProfile(model),
      context_window: this.contextWindow(model),
      ...(model.offline_demo ? { offline_demo: true } : {}),
      ...(model.id === defaultId ? { default: true } : {}),
      capabilities: modelCapabilities(model),
    }));
  }
}

/** What a model can do: as configured, else what its provider profile says. */
export function modelCapabilities(model: ModelConfig): ApiModel['capabilities'] {
  return {
    vision: model.vision ?? isKnownVisionModel(model.id),
    tools: model.tools ?? true,
    thinking: model.thinking ?? (hasThinkingSwitch(model) || model.reasoning_effort !== undefined),
  };
}
