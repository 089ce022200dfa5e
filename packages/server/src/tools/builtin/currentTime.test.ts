import { describe, expect, it } from 'vitest';
import { createCurrentTimeTool, type CurrentTimeArgs, type CurrentTimeResult } from './currentTime.js';
import type { ToolContext } from '../types.js';
import { callTool } from '../callTool.testing.js';

const ctx: ToolContext = { userId: 'u', conversationId: 'c', projectId: null, model: 'm', signal: new AbortController().signal };
// Sunday 9 March 2025, 12:00:00 UTC: hours after the US switched to summer time.
const instant = new Date('2025-03-09T12:00:00Z');

async function timeAt(args: CurrentTimeArgs, defaultTimeZone = 'UTC'): Promise<CurrentTimeResult> {
  const tool = createCurrentTimeTool(() => instant, defaultTimeZone);
  return (await callTool(tool, args, ctx)) as CurrentTimeResult;
}

describe('get_current_time', () => {
  it('describes the moment in the asked time zone', async () => {
    expect(await timeAt({ timezone: 'Asia/Shanghai' })).toEqual({
      timezone: 'Asia/Shanghai',
      iso: '2025-03-09T20:00:00+08:00',
      local: 'Sunday, March 9, 2025 at 8:00:00 PM GMT+8',
      unix: 1741521600,
      weekday: 'Sunday',
    });
  });

  it('applies daylight saving time', async () => {
    const result = await timeAt({ timezone: 'America/New_York', format: 'iso' });
    expect(result.iso).toBe('2025-03-09T08:00:00-04:00');
    expect(result.local).toBe(result.iso);
  });

  it('handles half-hour offsets and zones past midnight', async () => {
    expect((await timeAt({ timezone: 'Asia/Kolkata' })).iso).toBe('2025-03-09T17:30:00+05:30');
    const kiritimati = await timeAt({ timezone: 'Pacific/Kiritimati' });
    expect(kiritimati.iso).toBe('2025-03-10T02:00:00+14:00');
    expect(kiritimati.weekday).toBe('Monday');
  });

  it('keeps the name the model used, fixing only its case', async () => {
    expect((await timeAt({ timezone: 'asia/shanghai' })).timezone).toBe('Asia/Shanghai');
    expect((await timeAt({ timezone: 'Asia/Kolkata' })).timezone).toBe('Asia/Kolkata');
  });

  it('uses the default zone when none is given, writing UTC as Z', async () => {
    const result = await timeAt({});
    expect(result.timezone).toBe('UTC');
    expect(result.iso).toBe('2025-03-09T12:00:00Z');
    expect((await timeAt({ timezone: '  ' }, 'Europe/Paris')).iso).toBe('2025-03-09T13:00:00+01:00');
  });

  it('reads the injected clock on every call', async () => {
    let now = new Date('2024-02-29T23:59:59Z');
    const tool = createCurrentTimeTool(() => now, 'UTC');
    expect(((await callTool(tool, {}, ctx)) as CurrentTimeResult).iso).toBe('2024-02-29T23:59:59Z');
    now = new Date('2024-03-01T00:00:00Z');
    expect(((await callTool(tool, {}, ctx)) as CurrentTimeResult).weekday).toBe('Friday');
  });

  it('rejects an unknown time zone with a sentence', async () => {
    await expect(timeAt({ timezone: 'Mars/Olympus_Mons' })).rejects.toThrow(/^Unknown time zone: Mars\/Olympus_Mons$/);
  });
});
