import type { ServerResponse } from 'node:http';
import { defaultErrorBody } from './errorBodies.js';
import { pause } from './pause.js';
import { sendCompletion } from './sendCompletion.js';
import { sendEventStream } from './sendEventStream.js';
import { planStream } from './streamPlan.js';
import type { ChatRequest, ScriptedError, ScriptedResponse } from './types.js';

export interface SendContext {
  signal: AbortSignal;
  /** Delay between pieces when the response does not set `chunkDelayMs`. */
  defaultChunkDelayMs: number;
}

/** Plays one scripted response (from the queue or a scenario) to the client. */
export async function sendScriptedResponse(
  response: ServerResponse,
  scripted: ScriptedResponse,
  request: ChatRequest,
  context: SendContext,
): Promise<void> {
  switch (scripted.kind) {
    case 'hang':
      return; // the socket stays open until the client or the simulator closes it
    case 'error':
      await pause(scripted.delayMs ?? 0, context.signal);
      return sendError(response, scripted);
    default: {
      const plan = planStream(scripted, request, context.defaultChunkDelayMs);
      const send = request.stream === true ? sendEventStream : sendCompletion;
      return send(response, plan, request, context.signal);
    }
  }
}

function sendError(response: ServerResponse, scripted: ScriptedError): void {
  const body = scripted.body ?? defaultErrorBody(scripted.status);
  const isText = typeof body === 'string';
  const text = isText ? body : JSON.stringify(body);
  response.writeHead(scripted.status, {
    'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json',
    'content-length': Buffer.byteLength(text),
    ...scripted.headers,
  });
  response.end(text);
}
