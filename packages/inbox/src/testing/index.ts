import { afterEach, describe, expect, it } from 'vitest';
import type { InboxStore, NewInboxMessage } from '../types.js';

/**
 * Registers the inbox store suite (describe / it blocks) for one store implementation.
 * `makeStore` returns a new, empty, not yet initialised store for each test: the suite calls
 * `init()` and, after the test, `close()`. Time is passed explicitly, so no clock is needed.
 *
 * ```ts
 * inboxStoreConformance('memory', async () => new MemoryInboxStore());
 * ```
 */
export function inboxStoreConformance(name: string, makeStore: () => InboxStore | Promise<InboxStore>): void {
  describe(`inbox store conformance: ${name}`, () => {
    let open: InboxStore[] = [];
    afterEach(async () => {
      for (const store of open) await store.close?.();
      open = [];
    });

    async function fresh(): Promise<InboxStore> {
      const store = await makeStore();
      await store.init?.();
      open.push(store);
      return store;
    }

    registerReads(fresh);
    registerOwnerGuards(fresh);
    registerBulk(fresh);
    registerIdempotency(fresh);
  });
}

type Fresh = () => Promise<InboxStore>;

const T0 = Date.UTC(2026, 0, 1);
const at = (minutes: number): Date => new Date(T0 + minutes * 60_000);

