#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { SCENARIO_NAMES } from './scenarios/index.js';
import { startSimulator } from './simulator.js';

const USAGE = `Usage: llm-sim [--port 4000] [--host 127.0.0.1] [--token-delay-ms N]

An OpenAI-compatible scripted model server. The model name picks the scenario:
${SCENARIO_NAMES.join(', ')} (any other name: demo).`;

function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    console.error(`--${name} must be a non-negative integer, got "${value}".\n\n${USAGE}`);
    process.exit(2);
  }
  return parsed;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'token-delay-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const simulator = await startSimulator({
    host: values.host ?? '127.0.0.1',
    port: numberOption('port', values.port) ?? 4000,
    tokenDelayMs: numberOption('token-delay-ms', values['token-delay-ms']),
  });
  console.log(`llm-sim listening on ${simulator.url}`);
  const stop = () => {
    simulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
