/** A client that reports failures as `error` events and recovery as `ready` (an ioredis connection). */
export interface ReconnectingClient {
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
}

/**
 * Logs a connection's outage once when it starts and once when it ends, instead of every failed
 * reconnection attempt (ioredis without an `error` listener prints each one to stderr).
 */
export function logConnectionOutages(client: ReconnectingClient, what: string, logger: { warn(obj: object, msg?: string): void }): void {
  let down = false;
  client.on('error', (err) => {
    if (down) return;
    down = true;
    logger.warn({ err }, `${what} is not reachable; reconnecting`);
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    logger.warn({}, `${what} is reachable again`);
  });
}
