import { describe, expect, it } from 'vitest';
import { describeLastUserParts } from './contentParts.js';

// A 3×2 PNG's first 24 bytes: signature, IHDR length and type, width, height.
const pngHead = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.from([0, 0, 0, 3, 0, 0, 0, 2])]);

describe('the parts scenario', () => {
  it('describes the last user message: text lengths, and each image part (type, bytes, PNG size)', () => {
    const parts = describeLastUserParts({
      model: 'parts',
      messages: [
        { role: 'user', content: 'earlier' },
        { role: 'assistant', content: 'ok' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is it?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${pngHead.toString('base64')}` } },
            { type: 'image_url', image_url: { url: 'https://example.com/x.jpg' } },
          ],
        },
      ],
    });
    expect(parts).toEqual([
      { type: 'text', chars: 11 },
      { type: 'image_url', url_scheme: 'data', mime: 'image/png', bytes: 24, width: 3, height: 2 },
      { type: 'image_url', url_scheme: 'https' },
    ]);
  });

  it('counts a plain string as one text part', () => {
    expect(describeLastUserParts({ model: 'parts', messages: [{ role: 'user', content: 'hello' }] })).toEqual([{ type: 'text', chars: 5 }]);
  });
});
