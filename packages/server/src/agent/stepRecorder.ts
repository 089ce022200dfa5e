import type { AssistantContent, LegacyToolCall, Step, TextStep, ThinkingStep, ToolCallStep, ToolResultStep } from '@nanoclaw/protocol';

export type StreamedStep = ThinkingStep | TextStep;

/** What happened, as it happens: a streamed piece of thinking/text, or a whole tool step. */
export type StepEvent =
  | { type: 'delta'; step: StreamedStep; delta: string }
  | { type: 'step'; step: ToolCallStep | ToolResultStep };

/**
 * The ordered steps of one run. Every step gets the next global index; consecutive pieces of the
 * same kind extend the open step until something else happens (another kind, a tool step, a new round).
 */
export class StepRecorder {
  readonly steps: Step[] = [];
  private open: StreamedStep | null = null;
  private readonly listeners = new Set<(event: StepEvent) => void>();

  onEvent(listener: (event: StepEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  appendText(kind: 'thinking' | 'text', delta: string, parentId?: string): void {
    if (!delta) return;
    let step: StreamedStep | null = this.open;
    if (!step || step.type !== kind) {
      const created: StreamedStep = { ...this.base(parentId), type: kind, content: '' };
      this.steps.push(created);
      this.open = created;
      step = created;
    }
    step.content += delta;
    this.emit({ type: 'delta', step, delta });
  }

  /** Ends the open thinking/text step so the next piece starts a new one (used between rounds). */
  closeOpenStep(): void {
    this.open = null;
  }

  addToolCall(call: { id: string; name: string; arguments: string }, parentId?: string): ToolCallStep {
    this.open = null;
    const step: ToolCallStep = { ...this.base(parentId), type: 'tool_call', id_ref: call.id, name: call.name, arguments: call.arguments };
    this.steps.push(step);
    this.emit({ type: 'step', step });
    return step;
  }

  addToolResult(
    result: { id: string; name: string; content: string; skipped: boolean; success: boolean; executionTime: number },
    parentId?: string,
  ): ToolResultStep {
    this.open = null;
    const step: ToolResultStep = {
      ...this.base(parentId),
      type: 'tool_result',
      id_ref: result.id,
      name: result.name,
      content: result.content,
      skipped: result.skipped,
      success: result.success,
      execution_time: result.executionTime,
    };
    this.steps.push(step);
    this.emit({ type: 'step', step });
    return step;
  }

  /** The stored message content: final text, legacy tool_calls and the steps (top level and nested). */
  toContent(error?: string): AssistantContent {
    const textParts: string[] = [];
    const calls = new Map<string, LegacyToolCall>();
    for (const step of this.steps) {
      if (step.parent_id) continue;
      if (step.type === 'text') textParts.push(step.content);
      else if (step.type === 'tool_call') {
        calls.set(step.id_ref, { id: step.id_ref, type: 'function', function: { name: step.name, arguments: step.arguments } });
      } else if (step.type === 'tool_result') {
        const call = calls.get(step.id_ref);
        if (call) Object.assign(call, { result: step.content, success: step.success ?? !step.skipped, skipped: step.skipped, execution_time: step.execution_time });
      }
    }
    const content: AssistantContent = { text: textParts.join('\n\n'), tool_calls: [...calls.values()], steps: this.steps };
    if (error) content.error = error;
    return content;
  }

  private base(parentId?: string): { id: string; index: number; parent_id?: string } {
    const index = this.steps.length;
    return parentId ? { id: `step-${index}`, index, parent_id: parentId } : { id: `step-${index}`, index };
  }

  private emit(event: StepEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
