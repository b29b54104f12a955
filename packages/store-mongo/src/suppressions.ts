import { ALL_MESSAGE_TYPES, type Suppression } from '@sitemsg/core/plugin';
import type { StoreContext } from './context.js';
import type { SuppressionDoc } from './documents.js';
import { isDuplicateKey } from './errors.js';

// Suppressed addresses: one document per (message type, messenger, address), the type `'*'`
// (ALL_MESSAGE_TYPES) standing for every type — what feedback writes for a dead or opted-out
// address. This store does not filter on schedule or claim, so `findSuppressed` is the only
// reader and the only place the `'*'` rule lives.

function toSuppression(doc: SuppressionDoc): Suppression {
  return { messageType: doc.messageType, messenger: doc.messenger, address: doc.address };
}

export async function addSuppression(ctx: StoreContext, suppression: Suppression): Promise<boolean> {
  try {
    await ctx.c.suppressions.insertOne({ ...suppression });
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

/**
 * Of the recipients, those suppressed for `messageType` by a suppression of that type or of every
 * type, in the recipients' order; one each, the type's own suppression before `'*'` (as the
 * memory store answers). One indexed query: a few point ranges of the unique key.
 */
export async function findSuppressed(
  ctx: StoreContext,
  messageType: string,
  recipients: readonly { messenger: string; address: string }[],
): Promise<Suppression[]> {
  if (recipients.length === 0) return [];
  const docs = await ctx.c.suppressions
    .find(
      {
        messageType: { $in: [...new Set([messageType, ALL_MESSAGE_TYPES])] },
        messenger: { $in: [...new Set(recipients.map((r) => r.messenger))] },
        address: { $in: [...new Set(recipients.map((r) => r.address))] },
      },
      { projection: { _id: 0 } },
    )
    .toArray();
  const key = (type: string, r: { messenger: string; address: string }): string =>
    `${type}\u0000${r.messenger}\u0000${r.address}`;
  const found = new Map(docs.map((d) => [key(d.messageType, d), d]));
  return recipients.flatMap((r) => {
    const s = found.get(key(messageType, r)) ?? found.get(key(ALL_MESSAGE_TYPES, r));
    return s ? [toSuppression(s)] : [];
  });
}

/** Lifts an address's suppressions on a messenger, of one type or of every kind: one deleteMany. */
export async function removeSuppressions(
  ctx: StoreContext,
  filter: { readonly messenger: string; readonly address: string; readonly messageType?: string },
): Promise<number> {
  const { deletedCount } = await ctx.c.suppressions.deleteMany({
    messenger: filter.messenger,
    address: filter.address,
    ...(filter.messageType !== undefined && { messageType: filter.messageType }),
  });
  return deletedCount;
}
