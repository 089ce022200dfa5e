import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { weatherSettingsSchema } from '@nanoclaw/protocol';
import { createWeatherTool, describeWeatherCode, type WeatherArgs, type WeatherReport } from './weather.js';
import type { ToolContext } from '../types.js';
import { send, startFakeServer, type FakeServer } from '../../../test/tools-fakeServers.js';
import { openMeteoHandler } from '../../../test/tools-openMeteoFake.js';
import { callTool } from '../callTool.testing.js';

const ctx: ToolContext = { userId: 'u', conversationId: 'c', projectId: null, model: 'm', signal: new AbortController().signal };
let openMeteo: FakeServer;

beforeAll(async () => {
  openMeteo = await startFakeServer(openMeteoHandler);
});
afterAll(async () => {
  await openMeteo?.close();
});

function weatherTool(urls: { geocoding_url?: string; forecast_url?: string; timeout_ms?: number } = {}) {
  return createWeatherTool(weatherSettingsSchema.parse({ geocoding_url: openMeteo.url, forecast_url: openMeteo.url, ...urls }));
}

function weather(args: Partial<WeatherArgs>, urls: { geocoding_url?: string; forecast_url?: string; timeout_ms?: number } = {}): Promise<WeatherReport> {
  return callTool(weatherTool(urls), args, ctx) as Promise<WeatherReport>;
}

describe('get_weather', () => {
  it('geocodes the place, then reports current conditions and the daily forecast', async () => {
    const report = await weather({ location: 'Berlin' });
    expect(report.location).toEqual({ name: 'Berlin', country: 'Germany', admin1: 'Land Berlin', latitude: 52.52437, longitude: 13.41053, elevation: 74, timezone: 'Europe/Berlin' });
    expect(report.current).toEqual({
      time: '2025-06-10T14:15', temperature: 21.3, apparent_temperature: 20.6, relative_humidity: 48, precipitation: 0, cloud_cover: 75,
      wind_speed: 13, wind_direction: 274, wind_gusts: 30.9, weather_code: 2, is_day: 1, conditions: 'Partly cloudy',
    });
    expect(report.daily).toHaveLength(3);
    expect(report.daily[1]).toEqual({
      date: '2025-06-11', weather_code: 61, conditions: 'Slight rain', temperature_max: 24, temperature_min: 13.9, precipitation_sum: 4.2,
      precipitation_probability_max: 80, wind_speed_max: 18.7, sunrise: '2025-06-11T04:44', sunset: '2025-06-11T21:27',
    });
    expect(report.units).toEqual({ temperature: '°C', wind_speed: 'km/h', precipitation: 'mm', relative_humidity: '%', wind_direction: '°' });
    expect(report.source).toMatch(/^Open-Meteo/);

    const [geocoding, forecast] = openMeteo.requests.slice(-2).map((r) => new URL(r.url, 'http://x'));
    expect(geocoding?.pathname).toBe('/v1/search');
    expect(Object.fromEntries(geocoding!.searchParams)).toEqual({ name: 'Berlin', count: '10', language: 'en', format: 'json' });
    expect(forecast?.pathname).toBe('/v1/forecast');
    expect(forecast?.searchParams.get('latitude')).toBe('52.52437');
    expect(forecast?.searchParams.get('current')).toContain('temperature_2m');
    expect(forecast?.searchParams.get('daily')).toContain('temperature_2m_max');
    expect(forecast?.searchParams.get('timezone')).toBe('auto');
    expect(forecast?.searchParams.get('forecast_days')).toBe('3');
  });

  it('picks among same-named places by country or region', async () => {
    expect((await weather({ location: 'Paris, Texas' })).location).toMatchObject({ name: 'Paris', admin1: 'Texas', latitude: 33.66094 });
    expect((await weather({ location: 'Berlin, US' })).location).toMatchObject({ admin1: 'New Hampshire' });
    expect((await weather({ location: 'paris, france' })).location).toMatchObject({ country: 'France' });
  });

  it('takes coordinates directly, more days and imperial units', async () => {
    const report = await weather({ latitude: 52.52, longitude: 13.41, days: 7, units: 'imperial' });
    expect(report.location).toMatchObject({ name: '52.52, 13.41', latitude: 52.52, longitude: 13.41, timezone: 'Europe/Berlin' });
    expect(report.daily).toHaveLength(7);
    expect(report.units).toMatchObject({ temperature: '°F', wind_speed: 'mp/h', precipitation: 'inch' });
    const forecast = new URL(openMeteo.requests.at(-1)!.url, 'http://x');
    expect(forecast.searchParams.get('temperature_unit')).toBe('fahrenheit');
    expect(forecast.searchParams.get('wind_speed_unit')).toBe('mph');
    expect(openMeteo.requests.at(-2)?.url.startsWith('/v1/search')).toBe(false);
  });

  it('says when a place is not found, never inventing weather', async () => {
    await expect(weather({ location: 'Atlantis' })).rejects.toThrow('No place named "Atlantis" was found. Try the city name alone, or give latitude and longitude.');
    await expect(weather({ location: 'Paris, Mars' })).rejects.toThrow('No place named "Paris, Mars" was found');
  });

  it('asks for a location or both coordinates', async () => {
    await expect(weather({})).rejects.toThrow('Give a location name, or latitude and longitude');
    await expect(weather({ latitude: 1 })).rejects.toThrow('Give both latitude and longitude, or a location name');
    await expect(weather({ location: ' , ' })).rejects.toThrow('The location is empty');
  });

  it("passes on Open-Meteo's reason when it refuses", async () => {
    // Straight to the handler: the schema would refuse 99 days before the service is asked.
    await expect(Promise.resolve(weatherTool().handler({ latitude: 10, longitude: 10, days: 99, units: 'metric' }, ctx))).rejects.toThrow(
      `The weather service's forecast API at ${openMeteo.url} refused the request (HTTP 400): Forecast days is invalid. Allowed range 0 to 16.`,
    );
  });

  it('says when the service cannot be reached, answers garbage or is too slow', async () => {
    const closed = await startFakeServer(() => undefined);
    await closed.close();
    await expect(weather({ location: 'Berlin' }, { geocoding_url: closed.url })).rejects.toThrow(
      `The weather service's geocoding API at ${closed.url} could not be reached: connection refused`,
    );
    let timer: NodeJS.Timeout | undefined;
    const odd = await startFakeServer((req, res) => {
      if (req.url?.startsWith('/v1/search')) return send(res, 200, 'text/html', '<html>maintenance</html>');
      timer = setTimeout(() => send(res, 200, 'application/json', '{}'), 3000);
    });
    try {
      await expect(weather({ location: 'Berlin' }, { geocoding_url: odd.url })).rejects.toThrow('answered with something that is not JSON');
      await expect(weather({ latitude: 1, longitude: 2 }, { forecast_url: odd.url, timeout_ms: 150 })).rejects.toThrow(`forecast API at ${odd.url} did not answer within 150 ms`);
    } finally {
      clearTimeout(timer);
      await odd.close();
    }
  });

  it('names every WMO weather code', () => {
    expect(describeWeatherCode(0)).toBe('Clear sky');
    expect(describeWeatherCode(99)).toBe('Thunderstorm with heavy hail');
    expect(describeWeatherCode(42)).toBe('Unknown (WMO code 42)');
  });
});
