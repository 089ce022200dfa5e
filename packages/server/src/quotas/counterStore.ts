/** A counter's value after an addition, and when its window ends (epoch ms). */
export interface CounterValue {
  count: number;
  expiresAtMs: number;
}

/**
 * Counters with an expiry, shared by every instance of the server: in Redis when `redis_url` is set,
 * in the database otherwise (quotas, sign-in attempts).
 */
export interface CounterStore {
  /**
   * Adds `amount` to the counter `key`. A counter that does not exist or has expired starts again at
   * `amount` and lives until `expiresAtMs`; a live one keeps its expiry.
   */
  add(key: string, amount: number, expiresAtMs: number): Promise<CounterValue>;
  /** The current values of these counters, in order; 0 for one that does not exist or has expired. */
  read(keys: readonly string[]): Promise<number[]>;
  close(): Promise<void>;
}
