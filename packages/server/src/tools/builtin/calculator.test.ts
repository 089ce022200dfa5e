import { afterAll, describe, expect, it } from 'vitest';
import { createCalculatorTool, type CalculatorArgs, type CalculatorResult } from './calculator.js';
import { createToolRegistry } from '../toolRegistry.js';
import { createToolExecutor } from '../toolExecutor.js';
import type { ToolContext } from '../types.js';
import { callTool } from '../callTool.testing.js';

const tool = createCalculatorTool();
afterAll(() => tool.close());
const ctx: ToolContext = { userId: 'u', conversationId: 'c', projectId: null, model: 'm', signal: new AbortController().signal };

async function calculate(expression: string, precision?: number): Promise<CalculatorResult['result']> {
  const args: CalculatorArgs = precision === undefined ? { expression } : { expression, precision };
  // Straight to the handler: these tests are about the engine, including limits the schema checks first.
  const output = (await tool.handler(args, ctx)) as CalculatorResult;
  return output.result;
}

describe('calculator: arithmetic', () => {
  it.each<[string, number]>([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['2 ^ 10', 1024],
    ['-2 ^ 2', -4],
    ['10 % 3', 1],
    ['7 / 2', 3.5],
    ['0.1 + 0.2', 0.3],
    ['sqrt(16) + abs(-3)', 7],
    ['5!', 120],
    ['factorial(6)', 720],
    ['round(2.5) + floor(2.7) + ceil(2.1)', 8],
    ['round(3.14159, 2)', 3.14],
    ['log(100, 10)', 2],
    ['log10(1000)', 3],
    ['ln(e)', 1],
    ['log(e ^ 2)', 2],
    ['exp(0)', 1],
    ['sin(pi / 2)', 1],
    ['cos(0)', 1],
    ['tan(0)', 0],
    ['sin(30 deg)', 0.5],
    ['2 pi', 6.28318530717959],
    ['pi', Math.PI],
    ['e', Math.E],
    ['2 ^ 53', 2 ** 53],
    ['200 * 15%', 30],
    ['100 + 10%', 110],
    ['50%', 0.5],
    ['combinations(10, 3)', 120],
    ['mean(1, 2, 3, 4)', 2.5],
    ['max(3, 9, 4)', 9],
    ['det([1, 2; 3, 4])', -2],
  ])('%s = %d', async (expression, expected) => {
    expect(await calculate(expression)).toBeCloseTo(expected, 12);
  });

  it('returns the expression with the result', async () => {
    expect(await callTool(tool, { expression: '6 * 7' }, ctx)).toEqual({ expression: '6 * 7', result: 42 });
  });

  it('keeps every digit of values that are not binary noise', async () => {
    expect(await calculate('pi')).toBe(3.141592653589793);
    expect(await calculate('1 / 3')).toBe(0.3333333333333333);
  });

  it('rounds to the requested number of decimals', async () => {
    expect(await calculate('2 / 3', 4)).toBe(0.6667);
    expect(await calculate('2 / 3', 0)).toBe(1);
    expect(await calculate('2 / 3', 20)).toBeCloseTo(0.6666666666666666, 15);
  });

  it('returns units, complex numbers and matrices as text', async () => {
    expect(await calculate('12 inch to cm')).toBe('30.48 cm');
    expect(await calculate('5 km to m')).toBe('5000 m');
    expect(await calculate('sqrt(-4)')).toBe('2i');
    expect(await calculate('sqrt(-2)', 2)).toBe('1.41i');
    expect(await calculate('[1, 2] * 2')).toBe('[2, 4]');
  });

  it('returns comparisons as booleans', async () => {
    expect(await calculate('2 > 1')).toBe(true);
  });
});

