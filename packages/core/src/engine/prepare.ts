import type { NewDispatch } from '../store.js';
import type { MessageRecord, SitemsgUser, Subscription } from '../types.js';
import { type EngineContext, nowDate } from './context.js';
import { suppressedAmong } from './suppression.js';

const PAGE = 500;

/**
 * Creates the dispatches of postponed messages from the subscriptions of their type. Messages
 * with no deliverable subscriber stay waiting; unknown types and messengers are left alone.
 * Returns how many messages got dispatches.
 */
export async function prepareDispatches(ctx: EngineContext): Promise<number> {
  let prepared = 0;
  for (;;) {
    const page = await ctx.store.listPostponedMessages(PAGE);
    let progress = 0;
    for (const message of page) if (await prepareOne(ctx, message)) progress++;
    prepared += progress;
    if (page.length < PAGE || progress === 0) return prepared;
  }
}

async function prepareOne(ctx: EngineContext, message: MessageRecord): Promise<boolean> {
  const type = ctx.registry.messageTypeMap.get(message.type);
  if (!type) return false;
  const subscriptions = await ctx.store.listSubscriptions({ messageType: type.alias });
  const dispatches = await subscriberDispatches(ctx, subscriptions);
  const suppressed = await suppressedAmong(ctx, type.alias, dispatches);
  const deliverable = dispatches.filter((d) => !suppressed.has(d));
  if (deliverable.length === 0) return false;
  await ctx.store.addDispatches(message.id, deliverable, nowDate(ctx));
  return true;
}

/**
 * Resolves subscriptions to addresses: stored addresses as they are, users through their
 * messenger (every address of a user on a channel with several, e.g. each device).
 */
export async function subscriberDispatches(
  ctx: EngineContext,
  subscriptions: readonly Subscription[],
): Promise<NewDispatch[]> {
  const users = await loadUsers(ctx, subscriptions);
  const seen = new Set<string>();
  const dispatches: NewDispatch[] = [];
  for (const sub of subscriptions) {
    const messenger = ctx.registry.messengerMap.get(sub.messenger);
    if (!messenger) continue;
    let addresses: readonly string[] = sub.address === null ? [] : [sub.address];
    if (sub.userId !== null && users) {
      const user = users.get(sub.userId);
      if (!user || user.isActive === false) continue;
      const resolved = messenger.resolveAddresses(user);
      addresses = resolved.ok ? resolved.value : [];
    }
    for (const address of addresses) {
      const key = `${messenger.alias}\u0000${address}`;
      if (seen.has(key)) continue;
      seen.add(key);
      dispatches.push({ messenger: messenger.alias, address, userId: sub.userId });
    }
  }
  return dispatches;
}

async function loadUsers(
  ctx: EngineContext,
  subscriptions: readonly Subscription[],
): Promise<Map<string, SitemsgUser> | null> {
  const { getUsers } = ctx.options;
  if (!getUsers) return null;
  const ids = [...new Set(subscriptions.flatMap((s) => (s.userId === null ? [] : [s.userId])))];
  if (ids.length === 0) return new Map();
  return new Map((await getUsers(ids)).map((u) => [String(u.id), u]));
}
