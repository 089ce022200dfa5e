import { answerFromSteps, applyProcessStep, decodeRunEvent, encodeRunEvent, runEventId, type Step, type StreamProtocol } from '@nanoclaw/protocol';
import { describe, expect, it } from 'vitest';
import { toRunEvent } from './runEventData.js';
import { RunSession } from './runSession.js';
import { StepRecorder } from './stepRecorder.js';

/** A run with thinking, text over two rounds, a tool call, and two sub-agents writing at the same time. */
function recordRun(): { session: RunSession; recorder: StepRecorder } {
  const session = new RunSession('run-1', 'c', 'u', 'm');
  const recorder = new StepRecorder();
  recorder.onEvent((event) => session.record(event));
  recorder.appendText('thinking', 'Let me ');
  recorder.appendText('thinking', 'think.');
  recorder.appendText('text', 'Asking ');
  recorder.appendText('text', 'helpers.');
  const call = recorder.addToolCall({ id: 'c1', name: 'multi_agent', arguments: '{"tasks":[]}' });
  const alpha = recorder.lane(call.id, 'alpha');
  const beta = recorder.lane(call.id, 'beta');
  alpha.appendText('thinking', 'A thinks');
  beta.appendText('text', 'B ');
  alpha.appendText('thinking', ' more');
  beta.appendText('text', 'answers');
  alpha.addToolCall({ id: 'a1', name: 'calculator', arguments: '{"expression":"6*7"}' });
  alpha.addToolResult({ id: 'a1', name: 'calculator', content: '42', skipped: false, success: true, executionTime: 0.01 });
  alpha.appendText('text', 'A answers');
  recorder.addToolResult({ id: 'c1', name: 'multi_agent', content: '[]', skipped: false, success: true, executionTime: 1.5 });
  recorder.closeOpenStep();
  recorder.appendText('text', 'Both ');
  recorder.appendText('text', 'done.');
  return { session, recorder };
}

/** What a client holds after receiving every event of the run in a protocol, decoded as a browser would. */
function replay(session: RunSession, protocol: StreamProtocol): Step[] {
  const steps: Step[] = [];
  for (const logged of session.events) {
    const text = encodeRunEvent(runEventId(session.id, logged.seq), toRunEvent(logged, protocol));
    const name = /^event: (.*)$/m.exec(text)![1];
    const data = /^data: (.*)$/m.exec(text)![1];
    const decoded = decodeRunEvent(name, data);
    if (!decoded.ok) throw new Error(decoded.error);
    if (decoded.event.event === 'process_step') applyProcessStep(steps, decoded.event.data);
  }
  return steps;
}

describe('live and stored answers', () => {
  it('a client applying the streamed events, in either protocol, holds exactly the steps and text the server stores', () => {
    const { session, recorder } = recordRun();
    const stored = JSON.parse(JSON.stringify(recorder.toContent()));
    for (const protocol of ['default', 'v1'] as const) {
      const live = replay(session, protocol);
      expect(live, protocol).toEqual(stored.steps);
      expect(answerFromSteps(live), protocol).toEqual({ text: stored.text, tool_calls: stored.tool_calls });
    }
    expect(stored.text).toBe('Asking helpers.\n\nBoth done.');
  });
});
