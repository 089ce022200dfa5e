import { describe, expect, it } from 'vitest';
import { cleanModelTitle, firstWordsTitle } from './conversationTitle.js';

describe('firstWordsTitle', () => {
  it('keeps a short question whole and cuts a long one at a word boundary', () => {
    expect(firstWordsTitle('  what is\n17*23? ', 30)).toBe('what is 17*23?');
    expect(firstWordsTitle('Please summarise the quarterly report for the board', 30)).toBe('Please summarise the quarterly');
  });

  it('cuts where the limit is when there is no space to cut at (one long word, Chinese)', () => {
    expect(firstWordsTitle('请帮我总结一下这份季度报告的要点并给出建议以及后续的行动计划和负责人', 10)).toBe('请帮我总结一下这份季');
    expect(firstWordsTitle('a supercalifragilisticexpialidocious word', 12)).toBe('a supercalif');
  });
});

describe('cleanModelTitle', () => {
  it('keeps the plain words of the first line', () => {
    expect(cleanModelTitle('"Multiplying Two Numbers."\nThis title says…', 60)).toBe('Multiplying Two Numbers');
    expect(cleanModelTitle('Title: **Weekend trip to Kyoto**', 60)).toBe('Weekend trip to Kyoto');
    expect(cleanModelTitle('标题：「季度报告摘要」。', 60)).toBe('季度报告摘要');
    expect(cleanModelTitle('<think>the user asks about maths</think>\n# Simple arithmetic', 60)).toBe('Simple arithmetic');
  });

  it('answers nothing usable as empty, and a long title cut to the limit', () => {
    expect(cleanModelTitle('  \n "" \n', 60)).toBe('');
    expect(cleanModelTitle('A very long title that goes on and on about many things at once', 30)).toBe('A very long title that goes on');
  });
});
