import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';
import { runOneToolCall, startFakeServer, type FakeServer } from './tools-fakeServers.js';
import { openMeteoHandler } from './tools-openMeteoFake.js';

let openMeteo: FakeServer;
let t: TestServer;
beforeAll(async () => {
  openMeteo = await startFakeServer(openMeteoHandler);
  t = await startTestServer({ weather: { geocoding_url: openMeteo.url, forecast_url: openMeteo.url } });
});
afterAll(async () => {
  await t?.close();
  await openMeteo?.close();
});

describe('get_weather through the agent run', () => {
  it('reports Open-Meteo data for a named place, streamed and stored', async () => {
    const { result, stored, toolMessage } = await runOneToolCall(t, 'get_weather', { location: 'Berlin', days: 2 });
    expect(result).toMatchObject({ name: 'get_weather', success: true });
    const report = JSON.parse(result.content);
    expect(report.location).toMatchObject({ name: 'Berlin', country: 'Germany' });
    expect(report.current).toMatchObject({ temperature: 21.3, conditions: 'Partly cloudy' });
    expect(report.daily.map((d: any) => d.date)).toEqual(['2025-06-10', '2025-06-11']);
    expect(openMeteo.requests.map((r) => new URL(r.url, 'http://x').pathname)).toEqual(['/v1/search', '/v1/forecast']);
    expect(stored).toMatchObject({ status: 'complete', text: 'done' });
    expect(toolMessage.content).toBe(result.content);
  });

  it('answers an error, not invented weather, for an unknown place', async () => {
    const { result } = await runOneToolCall(t, 'get_weather', { location: 'Atlantis' });
    expect(result.success).toBe(false);
    expect(JSON.parse(result.content).error).toMatch(/^No place named "Atlantis" was found/);
  });
});
