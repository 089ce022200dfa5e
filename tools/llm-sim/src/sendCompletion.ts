import type { ServerResponse } from 'node:http';
import { answerIdentity, buildCompletion } from './chunks.js';
import { dropConnection } from './connection.js';
import { sendJson } from './httpIo.js';
import { pause } from './pause.js';
import type { StreamPlan } from './streamPlan.js';
import type { ChatRequest } from './types.js';

/** Answers a non-streaming request with one `chat.completion`, after the time streaming would take. */
export async function sendCompletion(response: ServerResponse, plan: StreamPlan, request: ChatRequest, signal: AbortSignal): Promise<void> {
  if (plan.cutoff) {
    await pause(plan.delayMs, signal);
    if (plan.cutoff.action === 'disconnect') {
      dropConnection(response);
    } else {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.flushHeaders();
    }
    return;
  }
  const generationMs = plan.chunkDelayMs * Math.max(0, plan.pieces.length - 1);
  await pause(plan.delayMs + generationMs, signal);
  const identity = answerIdentity(request.model, false);
  sendJson(response, 200, buildCompletion(identity, plan, plan.usagePolicy !== 'never'));
}
