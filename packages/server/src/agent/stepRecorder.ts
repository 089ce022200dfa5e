import { answerFromSteps, type AssistantContent, type Step, type TextStep, type ThinkingStep, type ToolCallStep, type ToolResultStep } from '@nanoclaw/protocol';

export type StreamedStep = ThinkingStep | TextStep;

/** What happened, as it happens: a streamed piece of thinking/text, or a whole tool step. */
export type StepEvent =
  | { type: 'delta'; step: StreamedStep; delta: string }
  | { type: 'step'; step: ToolCallStep | ToolResultStep };

/** Where steps are written: the run itself, or one sub-agent's lane inside it. */
export interface StepSink {
  appendText(kind: 'thinking' | 'text', delta: string): void;
  /** Ends the open thinking/text step so the next piece starts a new one (used between rounds). */
  closeOpenStep(): void;
  addToolCall(call: { id: string; name: string; arguments: string }): ToolCallStep;
  addToolResult(result: ToolResultInput): ToolResultStep;
  /** A number unique within the run, for ids the model did not give. */
  readonly stepCount: number;
}

export interface ToolResultInput {
  id: string;
  name: string;
  content: string;
  skipped: boolean;
  success: boolean;
  executionTime: number;
}

interface Lane {
  parentId?: string;
  agent?: string;
  open: StreamedStep | null;
}

/**
 * The ordered steps of one run. Every step gets the next global index; consecutive pieces of the
 * same kind extend the open step until something else happens (another kind, a tool step, a new round).
 * Sub-agents write through lanes: their steps carry the parent call's step id and their name, and each
 * lane has its own open step, so concurrent sub-agents do not split each other's text.
 */
export class StepRecorder implements StepSink {
  readonly steps: Step[] = [];
  private readonly main: Lane = { open: null };
  private readonly listeners = new Set<(event: StepEvent) => void>();

  onEvent(listener: (event: StepEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get stepCount(): number {
    return this.steps.length;
  }

  /** A sink for one sub-agent working under the tool_call step `parentId`. */
  lane(parentId: string, agent: string): StepSink {
    const lane: Lane = { parentId, agent, open: null };
    const recorder = this;
    return {
      appendText: (kind, delta) => recorder.append(lane, kind, delta),
      closeOpenStep: () => void (lane.open = null),
      addToolCall: (call) => recorder.toolCall(lane, call),
      addToolResult: (result) => recorder.toolResult(lane, result),
      get stepCount() {
        return recorder.steps.length;
      },
    };
  }

  appendText(kind: 'thinking' | 'text', delta: string): void {
    this.append(this.main, kind, delta);
  }

  closeOpenStep(): void {
    this.main.open = null;
  }

  addToolCall(call: { id: string; name: string; arguments: string }): ToolCallStep {
    return this.toolCall(this.main, call);
  }

  addToolResult(result: ToolResultInput): ToolResultStep {
    return this.toolResult(this.main, result);
  }

  /** The top-level tool_call step of a call id (sub-agents nest under it). */
  findToolCallStep(callId: string): ToolCallStep | undefined {
    for (let i = this.steps.length - 1; i >= 0; i--) {
      const step = this.steps[i]!;
      if (step.type === 'tool_call' && step.id_ref === callId && !step.parent_id) return step;
    }
    return undefined;
  }

  /** The text a lane produced (a sub-agent's answer). */
  laneText(parentId: string, agent: string): string {
    return this.steps
      .filter((step) => step.type === 'text' && step.parent_id === parentId && step.agent === agent)
      .map((step) => (step as TextStep).content)
      .join('\n\n');
  }

  private append(lane: Lane, kind: 'thinking' | 'text', delta: string): void {
    if (!delta) return;
    let step: StreamedStep | null = lane.open;
    if (!step || step.type !== kind) {
      const created: StreamedStep = { ...this.base(lane), type: kind, content: '' };
      this.steps.push(created);
      lane.open = created;
      step = created;
    }
    step.content += delta;
    this.emit({ type: 'delta', step, delta });
  }

  private toolCall(lane: Lane, call: { id: string; name: string; arguments: string }): ToolCallStep {
    lane.open = null;
    const step: ToolCallStep = { ...this.base(lane), type: 'tool_call', id_ref: call.id, name: call.name, arguments: call.arguments };
    this.steps.push(step);
    this.emit({ type: 'step', step });
    return step;
  }

  private toolResult(lane: Lane, result: ToolResultInput): ToolResultStep {
    lane.open = null;
    const step: ToolResultStep = {
      ...this.base(lane),
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
    const content: AssistantContent = { ...answerFromSteps(this.steps), steps: this.steps };
    if (error) content.error = error;
    return content;
  }

  private base(lane: Lane): { id: string; index: number; parent_id?: string; agent?: string } {
    const index = this.steps.length;
    const head: { id: string; index: number; parent_id?: string; agent?: string } = { id: `step-${index}`, index };
    if (lane.parentId) head.parent_id = lane.parentId;
    if (lane.agent) head.agent = lane.agent;
    return head;
  }

  private emit(event: StepEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
