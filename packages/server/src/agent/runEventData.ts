import { stepFromDelta, type RunEvent, type StepDelta, type StreamProtocol } from '@nanoclaw/protocol';
import type { LoggedEvent } from './runSession.js';

/**
 * A logged event as it goes on the wire in the given protocol (and, in the default one, as it is
 * mirrored to Redis for other instances). Default protocol: thinking/text pieces carry only the new
 * `delta`. Protocol v1 (the original's): they carry `content`, the whole text of the step so far.
 */
export function toRunEvent(event: LoggedEvent, protocol: StreamProtocol): RunEvent {
  if (event.name === 'done') return { event: 'done', data: event.data };
  if (event.name === 'retry') return { event: 'retry', data: event.data };
  if (event.name === 'error') return { event: 'error', data: event.data };
  if (event.kind === 'step') return { event: 'process_step', data: event.step };
  const { step } = event;
  const delta: StepDelta = { id: step.id, index: step.index, type: step.type, delta: event.delta };
  if (step.parent_id) delta.parent_id = step.parent_id;
  if (step.agent) delta.agent = step.agent;
  return { event: 'process_step', data: protocol === 'v1' ? stepFromDelta(delta, step.content.slice(0, event.end)) : delta };
}
