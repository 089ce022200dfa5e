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
    /** Takes images (shown as a badge in the model picker). Default false. */
    vision: z.boolean().optional(),
    /** Can call tools. Default true. */
    tools: z.boolean().optional(),
    /** Thinks before answering, with a switch per conversation. Default: the provider profile's thinking switch (DeepSeek, GLM) or a reasoning_effort. */
    thinking: z.boolean().optional(),
  })
  .strict();
export type ModelConfig = z.infer<typeof modelConfigSchema>;

/** An OpenAI-compatible server whose models are listed from its `/models` endpoint at start-up. */
export const modelSourceSchema = z
  .object({
    /** Base URL, e.g. http://127.0.0.1:11434/v1 (models come from `<base_url>/models`). */
    base_url: z.string().url(),
    api_key: z.string().optional(),
    provider: providerProfileNameSchema.optional(),
    context_window: z.number().int().positive().optional(),
  })
  .strict();
export type ModelSource = z.infer<typeof modelSourceSchema>;

/** Several instances sharing runs through Redis (set `redis_url` / REDIS_URL to turn it on). */
export const redisSettingsSchema = z
  .object({
    key_prefix: z.string().min(1).default('nanoclaw'),
    /** A run's claim expires this long after its instance's last heartbeat (the instance died), ms. */
    run_ttl_ms: z.number().int().min(100).default(15_000),
    /** How often each instance looks for answers left streaming by a dead instance, ms. */
    sweep_interval_ms: z.number().int().min(50).default(10_000),
  })
  .strict();

/**
 * GET /metrics in Prometheus format. Off by default: a fresh install exposes nothing it does not need, and
 * pays nothing for it. With a `token`, scrapers must send `Authorization: Bearer <token>`.
 */
export const metricsSettingsSchema = z
  .object({
    enabled: z.boolean().default(false),
    token: z.string().min(16, 'metrics.token must be at least 16 characters').nullable().default(null),
  })
  .strict();

/** OpenTelemetry traces sent over OTLP/HTTP; off unless an endpoint is set (or OTEL_EXPORTER_OTLP_ENDPOINT). */
export const tracingSettingsSchema = z
  .object({
    /** The collector's base URL (e.g. `http://127.0.0.1:4318`); spans go to `<endpoint>/v1/traces`. */
    otlp_endpoint: z.url({ protocol: /^https?$/ }).nullable().default(null),
    service_name: z.string().min(1).default('nanoclaw'),
    /** Share of traces kept (a request's children follow its decision). */
    sample_ratio: z.number().min(0).max(1).default(1),
  })
  .strict();

/** How an untitled conversation gets its title once its first answer is done. */
export const titleSettingsSchema = z
  .object({
    /** `model`: a short request to a model, with the first words as the fallback; `first_words`: the question's first words only. */
    mode: z.enum(['model', 'first_words']).default('model'),
    /** The model asked (a model id of `models`); default the conversation's own model. */
    model: z.string().min(1).optional(),
    /** Longest title kept, characters. */
    max_chars: z.number().int().min(10).max(200).default(60),
    /** How long the end of the answer waits for the title, ms; a later title is still stored. */
    timeout_ms: z.number().int().min(100).max(60_000).default(4000),
  })
  .strict();
export type TitleSettings = z.infer<typeof titleSettingsSchema>;

/** Sub-agents started by the multi_agent tool. */
export const multiAgentSettingsSchema = z
  .object({
    /** Sub-agents one call may start. */
    max_agents: z.number().int().min(1).max(20).default(5),
    /** How many run at once. */
    concurrency: z.number().int().min(1).max(10).default(3),
    /** Model rounds each sub-agent may take. */
    max_iterations: z.number().int().min(1).max(50).default(5),
    /** Wall-clock limit for each sub-agent, ms. */
    timeout_ms: z.number().int().min(1000).default(120_000),
  })
  .strict();

export const llmSettingsSchema = z
  .object({
    /** Time allowed to receive response headers and between two chunks. */
    timeout_ms: z.number().int().positive().default(60_000),
    max_retries: z.number().int().min(0).max(10).default(3),
    retry_base_ms: z.number().int().min(0).default(500),
    retry_max_ms: z.number().int().min(0).default(20_000),
  })
  .strict();

