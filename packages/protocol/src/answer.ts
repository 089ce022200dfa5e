import type { ProcessStepEventData, StepDelta } from './events.js';
import type { AssistantContent } from './messages.js';
import type { LegacyToolCall, Step, TextStep, ThinkingStep } from './steps.js';

/**
 * How an answer is put together from its steps — one set of rules for the server, which stores it, and
 * for every client, which shows it while it streams: what is seen live is what a reload shows.
 */

/** Top-level text steps (one per round, split by tool calls) are joined with a blank line between them. */
export const ANSWER_TEXT_SEPARATOR = '\n\n';

/**
 * Applies one `process_step` event to a run's steps: a delta extends its thinking/text step (creating
 * it on its first piece), a whole step (tool steps; thinking/text snapshots of protocol v1) replaces the
 * one with its id or takes its place by `index`.
 */
export function applyProcessStep(steps: Step[], data: ProcessStepEventData): void {
  if ('delta' in data) {
    const existing = findStep(steps, data.id);
    if (existing && (existing.type === 'thinking' || existing.type === 'text')) {
      existing.content += data.delta;
      return;
    }
    placeStep(steps, stepFromDelta(data, data.delta));
    return;
  }
  placeStep(steps, { ...data });
}

/** The thinking/text step a delta belongs to, holding `content` (its first piece, or nothing yet). */
export function stepFromDelta(data: StepDelta, content: string): ThinkingStep | TextStep {
  const step: ThinkingStep | TextStep = data.type === 'thinking' ? { id: data.id, index: data.index, type: 'thinking', content } : { id: data.id, index: data.index, type: 'text', content };
  if (data.parent_id !== undefined) step.parent_id = data.parent_id;
  if (data.agent !== undefined) step.agent = data.agent;
  return step;
}

function findStep(steps: Step[], id: string): Step | undefined {
  // The step being extended is nearly always the last one.
  for (let i = steps.length - 1; i >= 0; i--) if (steps[i]!.id === id) return steps[i];
  return undefined;
}

function placeStep(steps: Step[], step: Step): void {
  const existing = findStep(steps, step.id);
  if (existing) {
    Object.assign(existing, step);
    return;
  }
  let pos = steps.length;
  while (pos > 0 && steps[pos - 1]!.index > step.index) pos--;
  steps.splice(pos, 0, step);
}

/**
 * The answer's final text and the original's flat `tool_calls` list, from its steps: top-level text
 * steps only (sub-agents' text belongs to their call), each call paired with its result.
 */
export function answerFromSteps(steps: readonly Step[]): Pick<AssistantContent, 'text' | 'tool_calls'> {
  const textParts: string[] = [];
  const calls = new Map<string, LegacyToolCall>();
  for (const step of steps) {
    if (step.parent_id) continue;
    if (step.type === 'text') textParts.push(step.content);
    else if (step.type === 'tool_call') {
      calls.set(step.id_ref, { id: step.id_ref, type: 'function', function: { name: step.name, arguments: step.arguments } });
    } else if (step.type === 'tool_result') {
      const call = calls.get(step.id_ref);
      if (call) Object.assign(call, { result: step.content, success: step.success ?? !step.skipped, skipped: step.skipped, execution_time: step.execution_time });
    }
  }
  return { text: textParts.join(ANSWER_TEXT_SEPARATOR), tool_calls: [...calls.values()] };
}
