import type { InboxListQuery, InboxStore, NewInboxMessage } from '@sitemsg/inbox';

/** The suite's epoch: every time is an explicit offset from it, so no clock is involved. */
const T0 = Date.UTC(2026, 0, 1);

/** `minutes` after the suite's epoch. */
export function at(minutes: number): Date {
  return new Date(T0 + minutes * 60_000);
}

/** A message of `userId` created `minutes` after the epoch, titled and bodied after its id. */
export function message(
  id: string,
  userId: string,
  minutes: number,
  extra: Partial<NewInboxMessage> = {},
): NewInboxMessage {
  return {
    id,
    userId,
    title: `title ${id}`,
    body: `body ${id}`,
    metadata: {},
    createdAt: at(minutes),
    idempotencyKey: null,
    ...extra,
  };
}

/** Inserts one after the other, in the order given. */
export async function insertAll(store: InboxStore, messages: readonly NewInboxMessage[]): Promise<void> {
  for (const m of messages) await store.insert(m);
}

/** The ids of one page of a user's messages (default: all of them, read or not, from the newest). */
export async function pageIds(
  store: InboxStore,
  userId: string,
  query: Partial<Omit<InboxListQuery, 'userId'>> = {},
): Promise<string[]> {
  const page = await store.list({ userId, unreadOnly: false, limit: 100, before: null, ...query });
  return page.map((m) => m.id);
}
