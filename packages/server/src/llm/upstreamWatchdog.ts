import { type LlmError, llmErrors } from './llmError.js';

/**
 * Guards one upstream request: aborts it as soon as the caller's signal aborts, or when the
 * upstream keeps us waiting (for the response headers, or for the next body chunk) longer than
 * `timeoutMs`. After a failure, `interruption()` tells whether the watchdog caused it.
 */
export class UpstreamWatchdog {
  readonly #controller = new AbortController();
  readonly #caller: AbortSignal | undefined;
  readonly #timer: NodeJS.Timeout;
  #timedOut = false;
  /** False while a body chunk is with the consumer: its own slowness is not the upstream's silence. */
  #waiting = true;
  #bodyDone = false;
  readonly #onCallerAbort = (): void => this.#controller.abort(this.#caller?.reason);

  constructor(timeoutMs: number, caller?: AbortSignal) {
    this.#caller = caller;
    this.#timer = setTimeout(() => {
      // A fired timer is re-armed by the next #startWaiting().
      if (!this.#waiting) return;
      this.#timedOut = true;
      this.#controller.abort(new Error(`No answer from the LLM service within ${timeoutMs} ms`));
    }, timeoutMs);
    if (caller?.aborted) this.#onCallerAbort();
    else caller?.addEventListener('abort', this.#onCallerAbort, { once: true });
  }

  /** The signal to hand to fetch: it aborts the request and its body. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The caller's abort wins over a timeout that fired at the same time. */
  interruption(): LlmError | undefined {
    if (this.#caller?.aborted) return llmErrors.aborted();
    if (this.#timedOut) return llmErrors.timeout();
    return undefined;
  }

  /**
   * The reader of the body is waiting for its next chunk from now on: the timeout counts from here.
   * Called before each read; `received()` when the chunk is there, so the reader's own work on it is
   * never counted as the upstream's silence.
   */
  waitForNext(): void {
    this.#waiting = true;
    if (!this.#timedOut) this.#timer.refresh();
  }

  received(): void {
    this.#waiting = false;
  }

  /**
   * The body was read to its end, or to `[DONE]` and then dropped (dropping it closes a connection the
   * provider keeps open): `dispose()` then has nothing left to abort.
   */
  bodyDone(): void {
    this.#bodyDone = true;
  }

  /**
   * Stops the timer and releases the request: aborts it unless its body was done (an abort builds a
   * DOMException with a stack trace, a cost worth sparing every completed answer).
   */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#caller?.removeEventListener('abort', this.#onCallerAbort);
    if (!this.#bodyDone) this.#controller.abort();
  }
}
