import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_PREFIX } from '../src/http/apiDocs.js';
import { STATIC_UI_ROUTES } from '../src/http/staticUi.js';
import { startMultiUserServer } from './authHelpers.js';
import type { TestServer } from './helpers.js';

/** A Fastify URL pattern as OpenAPI writes it: `/a/:id/*` → `/a/{id}/{*}`. */
function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*$/, '{*}');
}

describe('OpenAPI document', () => {
  let t: TestServer;
  let doc: any;
  beforeAll(async () => {
    // Multi-user mode: the document and its page are public even there.
    t = await startMultiUserServer();
    const res = await fetch(`${t.url}/api/openapi.json`);
    expect(res.status).toBe(200);
    doc = await res.json();
  });
  afterAll(() => t.close());

  it('is OpenAPI 3.1 and lists every route the app registered', () => {
    expect(doc.openapi).toBe('3.1.0');
    // Enumerated from the app itself, so routes added later are checked too. Left out, and only these: the
    // web app's own pages (not API) and the docs page's own files; HEAD, which Fastify adds beside each GET.
    const routes = t.server.app
      .registeredRoutes()
      .filter(({ url, method }) => !STATIC_UI_ROUTES.includes(url) && !url.startsWith(DOCS_PREFIX) && method !== 'HEAD');
    expect(routes.length).toBeGreaterThan(30);
    const missing = routes.filter(({ method, url }) => !doc.paths[openApiPath(url)]?.[method.toLowerCase()]).map(({ method, url }) => `${method} ${url}`);
    expect(missing).toEqual([]);
    for (const path of ['/api/api-keys', '/v1/chat/completions', '/v1/models', '/api/openapi.json']) expect(doc.paths[path]).toBeDefined();
    // The web app's pages are not API, and operations are grouped by resource.
    expect(doc.paths['/']).toBeUndefined();
    expect(doc.paths['/api/projects/{id}/files/{*}'].get.tags).toEqual(['projects']);
    expect(doc.paths['/v1/chat/completions'].post.tags).toEqual(['openai']);
  });

  it('describes request bodies and queries with the zod schemas that validate them', () => {
    const keyBody = doc.paths['/api/api-keys'].post.requestBody.content['application/json'].schema;
    expect(keyBody.properties.name).toMatchObject({ type: 'string', minLength: 1, maxLength: 100 });
    const completion = doc.paths['/v1/chat/completions'].post.requestBody.content['application/json'].schema;
    expect(completion.required).toEqual(expect.arrayContaining(['model', 'messages']));
    expect(completion.properties.messages.minItems).toBe(1);
    const stats = doc.paths['/api/stats/tokens'].get.parameters;
    expect(stats).toEqual([expect.objectContaining({ name: 'period', in: 'query', schema: expect.objectContaining({ enum: ['daily', 'weekly', 'monthly'] }) })]);
  });

  it('has a docs page at /api/docs with a strict Content-Security-Policy', async () => {
    const res = await fetch(`${t.url}/api/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toMatch(/https:|upgrade-insecure-requests|validator\.swagger\.io/);
    expect(await res.text()).toContain('swagger-ui');
    // Only the docs page's own responses carry it: the API does not.
    expect((await fetch(`${t.url}/api/auth/mode`)).headers.get('content-security-policy')).toBeNull();
  });
});