describe('calculator: errors', () => {
  it.each(['1 / 0', '0 / 0', '10 / (5 - 5)', 'divide(1, 0)', '1 ./ 0', '5 / 0%', '(1 / 0) * 0'])(
    'reports %s as division by zero',
    async (expression) => {
      await expect(calculate(expression)).rejects.toThrow(/^Division by zero$/);
    },
  );

  it('reports other infinite and undefined results', async () => {
    await expect(calculate('factorial(171)')).rejects.toThrow('The result is infinite or too large to represent');
    await expect(calculate('log(0)')).rejects.toThrow('The result is infinite or too large to represent');
    await expect(calculate('Infinity - Infinity')).rejects.toThrow('The result is not a number (NaN)');
  });

  it('reports syntax errors with their position', async () => {
    await expect(calculate('1 +')).rejects.toThrow('Invalid expression: Unexpected end of expression (char 4)');
    await expect(calculate('2 * (3')).rejects.toThrow('Invalid expression: Parenthesis ) expected (char 7)');
  });

  it('reports unknown names', async () => {
    await expect(calculate('x + 1')).rejects.toThrow('Cannot evaluate the expression: Undefined symbol x');
  });

  it('rejects empty, function-valued and overlong expressions', async () => {
    await expect(calculate('   ')).rejects.toThrow('The expression is empty');
    await expect(calculate('sqrt')).rejects.toThrow('The expression is a function, not a value');
    await expect(calculate('1+'.repeat(600) + '1')).rejects.toThrow('The expression is too long (1201 characters, at most 1000)');
  });
});

describe('calculator: restricted expression language', () => {
  it.each([
    ['import({x: 1}, {override: true})', 'import'],
    ['evaluate("1")', 'evaluate'],
    ['createUnit("foo")', 'createUnit'],
    ['parse("1")', 'parse'],
    ['compile("1")', 'compile'],
    ['simplify("x + x")', 'simplify'],
    ['derivative("x^2", "x")', 'derivative'],
    ['chain(3)', 'chain'],
    ['config({number: "BigNumber"})', 'config'],
    ['typed("f", {})', 'typed'],
    ['range(1, 1e9)', 'range'],
    ['ones(1e5, 1e5)', 'ones'],
    ['constructor', 'constructor'],
  ])('refuses %s', async (expression, name) => {
    await expect(calculate(expression)).rejects.toThrow(`Function or name "${name}" is not available in the calculator`);
  });

  it('refuses assignments, function definitions, ranges, indexing, method calls and several statements', async () => {
    await expect(calculate('a = 5')).rejects.toThrow('Assigning variables is not supported');
    await expect(calculate('f(x) = x ^ 2')).rejects.toThrow('Defining functions is not supported');
    await expect(calculate('1:1e9')).rejects.toThrow('Ranges (a:b) are not supported');
    await expect(calculate('[1, 2, 3][2]')).rejects.toThrow('Property access and indexing are not supported');
    await expect(calculate('(5 cm).toNumber("mm")')).rejects.toThrow('Only named functions such as sqrt(x) can be called');
    await expect(calculate('(2 + 3i).re')).rejects.toThrow('Property access and indexing are not supported');
    await expect(calculate('1 + 1; 2 + 2')).rejects.toThrow('Only one expression can be evaluated at a time');
  });

  it('refuses combinatorics large enough to block the server', async () => {
    await expect(calculate('combinations(1e15, 5e14)')).rejects.toThrow('Arguments are too large');
    await expect(calculate('permutations(1e9, 5e8)')).rejects.toThrow('Arguments are too large');
  });

  it('cannot change the shared instance between calls', async () => {
    await expect(calculate('config({number: "BigNumber"})')).rejects.toThrow();
    expect(await calculate('0.1 + 0.2')).toBe(0.3);
  });

  it('rejects a too-long expression through the schema before evaluating it', async () => {
    const registry = createToolRegistry();
    registry.register(tool);
    const executor = createToolExecutor({ registry, maxWorkers: 1, timeoutMs: 1000, outputMaxChars: 1000 });
    const [outcome] = await executor.executeBatch(
      [{ id: '1', name: 'calculator', arguments: JSON.stringify({ expression: '1'.repeat(1001) }) }],
      ctx,
    );
    expect(outcome?.content).toBe(
      '{"success": false, "error": "Invalid arguments for calculator: \\"expression\\" must NOT have more than 1000 characters"}',
    );
  });

  it('turns a division by zero into the error result the model sees', async () => {
    const registry = createToolRegistry();
    registry.register(tool);
    const executor = createToolExecutor({ registry, maxWorkers: 1, timeoutMs: 1000, outputMaxChars: 1000 });
    const outcomes = await executor.executeBatch(
      [
        { id: '1', name: 'calculator', arguments: '{"expression": "1/0"}' },
        { id: '2', name: 'calculator', arguments: '{"expression": "2 + 2"}' },
      ],
      ctx,
    );
    expect(outcomes.map((outcome) => outcome.content)).toEqual([
      '{"success": false, "error": "Division by zero"}',
      '{"expression":"2 + 2","result":4}',
    ]);
  });
});
