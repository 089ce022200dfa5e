import type { IncomingMessage, ServerResponse } from 'node:http';
import { lowercasedHeaders, readBody, sendJson } from './httpIo.js';
import { resolveScenario } from './scenarios/index.js';
import { sendScriptedResponse } from './sendScriptedResponse.js';
import type { SimulatorState } from './simulatorState.js';
import type { ChatRequest, ScriptedResponse } from './types.js';
import { parseChatRequest, parseJson } from './validation.js';

function modelResponse(request: ChatRequest, state: SimulatorState): ScriptedResponse {
  const { scenario, param } = resolveScenario(request.model);
  return scenario({ request, param, tokenDelayMs: state.tokenDelayMs, rateLimitCounts: state.rateLimitCounts });
}

/** `POST /v1/chat/completions`: record the request, then play the next scripted response or the model's scenario. */
export async function handleChat(incoming: IncomingMessage, response: ServerResponse, path: string, state: SimulatorState): Promise<void> {
  const json = parseJson(await readBody(incoming));
  if (!json.ok) return sendJson(response, 400, json.error);
  const parsed = parseChatRequest(json.value);
  if (!parsed.ok) return sendJson(response, 400, parsed.error);
  const request = parsed.value;
  state.record({ path, headers: lowercasedHeaders(incoming), body: request, time: Date.now() });

  const scripted = state.takeScripted() ?? modelResponse(request, state);
  const clientGone = new AbortController();
  response.once('close', () => clientGone.abort());
  try {
    await sendScriptedResponse(response, scripted, request, {
      signal: clientGone.signal,
      defaultChunkDelayMs: state.tokenDelayMs ?? 0,
    });
  } catch (error) {
    // A client that went away mid-answer is an expected ending, not a failure.
    if (!clientGone.signal.aborted) throw error;
  }
}
