import { ConfigurationError, SignatureError, ValidationError } from '../errors.js';
import { err, ok, type Result } from '../result.js';
import {
  type LinkAction,
  type LinkParams,
  type LinkRecipient,
  openRecipient,
  type SignedLink,
  verifyLink,
} from '../signed-links.js';
import type { DispatchRecord } from '../types.js';
import { type EngineContext, nowDate } from './context.js';

export type { SignedLink };

export interface LinkOutcome {
  /** Whether the action changed anything (false: already unsubscribed / already read). */
  readonly changed: boolean;
}

/** What a verified link points to: its dispatch while it exists, and its recipient. */
export interface LinkSubject extends LinkRecipient {
  readonly dispatchId: string;
  /** The dispatch, or null when it has been cleaned up (an unsubscribe link still works then). */
  readonly dispatch: DispatchRecord | null;
}

export type LinkError = SignatureError | ValidationError;

/**
 * Checks a link's signature and finds what it points to, without changing anything: the dispatch
 * (which must belong to the link's message), or — for an unsubscribe link whose dispatch was
 * cleaned up — the recipient sealed into the link.
 */
export async function verifySignedLink(
  ctx: EngineContext,
  action: LinkAction,
  link: SignedLink,
): Promise<Result<LinkSubject, LinkError>> {
  const { secret, clock } = ctx.options;
  if (secret === null) throw new ConfigurationError('Signed links need createSitemsg({ secret }).');
  const params: LinkParams = {
    messageId: link.messageId,
    dispatchId: link.dispatchId,
    ...(link.expires !== undefined && { expires: link.expires }),
    ...(link.recipient !== undefined && { recipient: link.recipient }),
  };
  const verified = verifyLink(secret, action, params, link.token, clock.now());
  if (!verified.ok) return reject(ctx, action, link, verified.error);
  const dispatch = await ctx.store.getDispatch(link.dispatchId);
  if (dispatch && dispatch.messageId === link.messageId) {
    const message = await ctx.store.getMessage(dispatch.messageId);
    const sealed = link.recipient === undefined ? null : openRecipient(secret, link.recipient);
    const messageType = message?.type ?? sealed?.messageType;
    if (messageType !== undefined) {
      const { messenger, address, userId } = dispatch;
      return ok({ dispatchId: dispatch.id, dispatch, messageType, messenger, address, userId });
    }
  }
  if (!dispatch && action === 'unsubscribe' && link.recipient !== undefined) {
    const recipient = openRecipient(secret, link.recipient);
    if (!recipient) {
      return reject(
        ctx,
        action,
        link,
        new SignatureError('The unsubscribe link carries no readable recipient.'),
      );
    }
    return ok({ dispatchId: link.dispatchId, dispatch: null, ...recipient });
  }
  return reject(
    ctx,
    action,
    link,
    new ValidationError('The link points to no such message dispatch.', { code: 'UNKNOWN_DISPATCH' }),
  );
}

/** Unsubscribes the link's recipient after checking the link (POST only: GET should just confirm). */
export async function handleUnsubscribeLink(
  ctx: EngineContext,
  link: SignedLink,
): Promise<Result<LinkOutcome, LinkError>> {
  const verified = await verifySignedLink(ctx, 'unsubscribe', link);
  if (!verified.ok) return verified;
  return ok(await unsubscribeRecipient(ctx, verified.value));
}

/** Marks the dispatch read after checking the link. */
export async function handleMarkReadLink(
  ctx: EngineContext,
  link: SignedLink,
): Promise<Result<LinkOutcome, LinkError>> {
  const verified = await verifySignedLink(ctx, 'mark-read', link);
  if (!verified.ok) return verified;
  return ok(await markDispatchRead(ctx, link.dispatchId));
}

/** The recipient behind a dispatch id; an unknown id is a ValidationError `UNKNOWN_DISPATCH`. */
export async function dispatchSubject(ctx: EngineContext, dispatchId: string): Promise<LinkSubject> {
  const dispatch = await ctx.store.getDispatch(dispatchId);
  const message = dispatch && (await ctx.store.getMessage(dispatch.messageId));
  if (!dispatch || !message) throw unknownDispatch(dispatchId);
  const { messenger, address, userId } = dispatch;
  return { dispatchId, dispatch, messageType: message.type, messenger, address, userId };
}

/**
 * Removes the subscription behind a dispatch's recipient and suppresses its address for that
 * message type on that messenger, so that explicit recipients of later messages are filtered too.
 */
export async function unsubscribeRecipient(ctx: EngineContext, subject: LinkSubject): Promise<LinkOutcome> {
  const { messageType, messenger, address, userId, dispatchId } = subject;
  const pair = { messageType, messenger };
  const removed = await ctx.store.removeSubscriptions(
    userId === null ? { ...pair, address } : { ...pair, userId },
  );
  const suppressedNow = await ctx.store.addSuppression({ ...pair, address });
  const changed = removed > 0 || suppressedNow;
  if (changed) ctx.events.emit('subscription:removed', { ...pair, address, userId, dispatchId });
  return { changed };
}

/** Marks a dispatch read; an unknown id is a ValidationError `UNKNOWN_DISPATCH`, as for unsubscribe. */
export async function markDispatchRead(ctx: EngineContext, dispatchId: string): Promise<LinkOutcome> {
  const changed = await ctx.store.markRead(dispatchId, nowDate(ctx));
  const dispatch = await ctx.store.getDispatch(dispatchId);
  if (!dispatch) throw unknownDispatch(dispatchId);
  if (changed) ctx.events.emit('dispatch:read', { dispatch });
  return { changed };
}

function unknownDispatch(dispatchId: string): ValidationError {
  return new ValidationError(`Dispatch ${dispatchId} does not exist.`, { code: 'UNKNOWN_DISPATCH' });
}

function reject(
  ctx: EngineContext,
  action: LinkAction,
  link: SignedLink,
  error: LinkError,
): Result<never, LinkError> {
  ctx.events.emit('link:rejected', { action, dispatchId: link.dispatchId, reason: error.message });
  return err(error);
}
