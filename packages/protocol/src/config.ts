import { z } from 'zod';

export const providerProfileNameSchema = z.enum(['openai', 'deepseek', 'glm', 'ollama', 'generic']);
export type ProviderProfileName = z.infer<typeof providerProfileNameSchema>;

export const modelConfigSchema = z
  .object({
    /** The model name sent upstream (also the id clients select). */
    id: z.string().min(1),
    name: z.string().min(1).optional(),
    /** Full chat-completions URL, e.g. https://api.openai.com/v1/chat/completions */
    api_url: z.string().url(),
    api_key: z.string().optional(),
    /** Provider profile; guessed from api_url / id when absent. */
    provider: providerProfileNameSchema.optional(),
    /** Context window in tokens (used to trim history). */
    context_window: z.number().int().positive().optional(),
    /** Upper bound on max_tokens for this model. */
    max_tokens: z.number().int().positive().optional(),
    /** Send `reasoning_effort` (OpenAI-style reasoning models). */
    reasoning_effort: z.enum(['minimal', 'low', 'medium', 'high']).optional(),
    /** Marks the bundled offline demo model. */
    offline_demo: z.boolean().optional(),
  })
  .strict();
export type ModelConfig = z.infer<typeof modelConfigSchema>;

export const llmSettingsSchema = z
  .object({
    /** Time allowed to receive response headers and between two chunks. */
    timeout_ms: z.number().int().positive().default(60_000),
    max_retries: z.number().int().min(0).max(10).default(3),
    retry_base_ms: z.number().int().min(0).default(500),
    retry_max_ms: z.number().int().min(0).default(20_000),
  })
  .strict();

export const configSchema = z
  .object({
    host: z.string().default('0.0.0.0'),
    port: z.number().int().min(0).max(65535).default(3000),
    data_dir: z.string().default('./data'),
    database_url: z.string().optional(),
    workspace_root: z.string().optional(),
    auth_mode: z.enum(['single', 'multi']).default('single'),
    jwt_secret: z.string().optional(),
    models: z.array(modelConfigSchema).default([]),
    default_model: z.string().optional(),
    max_iterations: z.number().int().min(1).max(100).default(10),
    tool_max_workers: z.number().int().min(1).max(64).default(4),
    tool_timeout_ms: z.number().int().positive().default(30_000),
    tool_output_max_chars: z.number().int().positive().default(50_000),
    /** How often (ms) a streaming answer is checkpointed to the database. */
    checkpoint_interval_ms: z.number().int().min(10).default(500),
    /** How long a finished run stays re-attachable, ms. */
    run_retention_ms: z.number().int().min(0).default(60_000),
    log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    llm: llmSettingsSchema.default({ timeout_ms: 60_000, max_retries: 3, retry_base_ms: 500, retry_max_ms: 20_000 }),
  });
export type Config = z.infer<typeof configSchema>;
export type LlmSettings = z.infer<typeof llmSettingsSchema>;
export type ConfigInput = z.input<typeof configSchema>;
