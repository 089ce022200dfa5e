import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerStaticUi } from './staticUi.js';

let dir: string;
let app: FastifyInstance;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nc-ui-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>ui</title>');
  writeFileSync(join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
  writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
  app = Fastify();
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ code: 404, message: `No route ${request.method} ${request.url}` }));
  app.get('/api/ping', async () => ({ code: 0, data: 'pong' }));
  expect(registerStaticUi(app, dir)).toBe(true);
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('serving the built web UI', () => {
  it('answers the app at / with a content security policy and no caching', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.body).toContain('<title>ui</title>');
  });

  it('answers the app for its own routes (reload on /c/:id), hashed assets cached for a year', async () => {
    expect((await app.inject({ method: 'GET', url: '/c/123?x=1' })).body).toContain('<title>ui</title>');
    const asset = await app.inject({ method: 'GET', url: '/assets/app-1234.js' });
    expect(asset.headers['content-type']).toContain('text/javascript');
    expect(asset.headers['cache-control']).toContain('immutable');
    expect(asset.body).toBe('console.log(1)');
    expect((await app.inject({ method: 'HEAD', url: '/favicon.svg' })).statusCode).toBe(200);
  });

  it('keeps /api for the API: unknown API paths and missing files are 404s, never the app', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/ping' })).json()).toEqual({ code: 0, data: 'pong' });
    const unknown = await app.inject({ method: 'GET', url: '/api/nope' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/assets/missing.js' })).statusCode).toBe(404);
  });

  it('keeps /v1 and the operational paths out of the app too: JSON 404s, not its HTML', async () => {
    for (const url of ['/api', '/v1', '/v1/models', '/healthz', '/health', '/ready', '/metrics', '/openapi.json', '/docs/x']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toContain('application/json');
    }
    // Only whole segments: an app route that merely starts the same way is still the app.
    expect((await app.inject({ method: 'GET', url: '/v1beta-notes' })).body).toContain('<title>ui</title>');
  });

  it('never leaves the UI folder', async () => {
    for (const url of ['/../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2f..%2fetc%2fpasswd', '/%00']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.body).not.toContain('root:');
    }
  });

  it('registers nothing when the UI has not been built', () => {
    expect(registerStaticUi(Fastify(), join(dir, 'nowhere'))).toBe(false);
  });
});
