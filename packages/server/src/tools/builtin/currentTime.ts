import { z } from 'zod';
import type { ZodToolDefinition } from '../types.js';

const currentTimeArguments = z.object({
  timezone: z.string().optional().describe("IANA time zone name; defaults to the server's time zone."),
  format: z.enum(['iso', 'human']).default('human').describe('How "local" is written: readable text ("human") or ISO 8601 ("iso").'),
});

export type CurrentTimeArgs = z.infer<typeof currentTimeArguments>;

export interface CurrentTimeResult {
  /** The zone used, in IANA spelling. */
  timezone: string;
  /** Local date and time with its UTC offset, e.g. 2025-03-09T20:00:00+08:00. */
  iso: string;
  /** The local time as asked for: readable text ("human") or the ISO form ("iso"). */
  local: string;
  /** Seconds since 1970-01-01T00:00:00Z. */
  unix: number;
  weekday: string;
}

/**
 * `now` is the clock; `defaultTimeZone` is used when the model names none (the server's own zone unless given).
 */
export function createCurrentTimeTool(now: () => Date, defaultTimeZone?: string): ZodToolDefinition<CurrentTimeArgs> {
  return {
    name: 'get_current_time',
    category: 'utility',
    description:
      'Get the current date and time, optionally in a given IANA time zone (e.g. "Asia/Shanghai", "Europe/Paris", ' +
      '"America/New_York", "UTC"). Use it whenever the answer depends on today\'s date or the time.',
    arguments: currentTimeArguments,
    handler: ({ timezone, format }) => describeTime(now(), timezone?.trim() || defaultTimeZone || serverTimeZone(), format),
  };
}

export function describeTime(instant: Date, timeZone: string, format: 'iso' | 'human'): CurrentTimeResult {
  const resolvedZone = resolveTimeZone(timeZone);
  const iso = isoInZone(instant, resolvedZone);
  return {
    timezone: resolvedZone,
    iso,
    local: format === 'iso' ? iso : humanInZone(instant, resolvedZone),
    unix: Math.floor(instant.getTime() / 1000),
    weekday: new Intl.DateTimeFormat('en-US', { timeZone: resolvedZone, weekday: 'long' }).format(instant),
  };
}

function serverTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Checks the zone and fixes its spelling ("asia/shanghai" → "Asia/Shanghai") without swapping in an ICU alias. */
function resolveTimeZone(timeZone: string): string {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    throw new Error(`Unknown time zone: ${timeZone}`);
  }
  // ICU answers "Asia/Calcutta" for "Asia/Kolkata": keep the name the model asked for unless only its case differs.
  return resolved.toLowerCase() === timeZone.toLowerCase() ? resolved : timeZone;
}

function isoInZone(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'longOffset',
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  const date = `${part('year')}-${part('month')}-${part('day')}`;
  const time = `${part('hour')}:${part('minute')}:${part('second')}`;
  return `${date}T${time}${utcOffset(part('timeZoneName'))}`;
}

/** "GMT+08:00" → "+08:00"; plain "GMT" (zero offset) → "Z". */
function utcOffset(longOffset: string): string {
  const offset = longOffset.replace(/^GMT/, '');
  return offset === '' || offset === '+00:00' || offset === '-00:00' ? 'Z' : offset;
}

function humanInZone(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone, dateStyle: 'full', timeStyle: 'long' }).format(instant);
}
