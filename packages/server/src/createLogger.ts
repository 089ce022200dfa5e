import pino, { type DestinationStream, type Logger } from 'pino';
import { REQUEST_LINE_FIELDS } from './http/requestLog.js';

export type LogFormat = 'pretty' | 'json';

/** Human-readable lines for a person at a terminal, JSON lines for everything else (files, collectors). */
export function logFormatFor(stream: { isTTY?: boolean }): LogFormat {
  return stream.isTTY ? 'pretty' : 'json';
}

/**
 * The server's logger. `pretty` loads pino-pretty (only then) and formats in-process, so no worker
 * thread or transport file is involved: one line per entry, its fields after the message (less those a
 * request line's message already says); `destination` defaults to stdout.
 */
export async function createLogger(level: string, format: LogFormat, destination?: DestinationStream): Promise<Logger> {
  if (format === 'json') return destination ? pino({ level }, destination) : pino({ level });
  const { default: pretty } = await import('pino-pretty');
  return pino({ level }, pretty({ colorize: destination === undefined && process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss', singleLine: true, ignore: ['pid', 'hostname', ...REQUEST_LINE_FIELDS].join(','), sync: true, ...(destination && { destination }) }));
}
