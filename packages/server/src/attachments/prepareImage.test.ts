import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { makeImage } from '../../test/attachmentFixtures.js';
import { ImageError, imageDataUrl, inspectImage } from './prepareImage.js';

const decode = async (url: string) => {
  const match = /^data:(image\/\w+);base64,(.+)$/.exec(url)!;
  return { mime: match[1], meta: await sharp(Buffer.from(match[2]!, 'base64')).metadata() };
};

describe('inspectImage', () => {
  it('answers the size of a good image', async () => {
    expect(await inspectImage(await makeImage('png', 30, 20), 1e6)).toEqual({ width: 30, height: 20 });
  });
  it('refuses an image with more pixels than allowed (decompression bomb) and a damaged one', async () => {
    await expect(inspectImage(await makeImage('png', 200, 100), 10_000)).rejects.toThrow(/200×100 pixels, more than the 10,000/);
    const png = await makeImage('png', 30, 20);
    await expect(inspectImage(png.subarray(0, 30), 1e6)).rejects.toThrow(ImageError);
  });
});

describe('imageDataUrl', () => {
  it('downscales to the longest side, keeping the aspect ratio and the format', async () => {
    const { mime, meta } = await decode(await imageDataUrl(await makeImage('jpeg', 400, 200), 'image/jpeg', { maxSide: 100, maxPixels: 1e7 }));
    expect(mime).toBe('image/jpeg');
    expect([meta.width, meta.height, meta.format]).toEqual([100, 50, 'jpeg']);
  });
  it('leaves a small image its size, and sends a GIF as a PNG', async () => {
    const { mime, meta } = await decode(await imageDataUrl(await makeImage('gif', 40, 30), 'image/gif', { maxSide: 100, maxPixels: 1e7 }));
    expect(mime).toBe('image/png');
    expect([meta.width, meta.height]).toEqual([40, 30]);
  });
});
