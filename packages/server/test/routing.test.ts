import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation, startTestServer, type TestServer } from './helpers.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.close();
});

describe('paths, methods and content types', () => {
  it('answers an unknown API path with a JSON 404', async () => {
    const res = await fetch(`${t.url}/api/no-such-thing?x=1`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ code: 404, message: 'No route GET /api/no-such-thing.' });
  });

  it('answers a known path with the wrong method 405, with Allow', async () => {
    const models = await fetch(`${t.url}/api/models`, { method: 'DELETE' });
    expect(models.status).toBe(405);
    expect(models.headers.get('allow')).toBe('GET, HEAD');
    expect(await models.json()).toEqual({ code: 405, message: 'DELETE is not allowed on /api/models; use GET, HEAD.' });

    const conversation = await createConversation(t);
    const one = await fetch(`${t.url}/api/conversations/${conversation.id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(one.status).toBe(405);
    expect(one.headers.get('allow')).toBe('DELETE, GET, HEAD, PATCH');
    // Still a 404 when no method has the path.
    expect((await fetch(`${t.url}/api/conversations/${conversation.id}/nothing`, { method: 'PUT' })).status).toBe(404);
  });

  it('answers 415 to a body that is not JSON, on every route that takes JSON, and changes nothing', async () => {
    const before = (await t.api('GET', '/api/conversations')).body.data.items.length;
    const attempts: Array<[string, string, string, BodyInit]> = [
      ['POST', '/api/conversations', 'text/plain', '{"title":"x"}'],
      ['POST', '/api/conversations', 'application/x-www-form-urlencoded', 'title=x'],
      ['POST', '/api/conversations', 'text/csv', 'title\nx'],
    ];
    const project = (await t.api('POST', '/api/projects', { name: 'p415' })).body.data;
    const form = new FormData();
    form.append('content', 'hello');
    // The files routes also accept multipart (for uploads): a multipart body is still no JSON body for a write.
    attempts.push(['PUT', `/api/projects/${project.id}/files/a.txt`, '', form]);
    for (const [method, path, type, body] of attempts) {
      const res = await fetch(`${t.url}${path}`, { method, headers: type ? { 'content-type': type } : {}, body });
      expect(res.status, `${method} ${path} ${type}`).toBe(415);
      expect((await res.json()).message).toMatch(/^Send the request body as application\/json/);
    }
    expect((await t.api('GET', '/api/conversations')).body.data.items.length).toBe(before);
    expect((await t.api('GET', `/api/projects/${project.id}/files?path=`)).body.data.items).toEqual([]);
  });
});
