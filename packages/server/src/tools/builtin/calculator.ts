import type { MathJsInstance, MathNode } from 'mathjs';
import type { ToolDefinition } from '../types.js';

export interface CalculatorArgs {
  expression: string;
  precision?: number;
}

export interface CalculatorResult {
  expression: string;
  result: number | string | boolean;
}

export const MAX_EXPRESSION_LENGTH = 1000;

/** Past this many loop steps combinations()/permutations() block the event loop for seconds; their result is Infinity long before. */
const MAX_COMBINATORIC_STEPS = 10_000;

/** A number that rounds to at most this many significant digits at 15-digit precision is shown rounded. */
const NOISE_FREE_DIGITS = 12;

/** Significant digits shown for non-number results (units, complex numbers, matrices). */
const DISPLAY_PRECISION = 14;

/**
 * Functions an expression may call. An allowlist rather than a blocklist: mathjs reaches far beyond
 * arithmetic (`config()` changes the shared instance, `range`/`ones` allocate without bound, `isPrime`
 * and the combinatorics loop for seconds), and a calculator only needs these.
 */
const ALLOWED_FUNCTIONS = new Set([
  // arithmetic, powers and logarithms
  'abs', 'add', 'subtract', 'multiply', 'divide', 'mod', 'pow', 'sqrt', 'cbrt', 'nthRoot', 'square', 'cube',
  'exp', 'expm1', 'log', 'ln', 'log10', 'log2', 'log1p', 'sign', 'hypot', 'gcd', 'lcm', 'unaryMinus', 'unaryPlus',
  'dotMultiply', 'dotDivide', 'dotPow',
  // rounding
  'round', 'floor', 'ceil', 'fix',
  // trigonometry
  'sin', 'cos', 'tan', 'sec', 'csc', 'cot', 'asin', 'acos', 'atan', 'atan2', 'asec', 'acsc', 'acot',
  'sinh', 'cosh', 'tanh', 'sech', 'csch', 'coth', 'asinh', 'acosh', 'atanh', 'asech', 'acsch', 'acoth',
  // probability and statistics
  'factorial', 'gamma', 'combinations', 'permutations', 'min', 'max', 'mean', 'median', 'mode', 'sum', 'prod',
  'std', 'variance', 'mad',
  // complex numbers
  'complex', 're', 'im', 'conj', 'arg',
  // units and conversions
  'unit', 'to', 'number',
  // comparison and logic
  'equal', 'unequal', 'larger', 'smaller', 'largerEq', 'smallerEq', 'compare', 'and', 'or', 'not', 'xor',
  'isInteger', 'isNegative', 'isPositive', 'isZero',
  // small matrices written out in the expression
  'det', 'inv', 'transpose', 'dot', 'cross', 'norm', 'size',
]);

/** Disabled as mathjs's security guide recommends, so nothing that escapes the allowlist check can reach them either. */
const DISABLED_FUNCTIONS = ['import', 'createUnit', 'evaluate', 'parse', 'simplify', 'derivative', 'resolve', 'compile', 'chain'];

const ALLOWED_NODE_TYPES = new Set([
  'ConstantNode', 'SymbolNode', 'OperatorNode', 'ParenthesisNode', 'FunctionNode', 'ArrayNode', 'ConditionalNode', 'RelationalNode',
]);

const UNSUPPORTED_NODE_SENTENCES: Record<string, string> = {
  AssignmentNode: 'Assigning variables is not supported; write the whole calculation as one expression',
  FunctionAssignmentNode: 'Defining functions is not supported; write the whole calculation as one expression',
  BlockNode: 'Only one expression can be evaluated at a time',
  AccessorNode: 'Property access and indexing are not supported',
  IndexNode: 'Property access and indexing are not supported',
  RangeNode: 'Ranges (a:b) are not supported',
  ObjectNode: 'Objects are not supported',
};

/** Name under which division is routed through the zero check; not callable from expressions (not allowlisted). */
const CHECKED_DIVIDE = 'checkedDivide';
const DIVISIONS = new Set(['divide', 'dotDivide']);

