import { describe, expect, it } from 'vitest';
import { isLoopbackHost, metricsExposureWarning, networkExposureWarning } from './networkExposureWarning.js';

describe('networkExposureWarning', () => {
  it('knows loopback addresses and names', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', 'nanoclaw.internal']) expect(isLoopbackHost(host), host).toBe(false);
  });

  it('warns when single-user mode listens beyond loopback, and only then', () => {
    expect(networkExposureWarning({ host: '0.0.0.0', auth_mode: 'single' })).toMatch(/^Listening on 0\.0\.0\.0 in single-user mode: anyone who can reach this address/);
    expect(networkExposureWarning({ host: '127.0.0.1', auth_mode: 'single' })).toBeNull();
    expect(networkExposureWarning({ host: '0.0.0.0', auth_mode: 'multi' })).toBeNull();
  });

  it('warns when metrics are served beyond loopback without a token, and only then', () => {
    const on = { enabled: true, token: null };
    expect(metricsExposureWarning({ host: '0.0.0.0', metrics: on })).toMatch(/^GET \/metrics is served on 0\.0\.0\.0 without a token/);
    expect(metricsExposureWarning({ host: '127.0.0.1', metrics: on })).toBeNull();
    expect(metricsExposureWarning({ host: '0.0.0.0', metrics: { enabled: true, token: 'x'.repeat(16) } })).toBeNull();
    expect(metricsExposureWarning({ host: '0.0.0.0', metrics: { enabled: false, token: null } })).toBeNull();
  });
});
