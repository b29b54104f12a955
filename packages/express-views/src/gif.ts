/** A transparent 1×1 GIF: the mark-read pixel. */
export const PIXEL: Buffer = Buffer.from(
  'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7',
  'base64',
);
