import type { QuotaKind } from '@nanoclaw/protocol';

/** The window a limit counts in at a given moment: its counter's key and when it ends. */
export interface QuotaWindow {
  kind: QuotaKind;
  key: string;
  /** When the window ends and its count starts again. */
  resetsAt: Date;
}

/** The current UTC day, calendar month and minute of a user's token and request counters. */
export function quotaWindows(userId: string, now: Date): Record<QuotaKind, QuotaWindow> {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  const day = now.toISOString().slice(0, 10);
  const minute = Math.floor(now.getTime() / 60_000);
  return {
    tokens_per_day: { kind: 'tokens_per_day', key: `quota:tokens:day:${userId}:${day}`, resetsAt: new Date(Date.UTC(y, m, d + 1)) },
    tokens_per_month: { kind: 'tokens_per_month', key: `quota:tokens:month:${userId}:${day.slice(0, 7)}`, resetsAt: new Date(Date.UTC(y, m + 1, 1)) },
    requests_per_minute: { kind: 'requests_per_minute', key: `quota:requests:${userId}:${minute}`, resetsAt: new Date((minute + 1) * 60_000) },
  };
}

/** "3 h 12 min", "42 s", "2 d 5 h": how long until a limit resets. */
export function describeWait(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** The sentence a person reads when a limit is used up: which limit, when it resets, in how long. */
export function quotaExceededSentence(kind: QuotaKind, limit: number, resetsAt: Date, now: Date): string {
  const amount = limit.toLocaleString('en-US');
  const tokens = limit === 1 ? 'token' : 'tokens';
  const requests = limit === 1 ? 'model request' : 'model requests';
  const wait = describeWait(resetsAt.getTime() - now.getTime());
  const clock = resetsAt.toISOString().slice(11, 16);
  switch (kind) {
    case 'tokens_per_day':
      return `You have used your ${amount} ${tokens} for today; the limit resets at ${clock} UTC (in ${wait}).`;
    case 'tokens_per_month':
      return `You have used your ${amount} ${tokens} for this month; the limit resets on ${resetsAt.getUTCDate()} ${MONTHS[resetsAt.getUTCMonth()]} at ${clock} UTC (in ${wait}).`;
    case 'requests_per_minute':
      return `You have made your ${amount} ${requests} for this minute; the limit resets at ${resetsAt.toISOString().slice(11, 19)} UTC (in ${wait}).`;
  }
}
