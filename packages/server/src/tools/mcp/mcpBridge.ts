import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, McpError, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { McpServerConfig } from '@nanoclaw/protocol';
import type { ToolRegistry } from '../toolRegistry.js';
import type { ToolContext } from '../types.js';
import { errorMessage } from '../toolOutput.js';
import { convertMcpResult, McpToolError } from './mcpResult.js';
import { mcpToolName } from './mcpToolName.js';

export const MCP_TOOL_CATEGORY = 'mcp';

export type McpServerState = 'disabled' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

/** One configured server as GET /api/tools/status reports it. */
export interface McpServerStatus {
  name: string;
  transport: 'stdio' | 'http';
  status: McpServerState;
  /** Why the last attempt failed or the connection was lost; null while all is well. */
  error: string | null;
  /** Names of its tools in the registry (`mcp__<server>__<tool>`). */
  tools: string[];
  /** When the current (or last) connection was made, ISO 8601. */
  connected_at: string | null;
}

export interface McpToolInfo {
  server: string;
  /** The tool's name on its server. */
  tool: string;
  status: McpServerState;
}

export interface McpBridgeOptions {
  servers: McpServerConfig[];
  registry: ToolRegistry;
  logger: Logger;
  /** Relative `cwd` of stdio servers resolves against this. */
  cwd: string;
  /** Per-call limit of tools whose server sets no `timeout_ms` (the executor's default), ms. */
  defaultTimeoutMs: number;
  now?: () => Date;
  /** A server that has never connected is retried in the background: first delay, doubled up to `retryMaxMs`. */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export interface McpBridge {
  /** Starts connecting every enabled server in the background; never throws, never waits. */
  start(): void;
  /** Resolves once the connection attempts in flight have settled (either way). */
  settled(): Promise<void>;
  status(): McpServerStatus[];
  /** The server behind a registered MCP tool, or undefined for other tools. */
  toolInfo(registryName: string): McpToolInfo | undefined;
  /** Stops retries and closes every client (stdio children are ended). */
  close(): Promise<void>;
}

export function createMcpBridge(options: McpBridgeOptions): McpBridge {
  const connections = options.servers.map((server) => new McpServerConnection(server, options));
  const byTool = (registryName: string): McpServerConnection | undefined => connections.find((connection) => connection.owns(registryName));
  return {
    start: () => connections.forEach((connection) => connection.start()),
    settled: async () => {
      await Promise.all(connections.map((connection) => connection.settled()));
    },
    status: () => connections.map((connection) => connection.status()),
    toolInfo: (registryName) => {
      const connection = byTool(registryName);
      const tool = connection?.originalName(registryName);
      return connection && tool !== undefined ? { server: connection.name, tool, status: connection.state } : undefined;
    },
    close: async () => {
      await Promise.all(connections.map((connection) => connection.close()));
    },
  };
}

const STDERR_LINES_KEPT = 20;
/** How long close() lets a stdio server end after SIGTERM before SIGKILL, ms. */
const KILL_GRACE_MS = 2_000;

/**
 * The SDK's stdio transport, remembering its child's pid and when the child is gone (its stderr ended),
 * so shutdown can make sure no child outlives the app (the SDK closes a failed attempt in the background).
 */
class TrackedStdioTransport extends StdioClientTransport {
  childPid: number | null = null;
  exited = false;
  private readonly exitWaiters: Array<() => void> = [];

  constructor(params: ConstructorParameters<typeof StdioClientTransport>[0], onExit: (transport: TrackedStdioTransport) => void) {
    super({ ...params, stderr: 'pipe' });
    const done = (): void => {
      if (this.exited) return;
      this.exited = true;
      this.exitWaiters.splice(0).forEach((resolve) => resolve());
      onExit(this);
    };
    this.stderr?.once('end', done);
    this.stderr?.once('close', done);
  }

  override async start(): Promise<void> {
    try {
      await super.start();
      this.childPid = this.pid;
    } catch (error) {
      this.exited = true; // never spawned
      this.exitWaiters.splice(0).forEach((resolve) => resolve());
      throw error;
    }
  }

  /** Ends the child if it is still running: SIGTERM, then SIGKILL after a grace period. */
  async kill(): Promise<void> {
    if (this.exited || this.childPid === null) return;
    const gone = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
    const signal = (name: NodeJS.Signals): void => {
      try {
        if (!this.exited && this.childPid !== null) process.kill(this.childPid, name);
      } catch {
        // Already gone.
      }
    };
    signal('SIGTERM');
    const timer = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), KILL_GRACE_MS).unref());
    if (!(await Promise.race([gone.then(() => true), timer]))) signal('SIGKILL');
  }
}