/** Outbound web access of fetch_page / crawl_batch (SSRF-guarded). */
export const webSettingsSchema = z
  .object({
    /** Whole-request time limit per URL (connect, headers, body), ms. */
    timeout_ms: z.number().int().positive().default(15_000),
    /** Largest body read per URL (after decompression), bytes. */
    max_bytes: z.number().int().positive().default(2_000_000),
    max_redirects: z.number().int().min(0).max(20).default(5),
    user_agent: z.string().min(1).default('Mozilla/5.0 (compatible; NanoClaw/0.1; +self-hosted)'),
    /**
     * Private/loopback/link-local destinations that may be fetched anyway: host names ("localhost"),
     * host:port ("localhost:8080", "[::1]:8080"), addresses ("127.0.0.1") or CIDR ranges ("10.0.0.0/8").
     */
    allow_private_hosts: z.array(z.string().min(1)).default([]),
    /** URLs one crawl_batch call may fetch, and how many at once. */
    crawl_max_urls: z.number().int().min(1).max(100).default(10),
    crawl_concurrency: z.number().int().min(1).max(16).default(4),
  })
  .strict();
export type WebSettings = z.infer<typeof webSettingsSchema>;

/** web_search backend; without a backend the tool answers that search is not configured. */
export const searchSettingsSchema = z
  .object({
    backend: z.enum(['searxng', 'brave', 'duckduckgo']).optional(),
    /** SearXNG instance URL (required for searxng); Brave and DuckDuckGo default to their public endpoints. */
    base_url: z.string().url().optional(),
    /** Brave Search API subscription token (`${ENV_VAR}` expansion applies). */
    api_key: z.string().optional(),
    timeout_ms: z.number().int().positive().default(10_000),
    max_results: z.number().int().min(1).max(50).default(8),
  })
  .strict();
export type SearchSettings = z.infer<typeof searchSettingsSchema>;

/** get_weather: Open-Meteo (no key). Base URLs; the tool appends /v1/search and /v1/forecast. */
export const weatherSettingsSchema = z
  .object({
    geocoding_url: z.string().url().default('https://geocoding-api.open-meteo.com'),
    forecast_url: z.string().url().default('https://api.open-meteo.com'),
    timeout_ms: z.number().int().positive().default(10_000),
  })
  .strict();
export type WeatherSettings = z.infer<typeof weatherSettingsSchema>;

/** execute_python: Pyodide workers (see packages/server/src/sandbox). */
export const sandboxLevelSchema = z.enum(['strict', 'standard', 'lenient']);
export const sandboxSettingsSchema = z
  .object({
    /** Workers kept loaded once the sandbox is in use (each ~100 MB). */
    pool_size: z.number().int().min(0).max(16).default(1),
    /** Workers at most while runs overlap; more runs wait their turn. */
    max_workers: z.number().int().min(1).max(32).default(4),
    /** Load the pool at start-up (in the background) instead of on the first run. */
    prewarm: z.boolean().default(false),
    /** Level used when the model names none. */
    default_level: sandboxLevelSchema.default('standard'),
    /** Highest level the model may ask for. */
    max_level: sandboxLevelSchema.default('lenient'),
    /** Python (WASM) heap limit per worker, MB. */
    memory_mb: z.number().int().min(64).max(4096).default(256),
    /** stdout + stderr kept per run, characters. */
    output_max_chars: z.number().int().positive().default(20_000),
  })
  .strict();
export type SandboxSettings = z.infer<typeof sandboxSettingsSchema>;

/** Fixed-window limit on login and register attempts, per client address (shared through Redis or the database). */
export const authRateLimitSchema = z
  .object({
    max: z.number().int().min(1).default(10),
    window_ms: z.number().int().positive().default(60_000),
  })
  .strict();

/** Single sign-on with an OpenID Connect provider (authorization code flow with PKCE); multi-user mode only. */
export const oidcSettingsSchema = z
  .object({
    /** The provider's issuer URL; its `/.well-known/openid-configuration` is read on first use. */
    issuer: z.string().url(),
    client_id: z.string().min(1),
    /** Confidential clients only (`${ENV_VAR}` expansion applies, or OIDC_CLIENT_SECRET); a public client omits it. */
    client_secret: z.string().min(1).optional(),
    /** Shown on the sign-in button: "Sign in with <name>". */
    name: z.string().min(1).max(60).default('single sign-on'),
    scopes: z.array(z.string().min(1)).default(['openid', 'email', 'profile']),
    /**
     * The callback URL registered at the provider, e.g. https://chat.example.com/api/auth/oidc/callback.
     * Default: this server's own address as the request reached it (set it behind a reverse proxy).
     */
    redirect_url: z.string().url().optional(),
    /**
     * When set, the role follows this claim at every SSO sign-in: admin when the claim equals `value`
     * (or is a list containing it), user otherwise.
     */
    admin_claim: z.object({ name: z.string().min(1), value: z.string().min(1) }).strict().optional(),
    /** Allow an http:// issuer (a provider on this machine for tests); never for a real provider. */
    allow_insecure_issuer: z.boolean().default(false),
  })
  .strict();
export type OidcSettings = z.infer<typeof oidcSettingsSchema>;

