import type { LoggedEvent } from './runSession.js';
import type { RunView } from './runHub.js';

/**
 * A run's events as an async sequence, from the first: for a consumer that pulls (the OpenAI-compatible
 * API turns each into its own chunks). Leaving the loop early only unsubscribes; the run carries on.
 */
export async function* runEvents(session: RunView): AsyncGenerator<LoggedEvent, void, undefined> {
  const queue: LoggedEvent[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  const unsubscribe = session.subscribe(
    0,
    (event) => {
      queue.push(event);
      wake?.();
    },
    () => {
      ended = true;
      wake?.();
    },
  );
  try {
    for (;;) {
      const event = queue.shift();
      if (event) {
        yield event;
        continue;
      }
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    unsubscribe();
  }
}