class McpServerConnection {
  readonly name: string;
  state: McpServerState;
  private error: string | null = null;
  private connectedAt: Date | null = null;
  private client: Client | null = null;
  /** The client of the attempt in flight, so close() can stop it. */
  private pendingClient: Client | null = null;
  private connecting: Promise<Client> | null = null;
  /** Registry name → the tool's name on the server. */
  private registered = new Map<string, string>();
  private everConnected = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs: number;
  private stderrTail: string[] = [];
  /** stdio transports whose child may still be running. */
  private readonly children = new Set<TrackedStdioTransport>();
  private readonly log: Logger;
  private readonly now: () => Date;

  constructor(
    private readonly config: McpServerConfig,
    private readonly options: McpBridgeOptions,
  ) {
    this.name = config.name;
    this.state = config.enabled ? 'disconnected' : 'disabled';
    this.log = options.logger.child({ mcp_server: config.name });
    this.now = options.now ?? (() => new Date());
    this.retryDelayMs = options.retryBaseMs ?? 5_000;
  }

  get transportKind(): 'stdio' | 'http' {
    return 'command' in this.config ? 'stdio' : 'http';
  }

  start(): void {
    if (this.state === 'disabled' || this.closed) return;
    this.connect().catch(() => {
      // Logged and recorded in connect(); start-up never waits for or fails because of a server.
    });
  }

  async settled(): Promise<void> {
    await this.connecting?.catch(() => undefined);
  }

  owns(registryName: string): boolean {
    return this.registered.has(registryName);
  }

  originalName(registryName: string): string | undefined {
    return this.registered.get(registryName);
  }

