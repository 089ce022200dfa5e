import ipaddr from 'ipaddr.js';
import type { Config } from '@nanoclaw/protocol';

/** True for `localhost`, 127.0.0.0/8 and ::1 (also written as an IPv4-mapped address). */
export function isLoopbackHost(host: string): boolean {
  const name = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (!ipaddr.isValid(name)) return false;
  return ipaddr.process(name).range() === 'loopback';
}

/**
 * Single-user mode has no login: every request acts as the admin, whose agent writes files and runs
 * Python. Listening beyond loopback then hands that to the network; start-up says so loudly.
 */
export function networkExposureWarning(config: Pick<Config, 'host' | 'auth_mode'>): string | null {
  if (config.auth_mode !== 'single' || isLoopbackHost(config.host)) return null;
  return (
    `Listening on ${config.host} in single-user mode: anyone who can reach this address uses NanoClaw as its admin, ` +
    'without a password, including the file tools and Python. Set host: 127.0.0.1 (or HOST=127.0.0.1) to keep it on this machine, ' +
    'or use auth_mode: multi to require a login.'
  );
}

/** Metrics without a token on a non-loopback address: anyone who can reach it reads them (models, tools, traffic). */
export function metricsExposureWarning(config: Pick<Config, 'host' | 'metrics'>): string | null {
  if (!config.metrics.enabled || config.metrics.token !== null || isLoopbackHost(config.host)) return null;
  return `GET /metrics is served on ${config.host} without a token: anyone who can reach this address reads the metrics. Set metrics.token, or keep host on 127.0.0.1.`;
}
