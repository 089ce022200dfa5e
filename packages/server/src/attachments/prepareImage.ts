import sharp, { type Metadata } from 'sharp';

/** An image that cannot be used: damaged, or too many pixels to decode safely. */
export class ImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageError';
  }
}

/** Checks an uploaded image decodes and is not a decompression bomb; answers its size in pixels. */
export async function inspectImage(bytes: Buffer, maxPixels: number): Promise<{ width: number; height: number }> {
  let metadata: Metadata;
  try {
    // Only the header is read here; the pixel count is checked below, before anything decodes the image.
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw new ImageError('The image could not be read: it is damaged or not really an image.');
  }
  const width = metadata.width ?? 0;
  const height = metadata.height ?? 0;
  if (!width || !height) throw new ImageError('The image could not be read: it has no size.');
  if (width * height > maxPixels) throw new ImageError(`The image is ${width}×${height} pixels, more than the ${maxPixels.toLocaleString('en')} pixels allowed.`);
  return { width, height };
}

/**
 * The image as a model sees it: turned upright (EXIF orientation), its longest side at most `maxSide`
 * pixels, as a base64 data URL. PNG and JPEG stay as they are; WebP stays WebP; a GIF (maybe animated)
 * becomes a PNG of its first frame. sharp works in libuv's thread pool, off the event loop.
 */
export async function imageDataUrl(bytes: Buffer, mime: string, options: { maxSide: number; maxPixels: number }): Promise<string> {
  try {
    let pipeline = sharp(bytes, { limitInputPixels: options.maxPixels, animated: false })
      .rotate()
      .resize({ width: options.maxSide, height: options.maxSide, fit: 'inside', withoutEnlargement: true });
    let outMime = mime;
    if (mime === 'image/jpeg') pipeline = pipeline.jpeg({ quality: 85 });
    else if (mime === 'image/webp') pipeline = pipeline.webp({ quality: 85 });
    else {
      pipeline = pipeline.png();
      outMime = 'image/png';
    }
    const out = await pipeline.toBuffer();
    return `data:${outMime};base64,${out.toString('base64')}`;
  } catch {
    throw new ImageError('The image could not be read: it is damaged or not really an image.');
  }
}
