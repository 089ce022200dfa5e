import type { ModelConfig, ModelSource } from '@nanoclaw/protocol';
import type { ChatClient } from './chatClient.js';

/**
 * Asks each source for its models (`GET <base_url>/models`) and returns them as model configs,
 * skipping ids already configured. A source that cannot be reached is reported and skipped:
 * the server still starts with what it has.
 */
export async function discoverModels(
  sources: ModelSource[],
  configured: ModelConfig[],
  client: Pick<ChatClient, 'listModels'>,
  logger: { warn(obj: object, msg?: string): void },
): Promise<ModelConfig[]> {
  const known = new Set(configured.map((model) => model.id));
  const found: ModelConfig[] = [];
  for (const source of sources) {
    const base = source.base_url.replace(/\/+$/, '');
    let listed: Array<{ id: string }>;
    try {
      listed = await client.listModels(base, source.api_key);
    } catch (err) {
      logger.warn({ base_url: base, error: (err as Error).message }, 'could not list the models of a discover_models source');
      continue;
    }
    for (const { id } of listed) {
      if (known.has(id)) continue;
      known.add(id);
      found.push({
        id,
        name: id,
        api_url: `${base}/chat/completions`,
        ...(source.api_key ? { api_key: source.api_key } : {}),
        ...(source.provider ? { provider: source.provider } : {}),
        ...(source.context_window ? { context_window: source.context_window } : {}),
      });
    }
  }
  return found;
}
