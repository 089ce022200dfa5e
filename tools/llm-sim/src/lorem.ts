const WORDS = (
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore ' +
  'et dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ' +
  'ex ea commodo consequat duis aute irure in reprehenderit voluptate velit esse cillum fugiat nulla pariatur'
).split(' ');

const SENTENCE_LENGTH = 9;

/** Exactly `count` word pieces of lorem-style sentences, each piece a word plus its trailing space. */
export function loremPieces(count: number): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < count; i++) {
    const word = WORDS[i % WORDS.length] ?? 'lorem';
    const startsSentence = i % SENTENCE_LENGTH === 0;
    const endsSentence = i % SENTENCE_LENGTH === SENTENCE_LENGTH - 1 || i === count - 1;
    const text = startsSentence ? word.charAt(0).toUpperCase() + word.slice(1) : word;
    pieces.push(endsSentence ? (i === count - 1 ? `${text}.` : `${text}. `) : `${text} `);
  }
  return pieces;
}