function msg(
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

async function insertAll(store: InboxStore, messages: readonly NewInboxMessage[]): Promise<void> {
  for (const m of messages) await store.insert(m);
}

function registerReads(fresh: Fresh): void {
  it('passes its health check while empty', async () => {
    const store = await fresh();
    const health = (await store.healthCheck?.()) ?? { status: 'healthy' };
    expect(health.status).toBe('healthy');
  });

  it('stores a message as given, unread, and returns null for an unknown id', async () => {
    const store = await fresh();
    const metadata = { dispatchId: 'd1', nested: { list: [1, 'two', null, true] }, emoji: 'ünï 🔔' };
    const { message, created } = await store.insert(
      msg('m1', 'u1', 0, { title: '<b>"Hi" & \'bye\'</b>', body: 'line 1\nline 2 ✓', metadata }),
    );
    expect(created).toBe(true);
    const expected = {
      id: 'm1',
      userId: 'u1',
      title: '<b>"Hi" & \'bye\'</b>',
      body: 'line 1\nline 2 ✓',
      metadata,
      createdAt: at(0),
      read: false,
      readAt: null,
    };
    expect(message).toEqual(expected);
    expect(await store.get('m1')).toEqual(expected);
    expect(await store.get('nope')).toBeNull();
  });

  it('lists one user’s messages newest first, ties broken by id, within the limit', async () => {
    const store = await fresh();
    await insertAll(store, [
      msg('a', 'u1', 1),
      msg('c', 'u1', 3),
      msg('b2', 'u1', 2),
      msg('b1', 'u1', 2),
      msg('x', 'u2', 5),
    ]);
    const all = await store.list({ userId: 'u1', unreadOnly: false, limit: 10, before: null });
    expect(all.map((m) => m.id)).toEqual(['c', 'b2', 'b1', 'a']);
    const two = await store.list({ userId: 'u1', unreadOnly: false, limit: 2, before: null });
    expect(two.map((m) => m.id)).toEqual(['c', 'b2']);
    expect(await store.list({ userId: 'nobody', unreadOnly: false, limit: 10, before: null })).toEqual([]);
  });

  it('pages strictly before a position, including between messages of the same time', async () => {
    const store = await fresh();
    await insertAll(store, [msg('a', 'u1', 1), msg('b1', 'u1', 2), msg('b2', 'u1', 2), msg('c', 'u1', 3)]);
    const page = await store.list({
      userId: 'u1',
      unreadOnly: false,
      limit: 10,
      before: { createdAt: at(2), id: 'b2' },
    });
    expect(page.map((m) => m.id)).toEqual(['b1', 'a']);
  });

  it('lists only unread messages when asked', async () => {
    const store = await fresh();
    await insertAll(store, [msg('a', 'u1', 1), msg('b', 'u1', 2), msg('c', 'u1', 3)]);
    await store.markRead('b', 'u1', at(10));
    const unread = await store.list({ userId: 'u1', unreadOnly: true, limit: 10, before: null });
    expect(unread.map((m) => m.id)).toEqual(['c', 'a']);
    const page = await store.list({
      userId: 'u1',
      unreadOnly: true,
      limit: 1,
      before: { createdAt: at(3), id: 'c' },
    });
    expect(page.map((m) => m.id)).toEqual(['a']);
  });
}

function registerOwnerGuards(fresh: Fresh): void {
  it('marks a message read once, at the given time', async () => {
    const store = await fresh();
    await store.insert(msg('m', 'u1', 0));
    expect(await store.markRead('m', 'u1', at(5))).toBe('changed');
    expect(await store.markRead('m', 'u1', at(6))).toBe('unchanged');
    expect(await store.get('m')).toMatchObject({ read: true, readAt: at(5) });
    expect(await store.markRead('missing', 'u1', at(7))).toBe('not-found');
  });

  it('refuses to mark or delete another user’s message and changes nothing', async () => {
    const store = await fresh();
    await store.insert(msg('m', 'owner', 0));
    expect(await store.markRead('m', 'intruder', at(1))).toBe('forbidden');
    expect(await store.delete('m', 'intruder')).toBe('forbidden');
    expect(await store.get('m')).toMatchObject({ userId: 'owner', read: false, readAt: null });
    expect(await store.countUnread('owner')).toBe(1);
  });

  it('deletes the owner’s message and reports an unknown one', async () => {
    const store = await fresh();
    await insertAll(store, [msg('m', 'u1', 0), msg('n', 'u1', 1)]);
    expect(await store.delete('m', 'u1')).toBe('changed');
    expect(await store.get('m')).toBeNull();
    expect(await store.delete('m', 'u1')).toBe('not-found');
    expect(
      (await store.list({ userId: 'u1', unreadOnly: false, limit: 10, before: null })).map((x) => x.id),
    ).toEqual(['n']);
  });
}

function registerBulk(fresh: Fresh): void {
  it('counts unread messages per user', async () => {
    const store = await fresh();
    await insertAll(store, [msg('a', 'u1', 0), msg('b', 'u1', 1), msg('c', 'u2', 2)]);
    await store.markRead('a', 'u1', at(3));
    expect(await store.countUnread('u1')).toBe(1);
    expect(await store.countUnread('u2')).toBe(1);
    expect(await store.countUnread('nobody')).toBe(0);
  });

  it('marks all of one user’s unread messages read and returns their ids', async () => {
    const store = await fresh();
    await insertAll(store, [msg('a', 'u1', 0), msg('b', 'u1', 1), msg('c', 'u2', 2)]);
    await store.markRead('a', 'u1', at(3));
    expect(await store.markAllRead('u1', at(4))).toEqual(['b']);
    expect(await store.markAllRead('u1', at(5))).toEqual([]);
    expect(await store.get('b')).toMatchObject({ read: true, readAt: at(4) });
    expect(await store.get('a')).toMatchObject({ readAt: at(3) });
    expect(await store.countUnread('u2')).toBe(1);
  });

  it('clears one user’s messages and returns how many', async () => {
    const store = await fresh();
    await insertAll(store, [msg('a', 'u1', 0), msg('b', 'u1', 1), msg('c', 'u2', 2)]);
    expect(await store.clearAll('u1')).toBe(2);
    expect(await store.clearAll('u1')).toBe(0);
    expect(await store.get('a')).toBeNull();
    expect(await store.get('c')).not.toBeNull();
  });

  it('deletes messages created strictly before a time, whoever owns them', async () => {
    const store = await fresh();
    await insertAll(store, [msg('old', 'u1', 0), msg('edge', 'u2', 10), msg('new', 'u1', 20)]);
    expect(await store.deleteOlderThan(at(10))).toBe(1);
    expect(await store.get('old')).toBeNull();
    expect(await store.get('edge')).not.toBeNull();
    expect(await store.deleteOlderThan(at(10))).toBe(0);
  });
}

function registerIdempotency(fresh: Fresh): void {
  it('returns the first message for a repeated idempotency key of the same user', async () => {
    const store = await fresh();
    const first = await store.insert(msg('m1', 'u1', 0, { idempotencyKey: 'k' }));
    const again = await store.insert(msg('m2', 'u1', 1, { idempotencyKey: 'k', title: 'other' }));
    expect(again.created).toBe(false);
    expect(again.message).toEqual(first.message);
    expect(await store.get('m2')).toBeNull();
    const otherUser = await store.insert(msg('m3', 'u2', 1, { idempotencyKey: 'k' }));
    expect(otherUser.created).toBe(true);
  });

  it('frees an idempotency key when its message is deleted', async () => {
    const store = await fresh();
    await store.insert(msg('m1', 'u1', 0, { idempotencyKey: 'k' }));
    await store.delete('m1', 'u1');
    expect((await store.insert(msg('m2', 'u1', 1, { idempotencyKey: 'k' }))).created).toBe(true);
  });
}