/** Fields every MCP server entry shares. */
const mcpServerCommon = {
  /** Tools appear as `mcp__<name>__<tool>`. */
  name: z.string().regex(/^[a-zA-Z0-9_-]+$/, 'letters, digits, "_" and "-" only').max(32),
  /** Per-call time limit for this server's tools, ms (default: `tool_timeout_ms`). */
  timeout_ms: z.number().int().positive().optional(),
  /** Time allowed to start (or reach) the server and list its tools, ms. */
  connect_timeout_ms: z.number().int().positive().default(30_000),
  /** Set false to keep the entry but not connect. */
  enabled: z.boolean().default(true),
};

/** A Model Context Protocol server started as a child process (stdio transport). */
export const mcpStdioServerSchema = z
  .object({
    ...mcpServerCommon,
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    /** Added to a minimal inherited environment (HOME, PATH, …). */
    env: z.record(z.string(), z.string()).optional(),
    /** Working directory of the process (relative paths resolve against the server's). */
    cwd: z.string().optional(),
  })
  .strict();

/** One set of per-user limits: 0 or absent = unlimited. */
export const quotaLimitsSchema = z
  .object({
    /** Prompt + completion tokens per UTC day. */
    tokens_per_day: z.number().int().min(0).default(0),
    /** Prompt + completion tokens per UTC calendar month. */
    tokens_per_month: z.number().int().min(0).default(0),
    /** Model requests per minute (every round of a run and every sub-agent call is one). */
    requests_per_minute: z.number().int().min(0).default(0),
  })
  .strict();
export type QuotaLimits = z.infer<typeof quotaLimitsSchema>;

/** Per-user quotas: `default` applies to everyone an administrator has not given other limits. */
export const quotaSettingsSchema = z
  .object({
    default: quotaLimitsSchema.prefault({}),
  })
  .strict();

/** A Model Context Protocol server reached over streamable HTTP. */
export const mcpHttpServerSchema = z
  .object({
    ...mcpServerCommon,
    url: z.string().url(),
    headers: z.record(z.string(), z.string()).optional(),
  })
  .strict();

export const mcpServerSchema = z.union([mcpStdioServerSchema, mcpHttpServerSchema]);
export type McpServerConfig = z.infer<typeof mcpServerSchema>;
export type McpStdioServerConfig = z.infer<typeof mcpStdioServerSchema>;
export type McpHttpServerConfig = z.infer<typeof mcpHttpServerSchema>;

/** Imports (POST /api/import). */
export const importSettingsSchema = z
  .object({
    /** Largest file (or JSON body) an import accepts, bytes; a larger one is refused with 413 before it is read. */
    max_bytes: z.number().int().positive().default(50 * 1024 * 1024),
  })
  .strict();
/** Files attached to messages (images for vision models, documents turned into text). */
export const attachmentSettingsSchema = z
  .object({
    /** Largest single attached file, bytes; refused while the upload is still streaming in. */
    max_file_bytes: z.number().int().positive().default(25 * 1024 * 1024),
    /** Largest total of the files attached to one message, bytes. */
    max_message_bytes: z.number().int().positive().default(50 * 1024 * 1024),
    /** Most files one message may reference. */
    max_files_per_message: z.number().int().min(1).max(100).default(10),
    /** Images are downscaled so that their longest side is at most this many pixels before a model sees them. */
    image_max_side: z.number().int().min(64).max(8192).default(2048),
    /** Images larger than this many pixels (width × height) are refused (decompression bombs). */
    image_max_pixels: z.number().int().positive().default(100_000_000),
    /** Time one document may take to be turned into text, ms; past it the upload is refused. */
    extract_timeout_ms: z.number().int().positive().default(60_000),
    /** Heap limit of the text-extraction worker, MB. */
    extract_memory_mb: z.number().int().min(32).default(512),
    /** Most pages of a PDF read for text. */
    max_pdf_pages: z.number().int().positive().default(2000),
    /** Most characters of text kept from one document. */
    max_text_chars: z.number().int().positive().default(2_000_000),
    /**
     * Where the bytes are kept, once per content (sha256): `database` (every instance sees them) or `directory`
     * (`dir`, default `<data_dir>/attachments`; with several instances it must be a directory they all share).
     */
    storage: z.enum(['database', 'directory']).default('database'),
    dir: z.string().optional(),
  })
  .strict();
export type AttachmentSettings = z.infer<typeof attachmentSettingsSchema>;

/** `workers`: how many server processes; `auto` is one per core. */
export const workersSettingSchema = z.union([z.literal('auto'), z.number().int().min(1).max(256)]);
export type WorkersSetting = z.infer<typeof workersSettingSchema>;

