import { describe, expect, it } from 'vitest';
import { parseSnippet } from './snippet';

describe('parseSnippet', () => {
  it('splits marked matches from the text and decodes the escapes, never making HTML', () => {
    expect(parseSnippet('…a &#60;b&#62; <mark>naïve</mark> &amp; <mark>Café</mark>!')).toEqual([
      { text: '…a <b> ', mark: false },
      { text: 'naïve', mark: true },
      { text: ' & ', mark: false },
      { text: 'Café', mark: true },
      { text: '!', mark: false },
    ]);
    expect(parseSnippet('<mark>北京大</mark>学')).toEqual([
      { text: '北京大', mark: true },
      { text: '学', mark: false },
    ]);
  });
});
