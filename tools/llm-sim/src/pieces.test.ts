import { describe, expect, it } from 'vitest';
import { findArithmeticExpression } from './arithmetic.js';
import { loremPieces } from './lorem.js';
import { splitIntoFragments, splitIntoPieces } from './pieces.js';

describe('splitIntoPieces', () => {
  it('splits into words that concatenate back exactly, whitespace included', () => {
    const text = '  Hello,  world!\n\nSecond line\twith tabs ';
    const pieces = splitIntoPieces(text);
    expect(pieces.join('')).toBe(text);
    expect(pieces).toEqual(['  ', 'Hello,  ', 'world!\n\n', 'Second ', 'line\t', 'with ', 'tabs ']);
  });

  it('gives no pieces for empty text', () => {
    expect(splitIntoPieces('')).toEqual([]);
  });
});

describe('splitIntoFragments', () => {
  it('cuts text into 1-3 character fragments', () => {
    const fragments = splitIntoFragments('{"expression":"6*7"}');
    expect(fragments.join('')).toBe('{"expression":"6*7"}');
    expect(fragments.every((fragment) => fragment.length >= 1 && fragment.length <= 3)).toBe(true);
  });
});

describe('loremPieces', () => {
  it('makes exactly the number of pieces asked for', () => {
    expect(loremPieces(0)).toEqual([]);
    expect(loremPieces(2000)).toHaveLength(2000);
    expect(loremPieces(3).join('')).toBe('Lorem ipsum dolor.');
  });
});

describe('findArithmeticExpression', () => {
  it.each([
    ['what is 17*23?', '17*23'],
    ['compute 2 + 2 = ?', '2 + 2'],
    ['(12.5 / 5) ^ 2 please', '(12.5 / 5) ^ 2'],
    ['(so what is 2+3)', '2+3'],
    ['is it (2+3)?', '(2+3)'],
    ['10 % 3', '10 % 3'],
  ])('finds the expression in %j', (text, expected) => {
    expect(findArithmeticExpression(text)).toBe(expected);
  });

  it.each(['hello there', 'I have 3 cats', '50% of people'])('finds none in %j', (text) => {
    expect(findArithmeticExpression(text)).toBeUndefined();
  });
});