export const configSchema = z
  .object({
    /**
     * Address to listen on. Loopback by default: in single-user mode there is no login, so listening on
     * other interfaces (e.g. `0.0.0.0`) is a choice to make explicitly, and start-up warns about it.
     */
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(3000),
    /**
     * Server processes sharing the port (`node:cluster`): a number, or `auto` for one per core
     * (os.availableParallelism()). More than one needs `redis_url`, so that every process sees every run.
     */
    workers: workersSettingSchema.default(1),
    /**
     * Load the calculator's worker and the Python sandbox pool in the background right after listening and keep
     * them loaded, so the first tool call is as fast as later ones (≈80 MB + ≈100 MB per sandbox worker, per process).
     * false: each loads on its first call (and the calculator unloads after two idle minutes).
     */
    warm_up: z.boolean().default(true),
    data_dir: z.string().default('./data'),
    database_url: z.string().optional(),
    redis_url: z.string().optional(),
    redis: redisSettingsSchema.default({ key_prefix: 'nanoclaw', run_ttl_ms: 15_000, sweep_interval_ms: 10_000 }),
    workspace_root: z.string().optional(),
    auth_mode: z.enum(['single', 'multi']).default('single'),
    jwt_secret: z.string().optional(),
    /** Multi-user mode: whether anyone may create an account with POST /api/auth/register. */
    allow_registration: z.boolean().default(true),
    /** Login and register attempts allowed per client address within the window. */
    auth_rate_limit: authRateLimitSchema.prefault({}),
    /** Per-user token and request limits checked before every model request. */
    quotas: quotaSettingsSchema.prefault({}),
    /** Single sign-on (multi-user mode). */
    oidc: oidcSettingsSchema.optional(),
    /** Multi-user mode: whether username + password sign-in (and registration) is offered; false needs `oidc`. */
    local_login: z.boolean().default(true),
    /** Largest folder upload (all files together), bytes. */
    max_upload_bytes: z.number().int().positive().default(100 * 1024 * 1024),
    /** Most files one folder upload may hold. */
    max_upload_files: z.number().int().positive().default(5_000),
    /** Largest file the files API or file_write may write, bytes. */
    max_file_write_bytes: z.number().int().positive().default(10 * 1024 * 1024),
    /** Largest file the files API or file_read may read as text, bytes. */
    max_file_read_bytes: z.number().int().positive().default(5 * 1024 * 1024),
    /** Longest path inside a project the files API, uploads and the file tools accept, in characters. */
    max_path_chars: z.number().int().positive().default(1024),
    /** Deepest path inside a project they accept, in names ("a/b/c.txt" is 3). */
    max_path_depth: z.number().int().positive().default(64),
    import: importSettingsSchema.prefault({}),
    models: z.array(modelConfigSchema).default([]),
    /** Servers whose models are discovered at start-up and added to `models`. */
    discover_models: z.array(modelSourceSchema).default([]),
    default_model: z.string().optional(),
    max_iterations: z.number().int().min(1).max(100).default(10),
    tool_max_workers: z.number().int().min(1).max(64).default(4),
    tool_timeout_ms: z.number().int().positive().default(30_000),
    tool_output_max_chars: z.number().int().positive().default(50_000),
    multi_agent: multiAgentSettingsSchema.default({ max_agents: 5, concurrency: 3, max_iterations: 5, timeout_ms: 120_000 }),
    titles: titleSettingsSchema.default({ mode: 'model', max_chars: 60, timeout_ms: 4000 }),
    /** How often (ms) a streaming answer is checkpointed to the database. */
    checkpoint_interval_ms: z.number().int().min(10).default(500),
    /** How long a finished run stays re-attachable, ms. */
    run_retention_ms: z.number().int().min(0).default(60_000),
    /** Most finished runs kept re-attachable in memory per process; the oldest are let go first. */
    run_retention_max_runs: z.number().int().min(0).default(200),
    /** Most bytes of finished runs' event logs kept in memory per process (approximate); the oldest are let go first. */
    run_retention_max_bytes: z.number().int().min(0).default(32 * 1024 * 1024),
    log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    metrics: metricsSettingsSchema.prefault({}),
    tracing: tracingSettingsSchema.prefault({}),
    llm: llmSettingsSchema.default({ timeout_ms: 60_000, max_retries: 3, retry_base_ms: 500, retry_max_ms: 20_000 }),
    web: webSettingsSchema.prefault({}),
    search: searchSettingsSchema.prefault({}),
    weather: weatherSettingsSchema.prefault({}),
    sandbox: sandboxSettingsSchema.prefault({}),
    attachments: attachmentSettingsSchema.prefault({}),
    /** Model Context Protocol servers whose tools are offered beside the builtin ones. */
    mcp_servers: z
      .array(mcpServerSchema)
      .default([])
      .refine((servers) => new Set(servers.map((server) => server.name)).size === servers.length, 'MCP server names must be unique'),
  })
  .strict();
export type Config = z.infer<typeof configSchema>;
export type LlmSettings = z.infer<typeof llmSettingsSchema>;
export type ConfigInput = z.input<typeof configSchema>;
