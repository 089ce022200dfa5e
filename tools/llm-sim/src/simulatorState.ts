import type { RecordedRequest, ScriptedResponse } from './types.js';

/** Everything a simulator remembers between requests. */
export class SimulatorState {
  private readonly queue: ScriptedResponse[] = [];
  private readonly recorded: RecordedRequest[] = [];
  readonly rateLimitCounts = new Map<string, number>();

  constructor(readonly tokenDelayMs: number | undefined) {}

  enqueue(responses: ScriptedResponse[]): void {
    this.queue.push(...responses);
  }

  takeScripted(): ScriptedResponse | undefined {
    return this.queue.shift();
  }

  clearScript(): void {
    this.queue.length = 0;
  }

  record(request: RecordedRequest): void {
    this.recorded.push(request);
  }

  requests(): RecordedRequest[] {
    return [...this.recorded];
  }

  clearRequests(): void {
    this.recorded.length = 0;
  }
}
