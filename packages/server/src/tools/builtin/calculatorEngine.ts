import type { MathJsInstance, MathNode } from 'mathjs';

export type CalculatorValue = number | string | boolean;

export interface RestrictedCalculator {
  /** The value of one expression, or a sentence (thrown as an Error) saying why there is none. */
  evaluate(expression: string, precision?: number): CalculatorValue;
}

/** What the engine needs from the mathjs package (its CommonJS build in the worker). */
export interface MathJsPackage {
  create: typeof import('mathjs').create;
  all: typeof import('mathjs').all;
}

export const MAX_EXPRESSION_LENGTH = 1000;

/**
 * The calculator's restricted expression language over a private mathjs instance.
 *
 * Self-contained (it uses only its arguments and JavaScript built-ins, every constant and helper is inside)
 * because the calculator's worker runs its source text in another thread: see calculatorWorker.ts.
 */
export function createRestrictedCalculator(mathjs: MathJsPackage, maxExpressionLength: number): RestrictedCalculator {
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

  const { all, create } = mathjs;
  if (!all) throw new Error('mathjs did not export its function set');
  const math: MathJsInstance = create(all, { number: 'number' });
  const parse = math.parse;
  const { combinations, permutations } = math;
  const divide = math.divide;

  const disabledFunction = (name: string) => (): never => {
    throw new CalculatorError(`Function ${name} is disabled`);
  };
  const assertFewSteps = (steps: number): void => {
    if (steps > MAX_COMBINATORIC_STEPS) throw new CalculatorError(`Arguments are too large (more than ${MAX_COMBINATORIC_STEPS} steps)`);
  };

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

  function parseExpression(source: string): MathNode {
    try {
      return parse(source);
    } catch (error) {
      // mathjs's message carries the position, e.g. "Unexpected end of expression (char 4)".
      throw new CalculatorError(`Invalid expression: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Rejects every construct and name outside the calculator's allowlist before anything is evaluated. */
  function assertAllowed(tree: MathNode): void {
    tree.traverse((node) => {
      if (!ALLOWED_NODE_TYPES.has(node.type)) {
        throw new CalculatorError(UNSUPPORTED_NODE_SENTENCES[node.type] ?? `${node.type} is not supported`);
      }
      if (math.isFunctionNode(node) && !math.isSymbolNode(node.fn)) {
        throw new CalculatorError('Only named functions such as sqrt(x) can be called');
      }
      if (math.isSymbolNode(node) && !isAllowedSymbol(node.name)) {
        throw new CalculatorError(`Function or name "${node.name}" is not available in the calculator`);
      }
    });
  }

  function isAllowedSymbol(name: string): boolean {
    // Names mathjs does not know are units ("cm") or undefined symbols, which evaluation reports itself.
    if (!(name in math)) return true;
    const value: unknown = (math as unknown as Record<string, unknown>)[name];
    if (typeof value === 'function') return ALLOWED_FUNCTIONS.has(name);
    if (typeof value === 'object' && value !== null) return math.isComplex(value);
    return true;
  }

  /** Sends every division (a / b, a ./ b, divide(a, b), 50%) through the zero check. */
  function routeDivisions(node: MathNode): MathNode {
    const mapped = node.map((child) => routeDivisions(child));
    const isDivision =
      (math.isOperatorNode(mapped) && DIVISIONS.has(mapped.fn)) ||
      (math.isFunctionNode(mapped) && math.isSymbolNode(mapped.fn) && DIVISIONS.has(mapped.fn.name));
    if (!isDivision) return mapped;
    const args = (mapped as MathNode & { args: MathNode[] }).args;
    return new math.FunctionNode(new math.SymbolNode(CHECKED_DIVIDE), args);
  }

  function toResult(value: unknown, precision: number | undefined): CalculatorValue {
    if (typeof value === 'number') return toFiniteNumber(value, precision);
    if (typeof value === 'boolean' || typeof value === 'string') return value;
    if (value === undefined || value === null) throw new CalculatorError('The expression has no value');
    if (typeof value === 'function') throw new CalculatorError('The expression is a function, not a value; call it, e.g. sqrt(16)');
    const rounded = precision === undefined ? value : roundIfPossible(value, precision);
    return math.format(rounded, { precision: DISPLAY_PRECISION });
  }

  function toFiniteNumber(value: number, precision: number | undefined): number {
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

  function roundIfPossible(value: unknown, precision: number): unknown {
    if (!math.isComplex(value) && !math.isMatrix(value)) return value;
    return (math.round as (x: unknown, n: number) => unknown)(value, Math.min(precision, 15));
  }

  return {
    evaluate(expression, precision) {
      const source = expression.trim();
      if (source === '') throw new CalculatorError('The expression is empty');
      if (source.length > maxExpressionLength) {
        throw new CalculatorError(`The expression is too long (${source.length} characters, at most ${maxExpressionLength})`);
      }
      const tree = parseExpression(source);
      assertAllowed(tree);
      try {
        const value: unknown = routeDivisions(tree).compile().evaluate(new Map([[CHECKED_DIVIDE, checkedDivide]]));
        return toResult(value, precision);
      } catch (error) {
        if (error instanceof CalculatorError) throw error;
        throw new CalculatorError(`Cannot evaluate the expression: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  };
}
