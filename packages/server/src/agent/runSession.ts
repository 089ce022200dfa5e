import type { DoneEventData, ErrorEventData, RetryEventData, StreamEventName, ToolCallStep, ToolResultStep } from '@nanoclaw/protocol';
import type { StepEvent, StreamedStep } from './stepRecorder.js';

/** One event of a run, kept for replay. Streamed pieces keep a reference to their step and where they ended. */
export type LoggedEvent =
  | { seq: number; name: 'process_step'; kind: 'delta'; step: StreamedStep; delta: string; end: number; wire?: string }
  | { seq: number; name: 'process_step'; kind: 'step'; step: ToolCallStep | ToolResultStep; wire?: string }
  | { seq: number; name: 'retry'; data: RetryEventData; wire?: string }
  | { seq: number; name: 'done'; data: DoneEventData; wire?: string }
  | { seq: number; name: 'error'; data: ErrorEventData; wire?: string };

export type RunListener = (event: LoggedEvent) => void;

/**
 * The live side of one run: an ordered, replayable event log and the clients watching it.
 * Any number of clients can subscribe at any time, from any position; the run does not depend on them.
 */
export class RunSession {
  readonly events: LoggedEvent[] = [];
  private readonly listeners = new Set<RunListener>();
  private readonly endListeners = new Set<() => void>();
  finished = false;
  readonly controller = new AbortController();

  constructor(
    readonly id: string,
    readonly conversationId: string,
    readonly userId: string,
    readonly messageId: string,
  ) {}

  record(event: StepEvent): void {
    const seq = this.events.length + 1;
    const logged: LoggedEvent =
      event.type === 'delta'
        ? { seq, name: 'process_step', kind: 'delta', step: event.step, delta: event.delta, end: event.step.content.length }
        : { seq, name: 'process_step', kind: 'step', step: event.step };
    this.push(logged);
  }

  /** The model request is being tried again (kept in the log: a client re-attaching meanwhile sees it too). */
  retrying(data: RetryEventData): void {
    if (this.finished) return;
    this.push({ seq: this.events.length + 1, name: 'retry', data });
  }

  finish(name: 'done', data: DoneEventData): void;
  finish(name: 'error', data: ErrorEventData): void;
  finish(name: Exclude<StreamEventName, 'process_step' | 'retry'>, data: DoneEventData | ErrorEventData): void {
    if (this.finished) return;
    const seq = this.events.length + 1;
    this.push(name === 'done' ? { seq, name, data: data as DoneEventData } : { seq, name, data: data as ErrorEventData });
    this.finished = true;
    for (const listener of this.endListeners) listener();
    this.listeners.clear();
    this.endListeners.clear();
  }

  /**
   * Replays every event after `afterSeq`, then delivers new ones live. `onEnd` fires once the final
   * event has been delivered (immediately after replay when the run is already over).
   */
  subscribe(afterSeq: number, listener: RunListener, onEnd: () => void): () => void {
    for (let i = Math.max(0, afterSeq); i < this.events.length; i++) listener(this.events[i]!);
    if (this.finished) {
      onEnd();
      return () => {};
    }
    this.listeners.add(listener);
    this.endListeners.add(onEnd);
    return () => {
      this.listeners.delete(listener);
      this.endListeners.delete(onEnd);
    };
  }

  get lastSeq(): number {
    return this.events.length;
  }

  private push(event: LoggedEvent): void {
    this.events.push(event);
    for (const listener of this.listeners) listener(event);
  }
}