/** A failure explained to the user in its own words (not wrapped as an evaluation error). */
class CalculatorError extends Error {}

export function createCalculatorTool(): ToolDefinition<CalculatorArgs> {
  // mathjs costs ~700 ms and ~90 MB to load: load it on the first calculation, not at server start.
  let calculator: Promise<RestrictedCalculator> | null = null;
  return {
    name: 'calculator',
    category: 'math',
    cacheable: true,
    description:
      'Evaluate a math expression exactly, instead of calculating in your head. Supports + - * / ^, % (modulo, or a ' +
      'percentage: "200 * 15%"), parentheses, sqrt, cbrt, sin/cos/tan (radians; "sin(30 deg)" for degrees), ' +
      'log(x) (natural), log(x, base), ln, log10, exp, abs, round(x, n), floor, ceil, factorial ("5!"), ' +
      'combinations, mean/median/min/max/sum, complex numbers, constants pi and e, and unit conversion ' +
      '("5 km to mile", "100 degF to degC"). Variables and assignments are not supported.',
    parameters: {
      type: 'object',
      properties: {
        expression: {
          type: 'string',
          minLength: 1,
          maxLength: MAX_EXPRESSION_LENGTH,
          description: 'The expression, e.g. "(3 + 4) * sqrt(16) / 2" or "12 inch to cm".',
        },
        precision: {
          type: 'integer',
          minimum: 0,
          maximum: 20,
          description: 'Round a numeric result to this many decimal places.',
        },
      },
      required: ['expression'],
    },
    handler: async ({ expression, precision }): Promise<CalculatorResult> => {
      calculator ??= createRestrictedCalculator();
      return { expression, result: (await calculator).evaluate(expression, precision) };
    },
  };
}

interface RestrictedCalculator {
  evaluate(expression: string, precision?: number): CalculatorResult['result'];
}

