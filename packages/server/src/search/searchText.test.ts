import { describe, expect, it } from 'vitest';
import { cjkTrigramTokens, foldText, postingWords, queryWords, readableText, searchDocument, snippetOf, trigramTokens, wordLookups, wordText, MAX_INDEXED_CHARS } from './searchText.js';

describe('foldText', () => {
  it('folds case, accents and compatibility forms, keeping Japanese voicing and Korean syllables', () => {
    expect(foldText('Café NAÏVE Ångström Zürich')).toBe('cafe naive angstrom zurich');
    expect(foldText('ＡＢＣ ﬁle')).toBe('abc file');
    expect(foldText('がぎぐ パン')).toBe('がぎぐ パン');
    expect(foldText('한국어')).toBe('한국어');
    expect(foldText('北京大学')).toBe('北京大学');
  });
});

describe('queryWords', () => {
  it('splits on white space, folds and drops duplicates', () => {
    expect(queryWords('  Café   cafe\tNaïve ')).toEqual(['cafe', 'naive']);
  });
});

describe('readableText and searchDocument', () => {
  it('reads the text of user and answer contents, nothing else', () => {
    expect(readableText({ text: 'hi', attachments: [] })).toBe('hi');
    expect(readableText({ text: 'answer', tool_calls: [{ id: 'x' }], steps: [] })).toBe('answer');
    expect(readableText({ foo: 1 })).toBe('');
    expect(readableText(null)).toBe('');
    expect(searchDocument('x'.repeat(MAX_INDEXED_CHARS + 10))).toHaveLength(MAX_INDEXED_CHARS);
  });
});

describe('trigramTokens', () => {
  it('gives each three-character run inside a word once, as hex', () => {
    expect(trigramTokens('abcd ab abc')).toEqual(['616263', '626364']);
    expect(trigramTokens('北京大学')).toEqual([Buffer.from('北京大').toString('hex'), Buffer.from('京大学').toString('hex')]);
  });
});

describe('snippetOf', () => {
  it('marks every match in the original spelling and escapes the rest', () => {
    expect(snippetOf('A <b>naïve</b> question about NAIVE things', ['naive'])).toBe('A &#60;b&#62;<mark>naïve</mark>&#60;/b&#62; question about <mark>NAIVE</mark> things');
  });

  it('cuts long text around the first match', () => {
    const text = `${'lorem ipsum '.repeat(30)}the needle is here ${'dolor sit '.repeat(30)}`;
    const snippet = snippetOf(text, ['needle']);
    expect(snippet.startsWith('…')).toBe(true);
    expect(snippet.endsWith('…')).toBe(true);
    expect(snippet).toContain('the <mark>needle</mark> is here');
    expect(snippet.length).toBeLessThan(200);
  });

  it('marks Chinese substrings', () => {
    expect(snippetOf('我们明天在北京大学见面', ['北京大'])).toBe('我们明天在<mark>北京大</mark>学见面');
  });
});

describe('word indexes', () => {
  it('keeps runs of letters and digits as words, without Chinese, Japanese or Korean characters', () => {
    expect(wordText('foo_bar-baz, l’homme 東京tower 100% x')).toBe('foo bar baz l homme tower 100 x');
  });

  it('looks a query word up by its runs of 3+ letters or digits, or not at all', () => {
    expect(wordLookups('foo_bar')).toEqual(['foo', 'bar']);
    expect(wordLookups('e-mail')).toEqual(['mail']);
    expect(wordLookups('a_b')).toBeNull();
    expect(wordLookups('北京大')).toBeNull();
  });

  it('gives the distinct words of 3 to 84 characters as postings (what a 3+ character lookup can start)', () => {
    const long = 'x'.repeat(85);
    expect(postingWords(`go to the cafe-bar, the ${long} ${'y'.repeat(84)} 東京タワー 42 2024 abc`)).toEqual(['the', 'cafe', 'bar', 'y'.repeat(84), '2024', 'abc']);
    expect(postingWords('')).toEqual([]);
  });

  it('keeps trigram tokens for the CJK words only', () => {
    expect(cjkTrigramTokens('hello 北京大学 world')).toEqual(trigramTokens('北京大学'));
    expect(cjkTrigramTokens('hello world')).toEqual([]);
  });
});
