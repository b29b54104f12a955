import type { Store, Subscription, SubscriptionFilter } from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';
import { type StoreHarness, session } from './harness.js';

function sub(
  messageType: string,
  messenger: string,
  userId: string | null,
  address: string | null,
): Subscription {
  return { messageType, messenger, userId, address };
}

function key(s: Subscription): string {
  return `${s.messageType}|${s.messenger}|${s.userId ?? '-'}|${s.address ?? '-'}`;
}

async function list(store: Store, filter: SubscriptionFilter = {}): Promise<string[]> {
  return (await store.listSubscriptions(filter)).map(key).sort();
}

const U1_NEWS_SMTP = sub('news', 'smtp', 'u1', 'u1@x.test');
const U1_NEWS_SMS = sub('news', 'sms', 'u1', null);
const U1_DIGEST_SMTP = sub('digest', 'smtp', 'u1', 'u1@x.test');
const U2_NEWS_SMTP = sub('news', 'smtp', 'u2', 'u2@x.test');
const RAW_NEWS_SMTP = sub('news', 'smtp', null, 'list@x.test');

async function populate(store: Store): Promise<void> {
  for (const s of [U1_NEWS_SMTP, U1_NEWS_SMS, U1_DIGEST_SMTP, U2_NEWS_SMTP, RAW_NEWS_SMTP]) {
    expect(await store.addSubscription(s)).toBe(true);
  }
}

/** Subscriptions are unique, filtered, removed and replaced per (type, messenger) pair. */
export function subscriptionCases(harness: StoreHarness): void {
  describe('subscriptions', () => {
    it('stores each subscription once: per user, or per address when there is no user', async () => {
      const store = await session(harness).open();
      await populate(store);
      expect(await store.addSubscription(U1_NEWS_SMTP)).toBe(false);
      expect(await store.addSubscription({ ...U1_NEWS_SMTP, address: 'new@x.test' })).toBe(false);
      expect(await store.addSubscription(RAW_NEWS_SMTP)).toBe(false);
      expect(await store.addSubscription(sub('news', 'smtp', null, 'other@x.test'))).toBe(true);
      expect(await list(store)).toHaveLength(6);
      expect(await store.listSubscriptions({ userId: 'u1', messenger: 'sms' })).toMatchObject([U1_NEWS_SMS]);
    });

    it('filters by message type, messenger, user and address', async () => {
      const store = await session(harness).open();
      await populate(store);
      expect(await list(store, { messageType: 'digest' })).toEqual([key(U1_DIGEST_SMTP)]);
      expect(await list(store, { messenger: 'sms' })).toEqual([key(U1_NEWS_SMS)]);
      expect(await list(store, { userId: 'u2' })).toEqual([key(U2_NEWS_SMTP)]);
      expect(await list(store, { address: 'list@x.test' })).toEqual([key(RAW_NEWS_SMTP)]);
      expect(await list(store, { messageType: 'news', messenger: 'smtp' })).toEqual(
        [U1_NEWS_SMTP, U2_NEWS_SMTP, RAW_NEWS_SMTP].map(key).sort(),
      );
      expect(await list(store, { messageType: 'news', userId: 'u1' })).toEqual(
        [U1_NEWS_SMTP, U1_NEWS_SMS].map(key).sort(),
      );
      expect(await list(store, { userId: 'nobody' })).toEqual([]);
    });

    it('removes subscriptions of one pair, by user or by address', async () => {
      const store = await session(harness).open();
      await populate(store);
      expect(await store.removeSubscriptions({ messageType: 'news', messenger: 'smtp', userId: 'u1' })).toBe(
        1,
      );
      expect(await store.removeSubscriptions({ messageType: 'news', messenger: 'smtp', userId: 'u1' })).toBe(
        0,
      );
      expect(
        await store.removeSubscriptions({ messageType: 'news', messenger: 'smtp', address: 'list@x.test' }),
      ).toBe(1);
      expect(await list(store)).toEqual([U1_NEWS_SMS, U1_DIGEST_SMTP, U2_NEWS_SMTP].map(key).sort());
      expect(await store.removeSubscriptions({ messageType: 'news', messenger: 'smtp' })).toBe(1);
      expect(await list(store)).toEqual([U1_NEWS_SMS, U1_DIGEST_SMTP].map(key).sort());
    });

    it("replaces a user's subscriptions for the pairs in scope only", async () => {
      const store = await session(harness).open();
      await populate(store);
      await store.replaceUserSubscriptions(
        'u1',
        [
          { messageType: 'news', messenger: 'smtp' },
          { messageType: 'news', messenger: 'sms' },
          { messageType: 'alerts', messenger: 'sms' },
        ],
        [sub('alerts', 'sms', 'u1', '+15550001'), sub('news', 'sms', 'u1', null)],
      );
      expect(await list(store, { userId: 'u1' })).toEqual(
        [U1_DIGEST_SMTP, U1_NEWS_SMS, sub('alerts', 'sms', 'u1', '+15550001')].map(key).sort(),
      );
      expect(await list(store, { userId: 'u2' })).toEqual([key(U2_NEWS_SMTP)]);
      expect(await list(store, { address: 'list@x.test' })).toEqual([key(RAW_NEWS_SMTP)]);
      await store.replaceUserSubscriptions('u1', [{ messageType: 'digest', messenger: 'smtp' }], []);
      expect(await list(store, { userId: 'u1', messageType: 'digest' })).toEqual([]);
    });
  });
}
