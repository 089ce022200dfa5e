import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCalculatorRunner, type CalculatorRunner } from './calculatorWorker.js';

const runners: CalculatorRunner[] = [];

afterEach(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.close()));
});

function runner(timeoutMs = 2000, idleTimeoutMs = 120_000, keepWarm = false): CalculatorRunner {
  const created = createCalculatorRunner({ timeoutMs, startupTimeoutMs: 60_000, idleTimeoutMs, keepWarm });
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
    expect(calculator.stats()).toMatchObject({ live: 1, idle: 1 });
  });

  it('warm() starts the worker before any calculation; the first calculation then starts none', async () => {
    const calculator = runner();
    await calculator.warm();
    expect(calculator.stats()).toEqual({ live: 1, idle: 1, started: 1 });
    expect(await calculator.evaluate('6 * 7')).toBe(42);
    expect(calculator.stats()).toEqual({ live: 1, idle: 1, started: 1 });
  });

  it('kept warm, its worker stays loaded past the idle timeout', async () => {
    const calculator = runner(2000, 50, true);
    await calculator.warm();
    expect(calculator.stats()).toEqual({ live: 1, idle: 1, started: 1 });
    expect(await calculator.evaluate('6 * 7')).toBe(42);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(calculator.stats()).toEqual({ live: 1, idle: 1, started: 1 });
  });

  it('evaluates every call, concurrent ones too, in its one warm worker, with the same results and sentences', async () => {
    const calculator = runner();
    const calls: Array<[string, number?]> = [['1 + 1'], ['2 / 3', 4], ['12 inch to cm'], ['1 / 0'], ['import({x: 1}, {override: true})'], ['1 +']];
    const results = await Promise.all(
      calls.map(([expression, precision]) => calculator.evaluate(expression, precision).catch((error: Error) => error.message)),
    );
    expect(results).toEqual([
      2,
      0.6667,
      '30.48 cm',
      'Division by zero',
      'Function or name "import" is not available in the calculator',
      'Invalid expression: Unexpected end of expression (char 4)',
    ]);
    expect(await calculator.evaluate('2 ^ 10')).toBe(1024);
    expect(calculator.stats()).toMatchObject({ live: 1, idle: 1 });
  });

  it('stops its worker after a while without calculations, giving its memory back, and starts another when needed', async () => {
    const calculator = runner(2000, 200);
    expect(await calculator.evaluate('6 * 7')).toBe(42);
    await vi.waitFor(() => expect(calculator.stats()).toMatchObject({ live: 0, idle: 0 }), { timeout: 10_000 });
    expect(await calculator.evaluate('6 * 8')).toBe(48);
  });

  it('stops a runaway calculation at its deadline and answers the next one from a fresh worker', async () => {
    const calculator = runner(500);
    expect(runawayExpression().length).toBeLessThanOrEqual(1000);
    await expect(calculator.evaluate(runawayExpression())).rejects.toThrow(
      'The calculation took longer than 500 ms and was stopped; split it into smaller steps',
    );
    expect(await calculator.evaluate('6 * 7')).toBe(42);
    expect(calculator.stats()).toMatchObject({ live: 1, idle: 1 });
  });
});
