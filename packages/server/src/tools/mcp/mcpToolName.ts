import { createHash } from 'node:crypto';

/** Longest function name OpenAI-compatible APIs accept. */
export const MAX_TOOL_NAME_LENGTH = 64;

/**
 * `mcp__<server>__<tool>`, with characters model APIs refuse replaced by `_`, and a short hash of the
 * original name in place of the end when it is too long (so two long names stay distinct).
 */
export function mcpToolName(server: string, tool: string): string {
  const name = `mcp__${server}__${tool.replace(/[^a-zA-Z0-9_-]/g, '_')}`;
  if (name.length <= MAX_TOOL_NAME_LENGTH) return name;
  const hash = createHash('sha256').update(tool).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_TOOL_NAME_LENGTH - 9)}_${hash}`;
}
