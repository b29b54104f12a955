import { ConfigurationError, type SignatureError, ValidationError } from '../errors.js';
import { type LinkAction, type LinkParams, verifyLink } from '../links.js';
import { err, ok, type Result } from '../result.js';
import { type EngineContext, nowDate } from './context.js';

/** A link as the express views receive it from the URL. */
export interface SignedLink {
  readonly messageId: string;
  readonly dispatchId: string;
  readonly token: string;
  /** Unix seconds, when the link carries an expiry. */
  readonly expires?: number;
}

export interface LinkOutcome {
  /** Whether the action changed anything (false: already unsubscribed / already read). */
  readonly changed: boolean;
}

export type LinkError = SignatureError | ValidationError;

/** Checks a link's signature and that its dispatch belongs to its message, without changing anything. */
export async function verifySignedLink(
  ctx: EngineContext,
  action: LinkAction,
  link: SignedLink,
): Promise<Result<void, LinkError>> {
  const { secret, clock } = ctx.options;
  if (secret === null) throw new ConfigurationError('Signed links need createSitemsg({ secret }).');
  const params: LinkParams = {
    messageId: link.messageId,
    dispatchId: link.dispatchId,
    ...(link.expires !== undefined && { expires: link.expires }),
  };
  const verified = verifyLink(secret, action, params, link.token, clock.now());
  if (!verified.ok) return reject(ctx, action, link, verified.error);
  const dispatch = await ctx.store.getDispatch(link.dispatchId);
  if (!dispatch || dispatch.messageId !== link.messageId) {
    return reject(
      ctx,
      action,
      link,
      new ValidationError('The link points to no such message dispatch.', { code: 'UNKNOWN_DISPATCH' }),
    );
  }
  return ok(undefined);
}

/** Unsubscribes the dispatch's address after checking the link (POST only: GET should just confirm). */
export async function handleUnsubscribeLink(
  ctx: EngineContext,
  link: SignedLink,
): Promise<Result<LinkOutcome, LinkError>> {
  const verified = await verifySignedLink(ctx, 'unsubscribe', link);
  if (!verified.ok) return verified;
  return ok(await unsubscribeDispatch(ctx, link.dispatchId));
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

/**
 * Removes the subscription behind a dispatch and suppresses its address for that message type on
 * that messenger, so that explicit recipients of later messages are filtered too.
 */
export async function unsubscribeDispatch(ctx: EngineContext, dispatchId: string): Promise<LinkOutcome> {
  const dispatch = await ctx.store.getDispatch(dispatchId);
  if (!dispatch)
    throw new ValidationError(`Dispatch ${dispatchId} does not exist.`, { code: 'UNKNOWN_DISPATCH' });
  const message = await ctx.store.getMessage(dispatch.messageId);
  if (!message)
    throw new ValidationError(`Message ${dispatch.messageId} does not exist.`, { code: 'UNKNOWN_DISPATCH' });
  const pair = { messageType: message.type, messenger: dispatch.messenger };
  const removed = await ctx.store.removeSubscriptions(
    dispatch.userId === null ? { ...pair, address: dispatch.address } : { ...pair, userId: dispatch.userId },
  );
  const suppressedNow = await ctx.store.addSuppression({ ...pair, address: dispatch.address });
  const changed = removed > 0 || suppressedNow;
  if (changed) {
    ctx.events.emit('subscription:removed', {
      ...pair,
      address: dispatch.address,
      userId: dispatch.userId,
      dispatchId,
    });
  }
  return { changed };
}

export async function markDispatchRead(ctx: EngineContext, dispatchId: string): Promise<LinkOutcome> {
  const changed = await ctx.store.markRead(dispatchId, nowDate(ctx));
  if (changed) {
    const dispatch = await ctx.store.getDispatch(dispatchId);
    if (dispatch) ctx.events.emit('dispatch:read', { dispatch });
  }
  return { changed };
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
