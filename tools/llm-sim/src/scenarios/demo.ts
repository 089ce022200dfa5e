import { findArithmeticExpression } from '../arithmetic.js';
import { isAfterToolResults, lastUserText, offersTool, toolResultValue, trailingToolResults, type ToolResult } from '../conversation.js';
import type { ScriptedResponse } from '../types.js';
import { pieceDelay, type Scenario, type ScenarioContext } from './scenario.js';

const DEMO_DELAY_MS = 25;
const TIME_QUESTION = /\b(time|date|clock)\b|时间|几点|日期/i;

const WELCOME = `Hi! I'm **NanoClaw's offline demo model**: a scripted simulator, not a real LLM, so you can explore the app without an API key.

To chat with a real model, connect a provider in one of two ways:

- list it under \`models:\` in \`config.yml\`, or
- set \`OPENAI_API_KEY\` (and \`OPENAI_BASE_URL\` for any OpenAI-compatible server) before starting NanoClaw.

\`\`\`yaml
models:
  - id: gpt-4o-mini
    name: GPT-4o mini
    api_url: https://api.openai.com/v1/chat/completions
    api_key: \${OPENAI_API_KEY}
\`\`\`

Things to try with me meanwhile:

1. Ask me to compute \`17*23\`: I'll call the **calculator** tool.
2. Ask me what time it is: I'll call **get_current_time**.
3. Watch each step (thinking, tool call, tool result) stream in live.`;

function quote(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 80 ? `${oneLine.slice(0, 77)}...` : oneLine;
}

function answer(context: ScenarioContext, reasoning: string, content: string): ScriptedResponse {
  return { kind: 'stream', reasoning, content, chunkDelayMs: pieceDelay(context, DEMO_DELAY_MS) };
}

function callTool(context: ScenarioContext, reasoning: string, name: string, args: object): ScriptedResponse {
  return {
    kind: 'stream',
    reasoning,
    toolCalls: [{ name, arguments: JSON.stringify(args) }],
    chunkDelayMs: pieceDelay(context, DEMO_DELAY_MS),
  };
}

function firstRound(context: ScenarioContext): ScriptedResponse {
  const { request } = context;
  const question = lastUserText(request);
  const asked = question ? `The user asked "${quote(question)}"` : 'The user sent a message';
  const expression = findArithmeticExpression(question);
  if (expression && offersTool(request, 'calculator')) {
    return callTool(context, `${asked}; I'll compute ${expression} with the calculator tool instead of guessing.`, 'calculator', {
      expression,
    });
  }
  if (TIME_QUESTION.test(question) && offersTool(request, 'get_current_time')) {
    return callTool(context, `${asked}; I'll check the clock with the get_current_time tool.`, 'get_current_time', {});
  }
  if (expression || TIME_QUESTION.test(question)) {
    const content = `I'd use a tool for that, but none that fits is enabled in this conversation.\n\n${WELCOME}`;
    return answer(context, `${asked}; the tool I need isn't available, so I'll explain how to enable tools.`, content);
  }
  return answer(context, `${asked}; I'll introduce myself and explain how to connect a real model.`, WELCOME);
}

function resultSentence(result: ToolResult, expression: string | undefined): string {
  const { ok, value } = toolResultValue(result.content);
  if (!ok) return `The \`${result.name ?? 'tool'}\` tool reported an error: ${value}`;
  if (result.name === 'calculator') return expression ? `**${expression} = ${value}**` : `The result is **${value}**.`;
  if (result.name === 'get_current_time') return `It's currently **${timeText(value)}**.`;
  return `The \`${result.name ?? 'tool'}\` tool returned: ${value}`;
}

/**
 * get_current_time answers an object (`{timezone, iso, local, unix, weekday}`): its readable `local` text,
 * with the zone when `local` does not already name it; any other answer as it is.
 */
function timeText(value: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return value;
  }
  if (typeof parsed !== 'object' || parsed === null) return value;
  const { local, timezone } = parsed as { local?: unknown; timezone?: unknown };
  if (typeof local !== 'string') return value;
  return typeof timezone === 'string' && !local.includes(timezone) ? `${local} (${timezone})` : local;
}

function afterToolRound(context: ScenarioContext): ScriptedResponse {
  const results = trailingToolResults(context.request);
  const expression = findArithmeticExpression(lastUserText(context.request));
  const sentences = results.map((result) => resultSentence(result, expression));
  const content =
    `${sentences.join('\n\n')}\n\n` +
    'Every tool call shows up as its own step above, with its arguments and result. ' +
    'Connect a real model to ask anything else.';
  const names = [...new Set(results.flatMap((result) => (result.name ? [result.name] : [])))].join(' and ');
  return answer(context, `The ${names ? `${names} ` : ''}tool answered; I'll present the result.`, content);
}

/** The offline demo a newcomer sees: thinks, calls a tool when it helps, explains how to connect a real model. */
export const demo: Scenario = (context) => (isAfterToolResults(context.request) ? afterToolRound(context) : firstRound(context));
