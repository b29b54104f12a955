import type { Response } from 'express';

/** A transparent 1×1 GIF: the mark-read pixel. */
export const PIXEL: Buffer = Buffer.from(
  'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7',
  'base64',
);

/** The mark-read route's one answer: the same pixel, never cached, whatever the link was. */
export function sendPixel(res: Response): void {
  res.status(200).set('Content-Type', 'image/gif').set('Cache-Control', 'no-store').send(PIXEL);
}
