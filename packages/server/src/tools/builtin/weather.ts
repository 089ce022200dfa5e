import type { WeatherSettings } from '@nanoclaw/protocol';
import { z } from 'zod';
import type { ZodToolDefinition } from '../types.js';
import { httpGet, parseJsonBody, type FetchLike } from '../web/httpGet.js';

const weatherArguments = z.strictObject({
  location: z.string().min(1).max(200).optional().describe('Place name, optionally with ", country" or ", region".'),
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
  days: z.int().min(1).max(16).default(3).describe('Days of forecast, today included.'),
  units: z.enum(['metric', 'imperial']).default('metric'),
});

export type WeatherArgs = z.infer<typeof weatherArguments>;

export interface WeatherPlace {
  name: string;
  country: string | null;
  admin1: string | null;
  latitude: number;
  longitude: number;
  elevation: number | null;
  timezone: string | null;
}

export interface WeatherReport {
  location: WeatherPlace;
  current: Record<string, unknown> & { time: string; conditions: string };
  daily: Array<Record<string, unknown> & { date: string; conditions: string }>;
  units: Record<string, string>;
  source: string;
}

/** WMO weather interpretation codes, as documented by Open-Meteo. */
const WMO_CODES: Record<number, string> = {
  0: 'Clear sky',
  1: 'Mainly clear',
  2: 'Partly cloudy',
  3: 'Overcast',
  45: 'Fog',
  48: 'Depositing rime fog',
  51: 'Light drizzle',
  53: 'Moderate drizzle',
  55: 'Dense drizzle',
  56: 'Light freezing drizzle',
  57: 'Dense freezing drizzle',
  61: 'Slight rain',
  63: 'Moderate rain',
  65: 'Heavy rain',
  66: 'Light freezing rain',
  67: 'Heavy freezing rain',
  71: 'Slight snowfall',
  73: 'Moderate snowfall',
  75: 'Heavy snowfall',
  77: 'Snow grains',
  80: 'Slight rain showers',
  81: 'Moderate rain showers',
  82: 'Violent rain showers',
  85: 'Slight snow showers',
  86: 'Heavy snow showers',
  95: 'Thunderstorm',
  96: 'Thunderstorm with slight hail',
  99: 'Thunderstorm with heavy hail',
};

export function describeWeatherCode(code: unknown): string {
  return typeof code === 'number' ? (WMO_CODES[code] ?? `Unknown (WMO code ${code})`) : 'Unknown';
}

const CURRENT_FIELDS: Record<string, string> = {
  temperature_2m: 'temperature',
  apparent_temperature: 'apparent_temperature',
  relative_humidity_2m: 'relative_humidity',
  precipitation: 'precipitation',
  cloud_cover: 'cloud_cover',
  wind_speed_10m: 'wind_speed',
  wind_direction_10m: 'wind_direction',
  wind_gusts_10m: 'wind_gusts',
  weather_code: 'weather_code',
  is_day: 'is_day',
};

const DAILY_FIELDS: Record<string, string> = {
  weather_code: 'weather_code',
  temperature_2m_max: 'temperature_max',
  temperature_2m_min: 'temperature_min',
  precipitation_sum: 'precipitation_sum',
  precipitation_probability_max: 'precipitation_probability_max',
  wind_speed_10m_max: 'wind_speed_max',
  sunrise: 'sunrise',
  sunset: 'sunset',
};

