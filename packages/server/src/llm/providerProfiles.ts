import type { ModelConfig, ProviderProfileName } from '@nanoclaw/protocol';
import type { ChatMessage, ChatRequest } from './types.js';

interface ProviderProfile {
  /** Largest `max_tokens` the provider accepts, when it has a documented ceiling. */
  maxTokensCap?: number;
  /** How the profile switches thinking on and off (`none`: it has no such switch). */
  thinking: 'enable-only' | 'enable-or-disable' | 'none';
  /** Whether `reasoning_effort` / `max_completion_tokens` apply to OpenAI-style reasoning models. */
  openAiReasoning: boolean;
  /** DeepSeek requires the reasoning of a tool-call round to be sent back in thinking mode. */
  keepsReasoningContent: boolean;
}

const profiles: Record<ProviderProfileName, ProviderProfile> = {
  openai: { thinking: 'none', openAiReasoning: true, keepsReasoningContent: false },
  deepseek: { maxTokensCap: 8192, thinking: 'enable-only', openAiReasoning: false, keepsReasoningContent: true },
  glm: { maxTokensCap: 8192, thinking: 'enable-or-disable', openAiReasoning: false, keepsReasoningContent: false },
  ollama: { thinking: 'none', openAiReasoning: false, keepsReasoningContent: false },
  generic: { thinking: 'none', openAiReasoning: true, keepsReasoningContent: false },
};

const openAiReasoningModel = /^(o1|o3|o4|gpt-5)/;

/** Whether the model's provider has a per-request switch for thinking (DeepSeek, GLM). */
export function hasThinkingSwitch(model: ModelConfig): boolean {
  return profiles[resolveProviderProfile(model)].thinking !== 'none';
}

/** The configured profile, else a guess from the URL, else from the model id. */
export function resolveProviderProfile(model: ModelConfig): ProviderProfileName {
  if (model.provider) return model.provider;
  const url = new URL(model.api_url);
  const host = url.hostname.toLowerCase();
  // The URL decides first: `deepseek-r1` served by a local Ollama is an Ollama model.
  if (url.port === '11434' || url.pathname.toLowerCase().includes('/ollama')) return 'ollama';
  if (isHostOrSubdomain(host, 'deepseek.com')) return 'deepseek';
  if (isHostOrSubdomain(host, 'bigmodel.cn') || isHostOrSubdomain(host, 'z.ai')) return 'glm';
  if (host === 'api.openai.com') return 'openai';
  const id = model.id.toLowerCase();
  if (id.startsWith('deepseek')) return 'deepseek';
  if (id.startsWith('glm-')) return 'glm';
  return 'generic';
}

/** The chat-completions request body for `model`, adapted to its provider profile. */
export function buildChatRequestBody(model: ModelConfig, req: ChatRequest): Record<string, unknown> {
  const profile = profiles[resolveProviderProfile(model)];
  const reasoningModel = profile.openAiReasoning && isOpenAiReasoningModel(model);
  const body: Record<string, unknown> = {
    model: model.id,
    messages: profile.keepsReasoningContent ? req.messages : req.messages.map(withoutReasoningContent),
    stream: true,
    // Every profile's endpoint (Ollama's OpenAI-compatible one included) reports usage when asked.
    stream_options: { include_usage: true },
  };
  if (req.tools && req.tools.length > 0) {
    body.tools = req.tools;
    if (req.toolChoice !== undefined) body.tool_choice = req.toolChoice;
  }
  if (req.temperature !== undefined && !reasoningModel) body.temperature = req.temperature;

  const maxTokens = cappedMaxTokens(req.maxTokens, model.max_tokens, profile.maxTokensCap);
  if (maxTokens !== undefined) body[reasoningModel ? 'max_completion_tokens' : 'max_tokens'] = maxTokens;

  if (profile.thinking !== 'none' && req.thinking !== undefined) {
    if (req.thinking) body.thinking = { type: 'enabled' };
    else if (profile.thinking === 'enable-or-disable') body.thinking = { type: 'disabled' };
  }
  // Deepseek and GLM ignore reasoning_effort (they use `thinking`); others that support it
  // (OpenAI, gateways, Ollama's gpt-oss) take it when it is configured.
  if (model.reasoning_effort !== undefined && profile.thinking === 'none') body.reasoning_effort = model.reasoning_effort;
  return body;
}

function isHostOrSubdomain(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

function isOpenAiReasoningModel(model: ModelConfig): boolean {
  if (model.reasoning_effort !== undefined) return true;
  // Gateways prefix the vendor: `openai/o3-mini`.
  const id = model.id.toLowerCase();
  return openAiReasoningModel.test(id.slice(id.lastIndexOf('/') + 1));
}

function cappedMaxTokens(requested: number | undefined, ...caps: Array<number | undefined>): number | undefined {
  if (requested === undefined) return undefined;
  let capped = requested;
  for (const cap of caps) if (cap !== undefined && cap < capped) capped = cap;
  return capped;
}

function withoutReasoningContent(message: ChatMessage): ChatMessage {
  if (message.role !== 'assistant' || message.reasoning_content === undefined) return message;
  const { reasoning_content: _dropped, ...rest } = message;
  return rest;
}
