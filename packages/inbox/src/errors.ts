import { SitemsgError, ValidationError } from '@sitemsg/core/plugin';

/**
 * A user tried to read, mark or delete another user's inbox message. Nothing was changed. An HTTP
 * layer should answer it exactly as it answers `InboxNotFoundError` (no existence oracle).
 */
export class InboxAccessError extends SitemsgError {
  readonly messageId: string;

  constructor(messageId: string) {
    super('INBOX_ACCESS_DENIED', `[sitemsg] [inbox] inbox message ${messageId} belongs to another user.`);
    this.messageId = messageId;
  }
}

/** The inbox message does not exist (never did, or was deleted or pruned). */
export class InboxNotFoundError extends ValidationError {
  readonly messageId: string;

  constructor(messageId: string) {
    super(`[sitemsg] [inbox] inbox message ${messageId} does not exist.`, { code: 'INBOX_NOT_FOUND' });
    this.messageId = messageId;
  }
}
