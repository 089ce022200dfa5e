import { estimatePromptTokens } from '../conversation.js';
import { loremPieces } from '../lorem.js';
import { numericParam, pieceDelay, type Scenario } from './scenario.js';

const DEFAULT_PIECES = 40;

const REASONING =
  'The user wants a plain answer. Let me think it through step by step: restate the question, ' +
  'check what is being asked, then answer briefly and clearly.';

export const text: Scenario = (context) => ({
  kind: 'stream',
  content: loremPieces(Math.floor(numericParam(context, DEFAULT_PIECES))),
  chunkDelayMs: pieceDelay(context),
});

export const reasoning: Scenario = (context) => ({
  kind: 'stream',
  reasoning: REASONING,
  content: loremPieces(25),
  chunkDelayMs: pieceDelay(context),
});

/** Reports usage even when the request did not ask for it, as some providers do. */
export const usage: Scenario = (context) => {
  const content = loremPieces(20);
  return {
    kind: 'stream',
    content,
    usage: { prompt_tokens: estimatePromptTokens(context.request), completion_tokens: content.length },
    chunkDelayMs: pieceDelay(context),
  };
};

/** A provider that ignores `stream_options.include_usage`. */
export const usageNone: Scenario = (context) => ({
  kind: 'stream',
  content: loremPieces(20),
  usage: false,
  chunkDelayMs: pieceDelay(context),
});

/** `slow:MS` waits MS between pieces (default: the tokenDelayMs option, else 100). */
export const slow: Scenario = (context) => ({
  kind: 'stream',
  content: loremPieces(DEFAULT_PIECES),
  chunkDelayMs: numericParam(context, pieceDelay(context, 100)),
});