async function createRestrictedCalculator(): Promise<RestrictedCalculator> {
  const { all, create } = await import('mathjs');
  if (!all) throw new Error('mathjs did not export its function set');
  const math = create(all, { number: 'number' });
  const parse = math.parse;
  const { combinations, permutations } = math;
  const divide = math.divide;
  math.import(
    {
      ...Object.fromEntries(DISABLED_FUNCTIONS.map((name) => [name, disabledFunction(name)])),
      ln: (x: number) => math.log(x),
      combinations: (n: number, k: number) => {
        assertFewSteps(Math.min(Number(k), Number(n) - Number(k)));
        return combinations(n, k);
      },
      permutations: (n: number, k?: number) => {
        assertFewSteps(Number(k ?? n));
        return k === undefined ? permutations(n) : permutations(n, k);
      },
    },
    { override: true },
  );

  const checkedDivide = (x: unknown, y: unknown): unknown => {
    if (math.isNumeric(y) && (math.isZero as (x: unknown) => unknown)(y) === true) throw new CalculatorError('Division by zero');
    return (divide as (a: unknown, b: unknown) => unknown)(x, y);
  };

  return {
    evaluate(expression, precision) {
      const source = expression.trim();
      if (source === '') throw new CalculatorError('The expression is empty');
      if (source.length > MAX_EXPRESSION_LENGTH) {
        throw new CalculatorError(`The expression is too long (${source.length} characters, at most ${MAX_EXPRESSION_LENGTH})`);
      }
      const tree = parseExpression(parse, source);
      assertAllowed(math, tree);
      try {
        const value: unknown = routeDivisions(math, tree).compile().evaluate(new Map([[CHECKED_DIVIDE, checkedDivide]]));
        return toResult(math, value, precision);
      } catch (error) {
        if (error instanceof CalculatorError) throw error;
        throw new CalculatorError(`Cannot evaluate the expression: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  };
}

function disabledFunction(name: string): () => never {
  return () => {
    throw new CalculatorError(`Function ${name} is disabled`);
  };
}

function assertFewSteps(steps: number): void {
  if (steps > MAX_COMBINATORIC_STEPS) throw new CalculatorError(`Arguments are too large (more than ${MAX_COMBINATORIC_STEPS} steps)`);
}

function parseExpression(parse: MathJsInstance['parse'], source: string): MathNode {
  try {
    return parse(source);
  } catch (error) {
    // mathjs's message carries the position, e.g. "Unexpected end of expression (char 4)".
    throw new CalculatorError(`Invalid expression: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Rejects every construct and name outside the calculator's allowlist before anything is evaluated. */
function assertAllowed(math: MathJsInstance, tree: MathNode): void {
  tree.traverse((node) => {
    if (!ALLOWED_NODE_TYPES.has(node.type)) {
      throw new CalculatorError(UNSUPPORTED_NODE_SENTENCES[node.type] ?? `${node.type} is not supported`);
    }
    if (math.isFunctionNode(node) && !math.isSymbolNode(node.fn)) {
      throw new CalculatorError('Only named functions such as sqrt(x) can be called');
    }
    if (math.isSymbolNode(node) && !isAllowedSymbol(math, node.name)) {
      throw new CalculatorError(`Function or name "${node.name}" is not available in the calculator`);
    }
  });
}

function isAllowedSymbol(math: MathJsInstance, name: string): boolean {
  // Names mathjs does not know are units ("cm") or undefined symbols, which evaluation reports itself.
  if (!(name in math)) return true;
  const value: unknown = (math as unknown as Record<string, unknown>)[name];
  if (typeof value === 'function') return ALLOWED_FUNCTIONS.has(name);
  if (typeof value === 'object' && value !== null) return math.isComplex(value);
  return true;
}

/** Sends every division (a / b, a ./ b, divide(a, b), 50%) through the zero check. */
function routeDivisions(math: MathJsInstance, node: MathNode): MathNode {
  const mapped = node.map((child) => routeDivisions(math, child));
  const isDivision =
    (math.isOperatorNode(mapped) && DIVISIONS.has(mapped.fn)) ||
    (math.isFunctionNode(mapped) && math.isSymbolNode(mapped.fn) && DIVISIONS.has(mapped.fn.name));
  if (!isDivision) return mapped;
  const args = (mapped as MathNode & { args: MathNode[] }).args;
  return new math.FunctionNode(new math.SymbolNode(CHECKED_DIVIDE), args);
}

function toResult(math: MathJsInstance, value: unknown, precision: number | undefined): CalculatorResult['result'] {
  if (typeof value === 'number') return toFiniteNumber(math, value, precision);
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  if (value === undefined || value === null) throw new CalculatorError('The expression has no value');
  if (typeof value === 'function') throw new CalculatorError('The expression is a function, not a value; call it, e.g. sqrt(16)');
  const rounded = precision === undefined ? value : roundIfPossible(math, value, precision);
  return math.format(rounded, { precision: DISPLAY_PRECISION });
}

function toFiniteNumber(math: MathJsInstance, value: number, precision: number | undefined): number {
  if (Number.isNaN(value)) throw new CalculatorError('The result is not a number (NaN)');
  if (!Number.isFinite(value)) throw new CalculatorError('The result is infinite or too large to represent');
  // Doubles carry no more than 15 reliable decimals; rounding further is a no-op, and mathjs refuses it.
  if (precision !== undefined) return math.round(value, Math.min(precision, 15));
  return withoutBinaryNoise(value);
}

/**
 * 0.1 + 0.2 gives 0.30000000000000004: when rounding to 15 significant digits leaves a short number,
 * the tail was binary noise. Values whose digits are all real (pi, 2^53) are kept as they are.
 */
function withoutBinaryNoise(value: number): number {
  if (Number.isInteger(value)) return value;
  const rounded = Number(value.toPrecision(15));
  return significantDigits(rounded) <= NOISE_FREE_DIGITS ? rounded : value;
}

function significantDigits(value: number): number {
  const mantissa = value.toExponential().split('e')[0] ?? '';
  return mantissa.replace(/[-.]/g, '').length;
}

function roundIfPossible(math: MathJsInstance, value: unknown, precision: number): unknown {
  if (!math.isComplex(value) && !math.isMatrix(value)) return value;
  return (math.round as (x: unknown, n: number) => unknown)(value, Math.min(precision, 15));
}
