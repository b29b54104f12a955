// Which recipients are suppressed for a message type: the store's answer (`findSuppressed`, given
// the messengers' media), matched back to each recipient by its messenger, or — for a medium-wide
// suppression — by its messenger's medium. Scheduling, preparing and sending all ask through here.
import { ALL_MESSENGERS } from '../feedback.js';
import type { Suppression } from '../store.js';
import type { EngineContext } from './context.js';

interface Addressed {
  readonly messenger: string;
  readonly address: string;
}

/** The recipients (of any shape with a messenger and an address) whose address is suppressed. */
export async function suppressedAmong<T extends Addressed>(
  ctx: EngineContext,
  messageType: string,
  recipients: readonly T[],
): Promise<Set<T>> {
  if (recipients.length === 0) return new Set();
  const media = ctx.registry.media;
  const found = await ctx.store.findSuppressed(messageType, recipients, media);
  if (found.length === 0) return new Set();
  const keys = new Set(found.map(keyOf));
  return new Set(
    recipients.filter((r) => {
      if (keys.has(`${r.messenger}\u0000${r.address}`)) return true;
      const medium = media?.[r.messenger];
      return medium !== undefined && keys.has(`${ALL_MESSENGERS}\u0000${medium}\u0000${r.address}`);
    }),
  );
}

function keyOf(s: Suppression): string {
  return s.messenger === ALL_MESSENGERS
    ? `${ALL_MESSENGERS}\u0000${s.medium ?? ''}\u0000${s.address}`
    : `${s.messenger}\u0000${s.address}`;
}
