import { answerFromSteps, type RetryEventData, type ApiMessage, type Attachment, type FileRef, type MessageStatus, type Step, type ToolCallStep, type ToolResultStep } from '@nanoclaw/protocol';

/** A retry the server announced for the answer being streamed, with when it was received (ms since the epoch). */
export type UiRetry = RetryEventData & { at: number };

/** A message as the page shows it: stored ones from the API, plus the answer being streamed. */
export interface UiMessage {
  id: string;
  role: ApiMessage['role'];
  text: string;
  attachments?: Attachment[];
  /** Uploaded files the message references. */
  files?: FileRef[];
  /** Said about the run beside the answer (an image the model cannot see…). */
  notices?: string[];
  steps: Step[];
  status: MessageStatus;
  error?: string;
  token_count: number;
  created_at: string;
  /** The message it follows (null for a first message); absent while not stored. */
  parent_id?: string | null;
  /** Its versions: the ids of it and its siblings in creation order (see lib/branches.ts); absent while not stored. */
  sibling_ids?: string[];
  /** Not stored yet (the question just sent, or the answer being streamed). */
  local?: boolean;
  /** The provider is busy and the request is being tried again (until the next step arrives). */
  retry?: UiRetry;
}

export function fromApi(message: ApiMessage): UiMessage {
  return {
    id: message.id,
    role: message.role,
    text: message.text,
    ...(message.attachments ? { attachments: message.attachments } : {}),
    ...(message.files ? { files: message.files } : {}),
    ...(message.notices ? { notices: message.notices } : {}),
    steps: message.process_steps ? message.process_steps.map((s) => ({ ...s })) : [],
    status: message.status,
    ...(message.error ? { error: message.error } : {}),
    token_count: message.token_count,
    created_at: message.created_at,
    parent_id: message.parent_id,
    sibling_ids: message.sibling_ids,
  };
}

/** The final text of an answer, as the server stores it (see answerFromSteps); a message without steps has its text. */
export function answerText(message: UiMessage): string {
  if (!message.steps.length) return message.text;
  return answerFromSteps(message.steps).text || message.text;
}

/** One sub-agent's steps under the tool call that started it, in the order they happened. */
export interface AgentGroup {
  key: string;
  /** The sub-agent's name ('' for steps that carry none). */
  agent: string;
  steps: Step[];
}

export type StepItem =
  | { kind: 'thinking' | 'text'; key: string; step: Step & { content: string } }
  | { kind: 'tool'; key: string; call: ToolCallStep | null; result: ToolResultStep | null; agents: AgentGroup[] };

/** Steps grouped for display: a tool call with its result, and the steps of its sub-agents, one group per agent. */
export function stepItems(steps: Step[], parentId?: string): StepItem[] {
  const mine = steps.filter((s) => (s.parent_id ?? undefined) === parentId);
  const results = new Map<string, ToolResultStep>();
  for (const s of mine) if (s.type === 'tool_result') results.set(s.id_ref, s);
  const calls = new Set(mine.filter((s) => s.type === 'tool_call').map((s) => (s as ToolCallStep).id_ref));
  const items: StepItem[] = [];
  for (const s of mine) {
    if (s.type === 'thinking' || s.type === 'text') items.push({ kind: s.type, key: s.id, step: s });
    else if (s.type === 'tool_call') items.push({ kind: 'tool', key: s.id, call: s, result: results.get(s.id_ref) ?? null, agents: agentGroups(steps, s.id) });
    else if (s.type === 'tool_result' && !calls.has(s.id_ref)) items.push({ kind: 'tool', key: s.id, call: null, result: s, agents: [] });
  }
  return items;
}

/**
 * The sub-agents working under the tool_call step `callStepId`: parallel agents interleave their steps
 * (one global index), so each agent's steps are gathered apart, the groups in the order the agents started.
 */
export function agentGroups(steps: Step[], callStepId: string): AgentGroup[] {
  const groups = new Map<string, AgentGroup>();
  for (const step of steps) {
    if (step.parent_id !== callStepId) continue;
    const agent = step.agent ?? '';
    let group = groups.get(agent);
    if (!group) {
      group = { key: `${callStepId}:${agent}`, agent, steps: [] };
      groups.set(agent, group);
    }
    group.steps.push(step);
  }
  return [...groups.values()];
}

export type SubAgentState = 'running' | 'complete' | 'failed' | 'timeout' | 'stopped' | 'unknown';

export interface SubAgentOutcome {
  state: SubAgentState;
  error?: string;
}

/**
 * How each sub-agent of a multi_agent call ended, read from the call's result (a JSON list of
 * `{name, status, error?}`); while the call has no result, its agents are running (or unknown once
 * the answer stopped streaming without one).
 */
export function subAgentOutcomes(result: ToolResultStep | null, streaming: boolean): (agent: string) => SubAgentOutcome {
  const fallback: SubAgentOutcome = { state: result || !streaming ? 'unknown' : 'running' };
  const byName = new Map<string, SubAgentOutcome>();
  if (result) {
    try {
      const parsed: unknown = JSON.parse(result.content);
      if (Array.isArray(parsed)) {
        for (const entry of parsed) {
          if (!entry || typeof entry !== 'object' || typeof entry.name !== 'string') continue;
          const outcome: SubAgentOutcome = { state: outcomeState(entry.status) };
          if (typeof entry.error === 'string' && entry.error) outcome.error = entry.error;
          byName.set(entry.name, outcome);
        }
      }
    } catch {
      /* an error result in plain text: nothing per agent */
    }
  }
  return (agent) => byName.get(agent) ?? fallback;
}

function outcomeState(status: unknown): SubAgentState {
  switch (status) {
    case 'complete':
      return 'complete';
    case 'timeout':
      return 'timeout';
    case 'stopped':
    case 'interrupted':
    case 'max_iterations':
      return 'stopped';
    case 'error':
      return 'failed';
    default:
      return 'unknown';
  }
}

/** At most this many characters of a message are given to its placeholder (more than fits on its one line). */
const PLACEHOLDER_CHARS = 200;

/**
 * What the placeholder of a message not rendered yet shows (during a fast scroll): the beginning of its
 * text, the Markdown's markup characters and runs of white space left out. Cheap: no parsing.
 */
export function placeholderText(message: UiMessage): string {
  const text = message.role === 'user' ? message.text : answerText(message);
  const head = text.slice(0, PLACEHOLDER_CHARS * 2);
  const plain = (message.role === 'user' ? head : head.replace(/[`*_#>|$\\~]+|^\s*[-+]\s+|\[[ xX]\]/gm, ' ')).replace(/\s+/g, ' ').trim();
  return plain.length > PLACEHOLDER_CHARS ? `${plain.slice(0, PLACEHOLDER_CHARS)}…` : plain;
}
