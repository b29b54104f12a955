import {
  ALL_MESSAGE_TYPES,
  ALL_MESSENGERS,
  type MessengerMedia,
  type Suppression,
  type SuppressionFilter,
} from '@sitemsg/core/plugin';
import type { StoreContext } from './context.js';
import type { SuppressionDoc } from './documents.js';
import { isDuplicateKey } from './errors.js';

// Suppressed addresses: one document per (message type, messenger, address), the type `'*'`
// (ALL_MESSAGE_TYPES) standing for every type — what feedback writes for a dead or opted-out
// address. A medium-wide suppression (messenger `'*'` with a medium: every messenger of it) is
// one document whose messenger is `*:<medium>` (no alias can contain `*` or `:`), so the unique
// key and the index by messenger and address serve it as they serve a messenger's own. This store
// does not filter on schedule or claim, so `findSuppressed` is the only reader and the only place
// these rules live.

/** The messenger field of a suppression's document. */
function scopeOf(s: { messenger: string; medium?: string | undefined }): string {
  return s.messenger === ALL_MESSENGERS ? `${ALL_MESSENGERS}:${s.medium ?? ''}` : s.messenger;
}

function toSuppression(doc: SuppressionDoc): Suppression {
  const { messageType, messenger, address } = doc;
  if (!messenger.startsWith(`${ALL_MESSENGERS}:`)) return { messageType, messenger, address };
  return { messageType, messenger: ALL_MESSENGERS, medium: messenger.slice(2), address };
}

export async function addSuppression(ctx: StoreContext, suppression: Suppression): Promise<boolean> {
  try {
    const { messageType, address } = suppression;
    await ctx.c.suppressions.insertOne({ messageType, messenger: scopeOf(suppression), address });
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

/**
 * Of the recipients, those suppressed for `messageType` by a suppression of that type or of every
 * type, on their messenger or its medium, in the recipients' order; one each, the type's own
 * suppression before `'*'`, the messenger's own before its medium's (as the memory store answers).
 * One indexed query: a few point ranges of the unique key.
 */
export async function findSuppressed(
  ctx: StoreContext,
  messageType: string,
  recipients: readonly { messenger: string; address: string }[],
  media?: MessengerMedia,
): Promise<Suppression[]> {
  if (recipients.length === 0) return [];
  const scopes = (r: { messenger: string }): string[] => {
    const medium = media?.[r.messenger];
    return medium === undefined
      ? [r.messenger]
      : [r.messenger, scopeOf({ messenger: ALL_MESSENGERS, medium })];
  };
  const docs = await ctx.c.suppressions
    .find(
      {
        messageType: { $in: [...new Set([messageType, ALL_MESSAGE_TYPES])] },
        messenger: { $in: [...new Set(recipients.flatMap(scopes))] },
        address: { $in: [...new Set(recipients.map((r) => r.address))] },
      },
      { projection: { _id: 0 } },
    )
    .toArray();
  const key = (type: string, scope: string, address: string): string =>
    `${type}\u0000${scope}\u0000${address}`;
  const found = new Map(docs.map((d) => [key(d.messageType, d.messenger, d.address), d]));
  return recipients.flatMap((r) => {
    const of = (type: string) =>
      scopes(r)
        .map((scope) => found.get(key(type, scope, r.address)))
        .find((d) => d !== undefined);
    const s = of(messageType) ?? of(ALL_MESSAGE_TYPES);
    return s ? [toSuppression(s)] : [];
  });
}

/** Lifts an address's suppressions on a messenger (or a medium), of one type or of every kind: one deleteMany. */
export async function removeSuppressions(ctx: StoreContext, filter: SuppressionFilter): Promise<number> {
  const { deletedCount } = await ctx.c.suppressions.deleteMany({
    messenger: scopeOf(filter),
    address: filter.address,
    ...(filter.messageType !== undefined && { messageType: filter.messageType }),
  });
  return deletedCount;
}
