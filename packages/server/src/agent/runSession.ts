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

/** Bytes of an event kept whole (a tool step, a retry, the end), beyond its text, roughly. */
const WHOLE_EVENT_BYTES = 400;
/** Bytes of a step of streamed text beyond its text, roughly. */
const STEP_BYTES = 200;

/**
 * The live side of one run: an ordered, replayable event log and the clients watching it.
 * Any number of clients can subscribe at any time, from any position; the run does not depend on them.
 *
 * The log keeps a streamed piece as three numbers (its step, where it ended in the step's text, its length)
 * instead of an object: the step's text holds every piece already, so a piece is cut from it again when a
 * client re-attaches. A long answer's log is then about the size of its text (plus 12 bytes a piece), not
 * hundreds of bytes a piece, and the event objects handed to live clients die young.
 */
export class RunSession {
  private readonly listeners = new Set<RunListener>();
  private readonly endListeners = new Set<() => void>();
  finished = false;
  readonly controller = new AbortController();

  /** Per event (index seq - 1): its step's index in `steps` (≥ 0, a piece), or -(index in `whole`) - 1. */
  private refs = new Int32Array(64);
  /** Per piece: where it ended in its step's text, and its length. */
  private ends = new Uint32Array(64);
  private lengths = new Uint32Array(64);
  private count = 0;
  private readonly steps: StreamedStep[] = [];
  private readonly stepIndex = new Map<StreamedStep, number>();
  private lastStep: StreamedStep | null = null;
  private lastStepRef = -1;
  /** Events kept whole: tool steps, retries, the final event. */
  private readonly whole: LoggedEvent[] = [];
  private wholeBytes = 0;

  constructor(
    readonly id: string,
    readonly conversationId: string,
    readonly userId: string,
    readonly messageId: string,
  ) {}

  record(event: StepEvent): void {
    const seq = this.count + 1;
    if (event.type === 'delta') {
      const { step, delta } = event;
      const end = step.content.length;
      this.keepPiece(step, end, delta.length);
      this.deliver({ seq, name: 'process_step', kind: 'delta', step, delta, end });
    } else {
      this.push({ seq, name: 'process_step', kind: 'step', step: event.step });
    }
  }

  /** The model request is being tried again (kept in the log: a client re-attaching meanwhile sees it too). */
  retrying(data: RetryEventData): void {
    if (this.finished) return;
    this.push({ seq: this.count + 1, name: 'retry', data });
  }

  finish(name: 'done', data: DoneEventData): void;
  finish(name: 'error', data: ErrorEventData): void;
  finish(name: Exclude<StreamEventName, 'process_step' | 'retry'>, data: DoneEventData | ErrorEventData): void {
    if (this.finished) return;
    const seq = this.count + 1;
    this.push(name === 'done' ? { seq, name, data: data as DoneEventData } : { seq, name, data: data as ErrorEventData });
    this.finished = true;
    // Nothing is added any more: give back the room kept for growth.
    this.refs = this.refs.slice(0, this.count);
    this.ends = this.ends.slice(0, this.count);
    this.lengths = this.lengths.slice(0, this.count);
    this.stepIndex.clear();
    this.lastStep = null;
    for (const listener of this.endListeners) listener();
    this.listeners.clear();
    this.endListeners.clear();
  }

  /**
   * Replays every event after `afterSeq`, then delivers new ones live. `onEnd` fires once the final
   * event has been delivered (immediately after replay when the run is already over).
   */
  subscribe(afterSeq: number, listener: RunListener, onEnd: () => void): () => void {
    for (let i = Math.max(0, afterSeq); i < this.count; i++) listener(this.eventAt(i));
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
    return this.count;
  }

  /** The whole log as events (tests, diagnostics: replaying builds each piece again). */
  get events(): LoggedEvent[] {
    return Array.from({ length: this.count }, (_, i) => this.eventAt(i));
  }

  /** Roughly how much memory the log holds, bytes: its steps' text, 12 bytes a piece, and the events kept whole. */
  logBytes(): number {
    let bytes = this.refs.byteLength + this.ends.byteLength + this.lengths.byteLength + this.wholeBytes;
    for (const step of this.steps) bytes += STEP_BYTES + 2 * step.content.length;
    return bytes;
  }

  private eventAt(index: number): LoggedEvent {
    const ref = this.refs[index]!;
    if (ref < 0) return this.whole[-ref - 1]!;
    const step = this.steps[ref]!;
    const end = this.ends[index]!;
    return { seq: index + 1, name: 'process_step', kind: 'delta', step, delta: step.content.slice(end - this.lengths[index]!, end), end };
  }

  private keepPiece(step: StreamedStep, end: number, length: number): void {
    let ref = this.lastStepRef;
    if (step !== this.lastStep) {
      ref = this.stepIndex.get(step) ?? -1;
      if (ref < 0) {
        ref = this.steps.push(step) - 1;
        this.stepIndex.set(step, ref);
      }
      this.lastStep = step;
      this.lastStepRef = ref;
    }
    const index = this.grow();
    this.refs[index] = ref;
    this.ends[index] = end;
    this.lengths[index] = length;
  }

  /** Room for one more event; answers its index. */
  private grow(): number {
    if (this.count === this.refs.length) {
      const size = this.refs.length * 2;
      const refs = new Int32Array(size);
      refs.set(this.refs);
      this.refs = refs;
      const ends = new Uint32Array(size);
      ends.set(this.ends);
      this.ends = ends;
      const lengths = new Uint32Array(size);
      lengths.set(this.lengths);
      this.lengths = lengths;
    }
    return this.count++;
  }

  private push(event: LoggedEvent): void {
    const index = this.grow();
    this.refs[index] = -this.whole.push(event);
    this.wholeBytes += WHOLE_EVENT_BYTES + wholeEventText(event);
    this.deliver(event);
  }

  private deliver(event: LoggedEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

/** Characters of text an event kept whole carries (a tool call's arguments, a tool result), counted twice (UTF-16). */
function wholeEventText(event: LoggedEvent): number {
  if (event.name !== 'process_step' || event.kind !== 'step') return 0;
  const { step } = event;
  return 2 * (step.type === 'tool_call' ? step.arguments.length : step.content.length);
}
