import { noTelemetry, type Telemetry } from './telemetry.js';

/** A Telemetry that writes down what it is told, as short lines (`tool calculator success`), for unit tests. */
export function recordingTelemetry(): Telemetry & { events: string[] } {
  const events: string[] = [];
  return {
    ...noTelemetry,
    events,
    modelCall: (call) => {
      events.push(`model ${call.model} ${call.provider}`);
      return {
        firstToken: () => events.push('first token'),
        attemptFailed: (kind) => events.push(`attempt failed ${kind}`),
        retrying: () => events.push('retrying'),
        finish: (result) =>
          events.push('error' in result ? `failed ${result.kind}` : `finished ${result.finishReason} ${result.inputTokens ?? '-'}/${result.outputTokens ?? '-'}`),
      };
    },
    toolCall: ({ tool }) => ({
      run: (fn) => fn(),
      finish: (outcome) => events.push(`tool ${tool} ${outcome}`),
    }),
  };
}
