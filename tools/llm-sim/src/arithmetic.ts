const CANDIDATE = /[\d(.][\d\s+\-*/^().%]*/g;
const HAS_OPERATION = /[\d)%]\s*[+\-*/^%]\s*[\d(.]/;

/**
 * The longest arithmetic expression in free text ("what is 17*23?" → "17*23"), or undefined.
 * A run of digits, operators and parentheses counts only if an operator joins two operands.
 */
export function findArithmeticExpression(text: string): string | undefined {
  let best: string | undefined;
  for (const match of text.matchAll(CANDIDATE)) {
    const expression = balanceParentheses(match[0].replace(/[\s+\-*/^(.]+$/, '').trim());
    if (HAS_OPERATION.test(expression) && expression.length > (best?.length ?? 0)) best = expression;
  }
  return best;
}

/** Drops parentheses that belong to the surrounding prose, e.g. "(is it 2+3)" → "2+3". */
function balanceParentheses(expression: string): string {
  let result = expression;
  const count = (char: string) => [...result].filter((c) => c === char).length;
  while (result.endsWith(')') && count(')') > count('(')) result = result.slice(0, -1).trimEnd();
  while (result.startsWith('(') && count('(') > count(')')) result = result.slice(1).trimStart();
  return result;
}
