import type { IncomingMessage, ServerResponse } from 'node:http';
import { openAiError } from './errorBodies.js';
import { handleChat } from './handleChat.js';
import { readBody, sendJson } from './httpIo.js';
import { SCENARIO_NAMES } from './scenarios/index.js';
import type { SimulatorState } from './simulatorState.js';
import { parseJson, parseScript } from './validation.js';

const STARTED_AT = Math.floor(Date.now() / 1000);

/** The path without query string, trailing slash or `/v1` prefix: `/v1/models?x=1` → `/models`. */
function routePath(url: string | undefined): string {
  const pathname = new URL(url ?? '/', 'http://sim').pathname.replace(/\/+$/, '');
  return pathname.startsWith('/v1/') ? pathname.slice(3) : pathname;
}

function listModels(response: ServerResponse): void {
  sendJson(response, 200, {
    object: 'list',
    data: SCENARIO_NAMES.map((id) => ({ id, object: 'model', created: STARTED_AT, owned_by: 'llm-sim' })),
  });
}

async function handleScript(incoming: IncomingMessage, response: ServerResponse, state: SimulatorState): Promise<void> {
  const json = parseJson(await readBody(incoming));
  const script = json.ok ? parseScript(json.value) : json;
  if (!script.ok) return sendJson(response, 400, script.error);
  state.enqueue(script.value);
  sendJson(response, 200, { queued: script.value.length });
}

export function createRouter(state: SimulatorState) {
  return async function route(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = incoming.method ?? 'GET';
    const path = routePath(incoming.url);
    const key = `${method} ${path}`;
    switch (key) {
      case 'POST /chat/completions':
        return handleChat(incoming, response, new URL(incoming.url ?? '/', 'http://sim').pathname, state);
      case 'GET /models':
        return listModels(response);
      case 'GET /_sim/requests':
        return sendJson(response, 200, state.requests());
      case 'DELETE /_sim/requests':
        state.clearRequests();
        return sendJson(response, 200, { cleared: true });
      case 'POST /_sim/script':
        return handleScript(incoming, response, state);
      case 'DELETE /_sim/script':
        state.clearScript();
        return sendJson(response, 200, { cleared: true });
      default:
        incoming.resume();
        return sendJson(response, 404, openAiError(`Unknown request URL: ${method} ${incoming.url ?? '/'}.`, 'invalid_request_error'));
    }
  };
}
