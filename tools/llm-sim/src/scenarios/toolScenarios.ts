import { findArithmeticExpression } from '../arithmetic.js';
import { isAfterToolResults, lastUserText, offersTools, trailingToolResults } from '../conversation.js';
import { splitIntoFragments } from '../pieces.js';
import type { ScriptedResponse } from '../types.js';
import { pieceDelay, type Scenario, type ScenarioContext } from './scenario.js';

const NO_TOOLS_ANSWER = 'No tools were offered, so I answer directly: the answer is 42.';

function calculatorArguments(context: ScenarioContext): string {
  const expression = findArithmeticExpression(lastUserText(context.request)) ?? '6*7';
  return JSON.stringify({ expression });
}

/** The answer after a tool round: quotes every result so tests can find them in the text. */
function answerFromToolResults(context: ScenarioContext): ScriptedResponse {
  const results = trailingToolResults(context.request);
  const lines = results.map((result) => `- \`${result.name ?? 'tool'}\` returned: ${result.content}`);
  return {
    kind: 'stream',
    content: `Here is what the tools returned:\n\n${lines.join('\n')}\n\nThat completes the task.`,
    chunkDelayMs: pieceDelay(context),
  };
}

function textOnly(context: ScenarioContext, content: string): ScriptedResponse {
  return { kind: 'stream', content, chunkDelayMs: pieceDelay(context) };
}

export const toolCall: Scenario = (context) => {
  if (isAfterToolResults(context.request)) return answerFromToolResults(context);
  if (!offersTools(context.request)) return textOnly(context, NO_TOOLS_ANSWER);
  return {
    kind: 'stream',
    reasoning: 'I should use the calculator for this.',
    toolCalls: [{ name: 'calculator', arguments: calculatorArguments(context) }],
    chunkDelayMs: pieceDelay(context),
  };
};

export const parallelTools: Scenario = (context) => {
  if (isAfterToolResults(context.request)) return answerFromToolResults(context);
  if (!offersTools(context.request)) return textOnly(context, NO_TOOLS_ANSWER);
  return {
    kind: 'stream',
    reasoning: 'I need two calculations and the current time; I will request them together.',
    toolCalls: [
      { name: 'calculator', arguments: JSON.stringify({ expression: '2+3' }) },
      { name: 'calculator', arguments: JSON.stringify({ expression: '6*7' }) },
      { name: 'get_current_time', arguments: '{}' },
    ],
    chunkDelayMs: pieceDelay(context),
  };
};

/** Like `tool-call`, but the arguments arrive in 1–3 character fragments. */
export const splitArgs: Scenario = (context) => {
  if (isAfterToolResults(context.request)) return answerFromToolResults(context);
  if (!offersTools(context.request)) return textOnly(context, NO_TOOLS_ANSWER);
  return {
    kind: 'stream',
    toolCalls: [{ name: 'calculator', arguments: splitIntoFragments(calculatorArguments(context)) }],
    chunkDelayMs: pieceDelay(context),
  };
};

/** Never stops asking for tools while it may, to exercise the iteration limit. */
export const toolLoop: Scenario = (context) => {
  if (!offersTools(context.request)) return textOnly(context, 'Final answer without tools.');
  return {
    kind: 'stream',
    toolCalls: [{ name: 'calculator', arguments: JSON.stringify({ expression: '1+1' }) }],
    chunkDelayMs: pieceDelay(context),
  };
};
