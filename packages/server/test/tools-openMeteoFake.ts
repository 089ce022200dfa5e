import type { IncomingMessage, ServerResponse } from 'node:http';
import { send } from './tools-fakeServers.js';

/** Geocoding answers shaped like geocoding-api.open-meteo.com/v1/search (recorded shape, values written by hand). */
const PLACES: Record<string, object[]> = {
  berlin: [
    { id: 2950159, name: 'Berlin', latitude: 52.52437, longitude: 13.41053, elevation: 74.0, feature_code: 'PPLC', country_code: 'DE', admin1_id: 2950157, timezone: 'Europe/Berlin', population: 3426354, country_id: 2921044, country: 'Germany', admin1: 'Land Berlin' },
    { id: 5083330, name: 'Berlin', latitude: 44.46867, longitude: -71.18508, elevation: 311.0, feature_code: 'PPL', country_code: 'US', admin1_id: 5090174, admin2_id: 5084973, timezone: 'America/New_York', population: 9367, country_id: 6252001, country: 'United States', admin1: 'New Hampshire', admin2: 'Coos' },
  ],
  paris: [
    { id: 2988507, name: 'Paris', latitude: 48.85341, longitude: 2.3488, elevation: 42.0, feature_code: 'PPLC', country_code: 'FR', timezone: 'Europe/Paris', population: 2138551, country: 'France', admin1: 'Île-de-France' },
    { id: 4717560, name: 'Paris', latitude: 33.66094, longitude: -95.55551, elevation: 183.0, feature_code: 'PPLA2', country_code: 'US', timezone: 'America/Chicago', population: 24171, country: 'United States', admin1: 'Texas', admin2: 'Lamar' },
  ],
};

export function forecastAnswer(params: URLSearchParams): object {
  const imperial = params.get('temperature_unit') === 'fahrenheit';
  const days = Number(params.get('forecast_days') ?? '7');
  const dates = Array.from({ length: days }, (_, i) => `2025-06-${String(10 + i).padStart(2, '0')}`);
  return {
    latitude: 52.52,
    longitude: 13.419998,
    generationtime_ms: 0.0795125961303711,
    utc_offset_seconds: 7200,
    timezone: 'Europe/Berlin',
    timezone_abbreviation: 'GMT+2',
    elevation: 38.0,
    current_units: {
      time: 'iso8601', interval: 'seconds', temperature_2m: imperial ? '°F' : '°C', apparent_temperature: imperial ? '°F' : '°C',
      relative_humidity_2m: '%', precipitation: imperial ? 'inch' : 'mm', cloud_cover: '%', wind_speed_10m: imperial ? 'mp/h' : 'km/h',
      wind_direction_10m: '°', wind_gusts_10m: imperial ? 'mp/h' : 'km/h', weather_code: 'wmo code', is_day: '',
    },
    current: {
      time: '2025-06-10T14:15', interval: 900, temperature_2m: imperial ? 70.3 : 21.3, apparent_temperature: imperial ? 69.1 : 20.6,
      relative_humidity_2m: 48, precipitation: 0.0, cloud_cover: 75, wind_speed_10m: imperial ? 8.1 : 13.0, wind_direction_10m: 274,
      wind_gusts_10m: imperial ? 19.2 : 30.9, weather_code: 2, is_day: 1,
    },
    daily_units: {
      time: 'iso8601', weather_code: 'wmo code', temperature_2m_max: imperial ? '°F' : '°C', temperature_2m_min: imperial ? '°F' : '°C',
      precipitation_sum: imperial ? 'inch' : 'mm', precipitation_probability_max: '%', wind_speed_10m_max: imperial ? 'mp/h' : 'km/h', sunrise: 'iso8601', sunset: 'iso8601',
    },
    daily: {
      time: dates,
      weather_code: dates.map((_, i) => [2, 61, 95, 3][i % 4]),
      temperature_2m_max: dates.map((_, i) => (imperial ? 73.4 : 23.0) + i),
      temperature_2m_min: dates.map((_, i) => (imperial ? 55.2 : 12.9) + i),
      precipitation_sum: dates.map((_, i) => (i === 1 ? 4.2 : 0.0)),
      precipitation_probability_max: dates.map((_, i) => (i === 1 ? 80 : 10)),
      wind_speed_10m_max: dates.map(() => 18.7),
      sunrise: dates.map((d) => `${d}T04:44`),
      sunset: dates.map((d) => `${d}T21:27`),
    },
  };
}

/** Serves /v1/search and /v1/forecast the way Open-Meteo does, including its {"error": true, "reason"} refusals. */
export function openMeteoHandler(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/v1/search') {
    const name = (url.searchParams.get('name') ?? '').toLowerCase();
    const results = PLACES[name];
    // Open-Meteo leaves out "results" when nothing matches.
    return send(res, 200, 'application/json; charset=utf-8', JSON.stringify(results ? { results, generationtime_ms: 0.61 } : { generationtime_ms: 0.4 }));
  }
  if (url.pathname === '/v1/forecast') {
    const latitude = Number(url.searchParams.get('latitude'));
    if (!Number.isFinite(latitude) || latitude > 90 || latitude < -90) {
      return send(res, 400, 'application/json; charset=utf-8', JSON.stringify({ error: true, reason: `Latitude must be in range of -90 to 90°. Given: ${url.searchParams.get('latitude')}.` }));
    }
    if (url.searchParams.get('forecast_days') === '99') {
      return send(res, 400, 'application/json; charset=utf-8', JSON.stringify({ error: true, reason: 'Forecast days is invalid. Allowed range 0 to 16.' }));
    }
    return send(res, 200, 'application/json; charset=utf-8', JSON.stringify(forecastAnswer(url.searchParams)));
  }
  send(res, 404, 'application/json', JSON.stringify({ error: true, reason: 'Not Found' }));
}
