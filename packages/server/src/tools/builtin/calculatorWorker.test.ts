import { afterEach, describe, expect, it } from 'vitest';
import { createCalculatorRunner, type CalculatorRunner } from './calculatorWorker.js';

const runners: CalculatorRunner[] = [];

afterEach(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.close()));
});

function runner(timeoutMs = 2000): CalculatorRunner {
  const created = createCalculatorRunner({ timeoutMs, startupTimeoutMs: 60_000 });
  runners.push(created);
  return created;
}

/**
 * A 235×235 matrix (the outer product of two written-out vectors) raised to 2^31 − 1: 62 matrix products,
 * seconds of work for an expression the allowlist accepts (every name in it is an allowed function).
 */
function runawayExpression(): string {
  const digits = Array.from({ length: 235 }, (_, i) => (i % 9) + 1).join(',');
  return `det((transpose([[${digits}]]) * [[${digits}]]) ^ (2 ^ 31 - 1))`;
}

describe('calculator worker', () => {
  it('starts its worker on the first calculation, not before', async () => {
    const calculator = runner();
    expect(calculator.stats().live).toBe(0);
    expect(await calculator.evaluate('6 * 7')).toBe(42);
    expect(calculator.stats()).toEqual({ live: 1, idle: 1 });
  });

  it('evaluates every call, concurrent ones too, in its one warm worker', async () => {
    const calculator = runner();
    const results = await Promise.all(['1 + 1', '2 * 3', 'sqrt(16)', '12 inch to cm', '1 / 0'].map((expression) =>
      calculator.evaluate(expression).catch((error: Error) => error.message),
    ));
    expect(results).toEqual([2, 6, 4, '30.48 cm', 'Division by zero']);
    expect(await calculator.evaluate('2 ^ 10')).toBe(1024);
    expect(calculator.stats()).toEqual({ live: 1, idle: 1 });
  });

  it('keeps its error sentences and precision across the thread boundary', async () => {
    const calculator = runner();
    expect(await calculator.evaluate('2 / 3', 4)).toBe(0.6667);
    await expect(calculator.evaluate('import({x: 1}, {override: true})')).rejects.toThrow(
      'Function or name "import" is not available in the calculator',
    );
    await expect(calculator.evaluate('1 +')).rejects.toThrow('Invalid expression: Unexpected end of expression (char 4)');
  });

  it('stops a runaway calculation at its deadline and answers the next one from a fresh worker', async () => {
    const calculator = runner(500);
    expect(runawayExpression().length).toBeLessThanOrEqual(1000);
    await expect(calculator.evaluate(runawayExpression())).rejects.toThrow(
      'The calculation took longer than 500 ms and was stopped; split it into smaller steps',
    );
    expect(await calculator.evaluate('6 * 7')).toBe(42);
    expect(calculator.stats()).toEqual({ live: 1, idle: 1 });
  });
});