  status(): McpServerStatus {
    return {
      name: this.name,
      transport: this.transportKind,
      status: this.state,
      error: this.error,
      tools: [...this.registered.keys()],
      connected_at: this.connectedAt?.toISOString() ?? null,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const clients = [this.client, this.pendingClient].filter((client): client is Client => client !== null);
    this.client = null;
    this.pendingClient = null;
    if (this.state !== 'disabled') this.state = 'closed';
    await Promise.all(clients.map((client) => closeQuietly(client)));
    await Promise.all([...this.children].map((transport) => transport.kill()));
  }

  /** One connection attempt at a time; callers arriving meanwhile share it. */
  private connect(): Promise<Client> {
    if (this.connecting) return this.connecting;
    const attempt = this.open().finally(() => {
      if (this.connecting === attempt) this.connecting = null;
    });
    this.connecting = attempt;
    return attempt;
  }

  private async open(): Promise<Client> {
    if (this.closed) throw new Error(`MCP server "${this.name}" is shut down`);
    clearTimeout(this.retryTimer);
    for (const transport of this.children) if (transport.exited) this.children.delete(transport);
    this.state = 'connecting';
    this.stderrTail = [];
    const client = new Client({ name: 'nanoclaw', version: '0.1.0' });
    this.pendingClient = client;
    client.onclose = () => this.lost(client, 'the connection closed');
    client.onerror = (error) => this.log.debug({ err: error }, 'MCP transport error');
    try {
      await client.connect(this.createTransport(), { timeout: this.config.connect_timeout_ms });
      const tools = await listAllTools(client, this.config.connect_timeout_ms);
      if (this.closed) throw new Error(`MCP server "${this.name}" is shut down`);
      this.pendingClient = null;
      this.client = client;
      this.state = 'connected';
      this.error = null;
      this.connectedAt = this.now();
      this.everConnected = true;
      this.retryDelayMs = this.options.retryBaseMs ?? 5_000;
      this.registerTools(tools);
      this.log.info({ tools: this.registered.size }, 'MCP server connected');
      return client;
    } catch (error) {
      if (this.pendingClient === client) this.pendingClient = null;
      client.onclose = undefined;
      await closeQuietly(client);
      if (this.closed) throw error;
      this.state = 'failed';
      this.error = this.describeFailure(error);
      this.log.warn({ error: this.error }, 'MCP server could not be started or reached');
      this.scheduleRetry();
      throw new Error(this.error);
    }
  }

  /** The connection dropped (stdio child exited, transport closed): the next call reconnects. */
  private lost(client: Client, why: string): void {
    if (this.client !== client) return;
    this.client = null;
    if (this.closed) return;
    this.state = 'disconnected';
    const stderr = this.stderrTail.length > 0 ? ` (stderr: ${this.stderrTail.join(' | ')})` : '';
    this.error = `${why}${stderr}`;
    this.log.warn({ error: this.error }, 'MCP server connection lost; it will be reconnected on next use');
  }

  /** Only a server whose tools were never offered is retried in the background; a lost one reconnects on use. */
  private scheduleRetry(): void {
    if (this.everConnected || this.closed) return;
    const delay = this.retryDelayMs;
    this.retryDelayMs = Math.min(delay * 2, this.options.retryMaxMs ?? 300_000);
    this.retryTimer = setTimeout(() => this.start(), delay);
    this.retryTimer.unref();
  }

  private createTransport(): Transport {
    const config = this.config;
    if ('command' in config) {
      const transport = new TrackedStdioTransport(
        {
          command: config.command,
          args: config.args,
          ...(config.env && { env: config.env }),
          ...(config.cwd !== undefined && { cwd: resolve(this.options.cwd, config.cwd) }),
        },
        (gone) => this.children.delete(gone),
      );
      this.children.add(transport);
      let partial = '';
      transport.stderr?.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines.map((l) => l.trim()).filter((l) => l !== '')) {
          this.log.debug({ stderr: line }, 'MCP server stderr');
          this.stderrTail.push(line.slice(0, 500));
          if (this.stderrTail.length > STDERR_LINES_KEPT) this.stderrTail.shift();
        }
      });
      return transport;
    }
    return new StreamableHTTPClientTransport(new URL(config.url), { requestInit: { headers: config.headers ?? {} } });
  }

  private describeFailure(error: unknown): string {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    let message = errorMessage(error);
    if ('command' in this.config && code === 'ENOENT') message = `command not found: ${this.config.command}`;
    const stderr = this.stderrTail.slice(-5);
    return stderr.length > 0 ? `${message} (stderr: ${stderr.join(' | ')})` : message;
  }

  /** Replaces this server's tools in the registry with the ones it lists now. */
  private registerTools(tools: Tool[]): void {
    const { registry } = this.options;
    for (const name of this.registered.keys()) registry.unregister(name);
    this.registered.clear();
    for (const tool of tools) {
      const name = mcpToolName(this.name, tool.name);
      if (registry.get(name)) {
        this.log.warn({ tool: tool.name, name }, 'MCP tool skipped: its name is already taken');
        continue;
      }
      try {
        registry.register({
          name,
          description: tool.description?.trim() || tool.title || tool.annotations?.title || `Tool "${tool.name}" of MCP server ${this.name}`,
          category: MCP_TOOL_CATEGORY,
          parameters: modelSchema(tool.inputSchema),
          ...(this.config.timeout_ms !== undefined && { timeoutMs: this.config.timeout_ms }),
          handler: (args: Record<string, unknown>, ctx: ToolContext) => this.call(tool.name, args, ctx),
        }, { compileNow: true });
        this.registered.set(name, tool.name);
      } catch (error) {
        this.log.warn({ tool: tool.name, err: error }, 'MCP tool skipped: its input schema cannot be compiled');
      }
    }
  }

  private async call(tool: string, args: Record<string, unknown>, ctx: ToolContext): Promise<string> {
    const client = await this.clientForCall();
    const timeoutMs = this.config.timeout_ms ?? this.options.defaultTimeoutMs;
    try {
      // The executor enforces the limit; the SDK's own timer is only a backstop just behind it.
      const result = await client.callTool({ name: tool, arguments: args }, undefined, { signal: ctx.signal, timeout: timeoutMs + 1_000 });
      return convertMcpResult(result);
    } catch (error) {
      if (error instanceof McpToolError || ctx.signal.aborted) throw error;
      if (isConnectionFailure(error)) {
        this.broken(client, errorMessage(error));
        throw new Error(`MCP server "${this.name}" lost the connection during the call (${errorMessage(error)}); it will be reconnected on the next call`);
      }
      throw new Error(`MCP server "${this.name}": ${errorMessage(error)}`);
    }
  }

  /** The live client; a lost or failed server gets one reconnection attempt, then a clear error. */
  private async clientForCall(): Promise<Client> {
    if (this.client && this.state === 'connected') return this.client;
    if (this.closed) throw new Error(`MCP server "${this.name}" is shut down`);
    this.log.info('reconnecting MCP server for a tool call');
    try {
      return await this.connect();
    } catch (error) {
      throw new Error(`MCP server "${this.name}" is unavailable: reconnecting failed: ${errorMessage(error)}`);
    }
  }

  private broken(client: Client, why: string): void {
    if (this.client !== client) return;
    client.onclose = undefined;
    this.lost(client, why);
    this.client = null;
    void closeQuietly(client);
  }
}

async function listAllTools(client: Client, timeoutMs: number): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor }, { timeout: timeoutMs });
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor !== undefined && tools.length < 10_000);
  return tools;
}

/** The server's input schema as the model and the validator see it; `$schema` is dropped (Ajv knows draft-07 only). */
function modelSchema(inputSchema: Tool['inputSchema']): Record<string, unknown> {
  const { $schema: _ignored, ...schema } = inputSchema as Record<string, unknown>;
  return { ...schema, type: 'object' };
}

/** Failures of the link rather than of the tool: the request never got a proper answer. */
function isConnectionFailure(error: unknown): boolean {
  if (error instanceof McpError) return error.code === ErrorCode.ConnectionClosed;
  return true;
}

async function closeQuietly(client: Client): Promise<void> {
  try {
    await client.close();
  } catch {
    // Already gone.
  }
}
