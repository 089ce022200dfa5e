import { loremPieces } from '../lorem.js';
import { numericParam, pieceDelay, type Scenario } from './scenario.js';

/** `rate-limit:K`: the first K requests of a conversation get 429, later ones succeed. */
export const rateLimit: Scenario = (context) => {
  const allowedFailures = Math.floor(numericParam(context, 1));
  const key = JSON.stringify(context.request.messages);
  const failures = context.rateLimitCounts.get(key) ?? 0;
  if (failures < allowedFailures) {
    context.rateLimitCounts.set(key, failures + 1);
    return { kind: 'error', status: 429, headers: { 'retry-after': '0', 'retry-after-ms': '10' } };
  }
  return { kind: 'stream', content: loremPieces(20), chunkDelayMs: pieceDelay(context) };
};

export const error500: Scenario = () => ({ kind: 'error', status: 500 });

export const error503: Scenario = () => ({ kind: 'error', status: 503 });

export const hang: Scenario = () => ({ kind: 'hang' });

/** `disconnect:N`: N pieces (default 5) of a longer answer, then the socket is destroyed. */
export const disconnect: Scenario = (context) => ({
  kind: 'disconnect',
  afterPieces: Math.floor(numericParam(context, 5)),
  content: loremPieces(40),
  chunkDelayMs: pieceDelay(context),
});

/** `stall:N`: N pieces (default 5) of a longer answer, then silence on an open connection. */
export const stall: Scenario = (context) => ({
  kind: 'stall',
  afterPieces: Math.floor(numericParam(context, 5)),
  content: loremPieces(40),
  chunkDelayMs: pieceDelay(context),
});
