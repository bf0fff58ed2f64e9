import { imageSize } from 'image-size';
import { ScreenshotFormat } from './workflow.enums';

export interface ImageInfo {
  format: ScreenshotFormat;
  contentType: string;
  width: number | null;
  height: number | null;
}

/** The formats kept, by their leading bytes (SVG and the like are refused: they can carry scripts). */
const SIGNATURES: Array<{ format: ScreenshotFormat; matches: (b: Buffer) => boolean }> = [
  {
    format: ScreenshotFormat.PNG,
    matches: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  { format: ScreenshotFormat.JPEG, matches: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  {
    format: ScreenshotFormat.WEBP,
    matches: (b) => b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP',
  },
  { format: ScreenshotFormat.GIF, matches: (b) => /^GIF8[79]a$/.test(b.toString('latin1', 0, 6)) },
];

/**
 * The format and size of a PNG, JPEG, WebP or GIF image, or null for anything else. The leading
 * bytes decide the format; the header must also parse (image-size), so a renamed text file or a
 * truncated header is refused.
 */
export function inspectImage(bytes: Buffer): ImageInfo | null {
  const format = SIGNATURES.find((s) => s.matches(bytes))?.format;
  if (!format) return null;
  let size: { width?: number; height?: number };
  try {
    size = imageSize(bytes);
  } catch {
    return null;
  }
  return {
    format,
    contentType: `image/${format}`,
    width: size.width && size.width > 0 ? size.width : null,
    height: size.height && size.height > 0 ? size.height : null,
  };
}