export function createWeatherTool(settings: WeatherSettings, fetchImpl: FetchLike = fetch): ZodToolDefinition<WeatherArgs> {
  const geocodingService = `The weather service's geocoding API at ${settings.geocoding_url}`;
  const forecastService = `The weather service's forecast API at ${settings.forecast_url}`;

  async function getJson(service: string, url: string, signal: AbortSignal): Promise<Record<string, unknown>> {
    const response = await httpGet(fetchImpl, url, { service, timeoutMs: settings.timeout_ms, signal, headers: { accept: 'application/json' } });
    if (response.status === 200) {
      const body = parseJsonBody(response.text, service) as Record<string, unknown> | null;
      if (body && typeof body === 'object' && body.error !== true) return body;
    }
    // Open-Meteo explains refusals as {"error": true, "reason": "..."}.
    let reason = '';
    try {
      const body = JSON.parse(response.text) as { reason?: unknown };
      if (typeof body.reason === 'string') reason = `: ${body.reason}`;
    } catch {
      reason = '';
    }
    throw new Error(`${service} refused the request (HTTP ${response.status})${reason}`);
  }

  async function geocode(location: string, signal: AbortSignal): Promise<WeatherPlace> {
    // The geocoder matches place names only: "Paris, France" is searched as "Paris" and the rest picks among the matches.
    const [name = '', ...qualifiers] = location.split(',').map((part) => part.trim()).filter(Boolean);
    if (name === '') throw new Error('The location is empty');
    const url = endpoint(settings.geocoding_url, '/v1/search', { name, count: '10', language: 'en', format: 'json' });
    const body = await getJson(geocodingService, url, signal);
    const results = Array.isArray(body.results) ? (body.results as Array<Record<string, unknown>>) : [];
    const wanted = qualifiers.map((q) => q.toLowerCase());
    const fits = (place: Record<string, unknown>): boolean =>
      wanted.every((q) =>
        [place.country, place.country_code, place.admin1, place.admin2].some((field) => typeof field === 'string' && field.toLowerCase() === q),
      );
    const place = results.find(fits) ?? (wanted.length === 0 ? results[0] : undefined);
    if (!place || typeof place.latitude !== 'number' || typeof place.longitude !== 'number') {
      throw new Error(`No place named "${location}" was found. Try the city name alone, or give latitude and longitude.`);
    }
    return {
      name: String(place.name ?? name),
      country: typeof place.country === 'string' ? place.country : null,
      admin1: typeof place.admin1 === 'string' ? place.admin1 : null,
      latitude: place.latitude,
      longitude: place.longitude,
      elevation: typeof place.elevation === 'number' ? place.elevation : null,
      timezone: typeof place.timezone === 'string' ? place.timezone : null,
    };
  }

  async function forecast(place: WeatherPlace, days: number, units: 'metric' | 'imperial', signal: AbortSignal): Promise<WeatherReport> {
    const params: Record<string, string> = {
      latitude: String(place.latitude),
      longitude: String(place.longitude),
      current: Object.keys(CURRENT_FIELDS).join(','),
      daily: Object.keys(DAILY_FIELDS).join(','),
      timezone: 'auto',
      forecast_days: String(days),
    };
    if (units === 'imperial') Object.assign(params, { temperature_unit: 'fahrenheit', wind_speed_unit: 'mph', precipitation_unit: 'inch' });
    const body = await getJson(forecastService, endpoint(settings.forecast_url, '/v1/forecast', params), signal);
    const current = body.current as Record<string, unknown> | undefined;
    const daily = body.daily as Record<string, unknown[]> | undefined;
    if (!current || typeof current.time !== 'string' || !daily || !Array.isArray(daily.time)) {
      throw new Error(`${forecastService} answered without current and daily data`);
    }
    const currentUnits = (body.current_units ?? {}) as Record<string, string>;
    const dailyUnits = (body.daily_units ?? {}) as Record<string, string>;
    const renamedCurrent: Record<string, unknown> = { time: current.time };
    for (const [field, name] of Object.entries(CURRENT_FIELDS)) if (field in current) renamedCurrent[name] = current[field];
    const report: WeatherReport = {
      location: { ...place, timezone: typeof body.timezone === 'string' ? body.timezone : place.timezone },
      current: { ...renamedCurrent, time: current.time, conditions: describeWeatherCode(current.weather_code) },
      daily: daily.time.map((date, i) => {
        const day: Record<string, unknown> = { date: String(date) };
        for (const [field, name] of Object.entries(DAILY_FIELDS)) if (Array.isArray(daily[field])) day[name] = daily[field][i] ?? null;
        return { ...day, date: String(date), conditions: describeWeatherCode(day.weather_code) };
      }),
      units: {
        temperature: currentUnits.temperature_2m ?? dailyUnits.temperature_2m_max ?? (units === 'imperial' ? '°F' : '°C'),
        wind_speed: currentUnits.wind_speed_10m ?? (units === 'imperial' ? 'mp/h' : 'km/h'),
        precipitation: currentUnits.precipitation ?? dailyUnits.precipitation_sum ?? (units === 'imperial' ? 'inch' : 'mm'),
        relative_humidity: currentUnits.relative_humidity_2m ?? '%',
        wind_direction: currentUnits.wind_direction_10m ?? '°',
      },
      source: 'Open-Meteo (open-meteo.com), CC BY 4.0',
    };
    return report;
  }

  return {
    name: 'get_weather',
    category: 'web',
    cacheable: true,
    description:
      'Get the real current weather and a daily forecast (up to 16 days) for a place, from Open-Meteo. Give a place name ' +
      '("Berlin", "Paris, France", "Springfield, Illinois") or latitude and longitude. Returns temperature, feels-like, ' +
      'humidity, precipitation, wind and conditions, plus daily highs/lows, precipitation chance and sunrise/sunset.',
    arguments: weatherArguments,
    handler: async ({ location, latitude, longitude, days, units }, ctx): Promise<WeatherReport> => {
      let place: WeatherPlace;
      if (latitude !== undefined && longitude !== undefined) {
        place = { name: location?.trim() || `${latitude}, ${longitude}`, country: null, admin1: null, latitude, longitude, elevation: null, timezone: null };
      } else if (latitude !== undefined || longitude !== undefined) {
        throw new Error('Give both latitude and longitude, or a location name');
      } else if (location) {
        place = await geocode(location, ctx.signal);
      } else {
        throw new Error('Give a location name, or latitude and longitude');
      }
      return forecast(place, days, units, ctx.signal);
    },
  };
}

function endpoint(base: string, path: string, params: Record<string, string>): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.href;
}
