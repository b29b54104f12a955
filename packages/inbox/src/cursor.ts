import { ValidationError } from '@sitemsg/core/plugin';
import type { InboxMessage, InboxPosition } from './types.js';

/** An opaque page cursor: the position of the last message of the previous page. */
export function encodeCursor(message: InboxMessage): string {
  return Buffer.from(`${message.createdAt.getTime()}:${message.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): InboxPosition {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(\d{1,15}):([\w-]{1,200})$/.exec(decoded);
  if (!match) throw new ValidationError('[sitemsg] [inbox] "before" is not a cursor returned by getInbox().');
  return { createdAt: new Date(Number(match[1])), id: match[2]! };
}
