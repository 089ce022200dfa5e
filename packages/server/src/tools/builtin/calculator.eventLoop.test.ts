import { expect, it } from 'vitest';
import { createCalculatorTool } from './calculator.js';
import type { ToolContext } from '../types.js';
import { callTool } from '../callTool.testing.js';

// A file of its own: the first calculation of a fresh process is the one that loads mathjs.

const ctx: ToolContext = { userId: 'u', conversationId: 'c', projectId: null, model: 'm', signal: new AbortController().signal };

/** Counts the turns of a chain of 10 ms timers until stopped; while the event loop is blocked there are none. */
function countTimerTurns(): { stop(): number } {
  let turns = 0;
  let timer: NodeJS.Timeout;
  const tick = (): void => {
    turns++;
    timer = setTimeout(tick, 10);
  };
  timer = setTimeout(tick, 10);
  return {
    stop() {
      clearTimeout(timer);
      return turns;
    },
  };
}

it('keeps the event loop turning while the first calculation loads mathjs', async () => {
  const tool = createCalculatorTool();
  try {
    const duringCall = countTimerTurns();
    const started = performance.now();
    const output = await callTool(tool, { expression: '6 * 7' }, ctx);
    const elapsed = performance.now() - started;
    const turnsDuringCall = duringCall.stop();

    // The same measure around a plain await (at most a second of it: the rate is what counts).
    const plainMs = Math.min(elapsed, 1000);
    const duringPlainAwait = countTimerTurns();
    const plainStarted = performance.now();
    await new Promise((resolve) => setTimeout(resolve, plainMs));
    const plainElapsed = performance.now() - plainStarted;
    const turnsDuringPlainAwait = duringPlainAwait.stop();

    expect(output).toEqual({ expression: '6 * 7', result: 42 });
    // Loading mathjs takes long enough for the measure to mean something.
    expect(elapsed / 10).toBeGreaterThan(10);
    // Timers kept firing through the call at least half as often as when nothing runs (a blocked loop fires next to none).
    expect(turnsDuringCall / elapsed).toBeGreaterThanOrEqual(turnsDuringPlainAwait / plainElapsed / 2);
  } finally {
    await tool.close();
  }
});
