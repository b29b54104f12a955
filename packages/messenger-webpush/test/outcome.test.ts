/** Every row of the outcome table, answered by the fake push service over a real socket and classified by the messenger. */
import { describe, expect, it } from 'vitest';
import { WEBPUSH_OUTCOMES, WebPushDeliveryError, type WebPushOutcomeRow } from '../src/index.js';
import { pushError, type ScriptedAnswer } from './fixtures/fake-push-service.js';
import { outgoing, rig, VAPID } from './fixtures/setup.js';

function answerFor(row: WebPushOutcomeRow): ScriptedAnswer {
  const status =
    row.status === '5xx'
      ? 502
      : row.status === '4xx'
        ? 422
        : row.status === 'other'
          ? 302
          : (row.status as number);
  const answer = pushError(status, row.meaning);
  return {
    ...answer,
    headers: { ...answer.headers, 'Retry-After': '7', Location: 'https://elsewhere.example/' },
  };
}

describe('Web Push outcome table', () => {
  it.each(WEBPUSH_OUTCOMES.map((row) => [String(row.status), row] as const))('%s', async (_name, row) => {
    const t = await rig({ concurrency: 1 });
    try {
      if (row.status === 'network') t.service.outage = 'network';
      else t.service.script.push(answerFor(row));
      const [first, second] = [t.service.subscribe(VAPID.publicKey), t.service.subscribe(VAPID.publicKey)];
      const results = await t.messenger.send([outgoing('d1', first.address), outgoing('d2', second.address)]);
      const result = results.find((r) => r.dispatchId === 'd1')!.result;
      expect(result.ok).toBe(false);
      if (result.ok) return;
      const error = result.error as WebPushDeliveryError;
      expect(error).toBeInstanceOf(WebPushDeliveryError);
      expect(error.retryable).toBe(row.verdict !== 'permanent');
      expect(error.configuration).toBe(row.verdict === 'configuration');
      expect(error.feedback).toBe(row.feedback);
      if (row.verdict === 'retryable' && row.status !== 'network') expect(error.retryAfterMs).toBe(7000);
      else expect(error.retryAfterMs).toBeUndefined();
      expect(error.message).toContain(`127.0.0.1:${new URL(t.service.origin).port}`);
      expect(error.message).not.toContain(first.keys.auth);
      if (row.status === 'network') return;
      expect(error.statusCode).toBe(answerFor(row).status);
      // A row that stops the push service answers the second dispatch without a request.
      expect(t.service.requests).toHaveLength(row.stopsPushService ? 1 : 2);
      expect(results.find((r) => r.dispatchId === 'd2')!.result.ok).toBe(!row.stopsPushService);
    } finally {
      await t.close();
    }
  });

  it('suppresses a subscription answered 404 or 410, calls onAddressInvalid, and keeps one answered 413', async () => {
    const t = await rig();
    try {
      const [gone, missing, big] = [1, 2, 3].map(() => t.service.subscribe(VAPID.publicKey));
      t.service.unsubscribe(gone!);
      t.service.refused.set(missing!.id, pushError(404, 'Subscription not found', 102));
      t.service.refused.set(big!.id, pushError(413, 'Payload too large', 104));
      await t.sitemsg.scheduleMessages(
        'Hello',
        t.sitemsg.recipients('webpush', [gone!.address, missing!.address, big!.address]),
      );
      expect(await t.sitemsg.sendScheduledMessages()).toMatchObject({ sent: 0, failed: 3 });
      const suppressed = await t.store.findSuppressed(
        'plain',
        [gone!, missing!, big!].map((s) => ({ messenger: 'webpush', address: s.address })),
      );
      expect(suppressed.map((s) => s.address).sort()).toEqual([gone!.address, missing!.address].sort());
      expect(t.invalid.map((i) => i.address).sort()).toEqual([gone!.address, missing!.address].sort());
    } finally {
      await t.close();
    }
  });

  it('logs refused VAPID credentials once per batch, naming no key', async () => {
    const t = await rig({ concurrency: 1 });
    try {
      const subs = [1, 2, 3].map(() => t.service.subscribe(VAPID.publicKey));
      t.service.outage = 'auth';
      await t.messenger.send(subs.map((s, i) => outgoing(`d${i}`, s.address)));
      expect(t.logger.lines).toHaveLength(1);
      expect(t.logger.lines[0]!.message).toMatch(/refused this server's VAPID credentials \(401/);
      expect(JSON.stringify(t.logger.lines)).not.toContain(VAPID.privateKey);
      expect(t.service.requests).toHaveLength(1); // 401 stops that push service
    } finally {
      await t.close();
    }
  });

  it('answers 403 to a subscription made with another VAPID key: configuration, not suppressed', async () => {
    const t = await rig();
    try {
      const { generateVapidKeys } = await import('../src/index.js');
      const stale = t.service.subscribe(generateVapidKeys().publicKey);
      await t.sitemsg.scheduleMessages('Hello', t.sitemsg.recipients('webpush', stale.address));
      expect(await t.sitemsg.sendScheduledMessages()).toMatchObject({ sent: 0, error: 1 });
      const [dispatch] = await t.store.listDispatches({ status: 'error' });
      expect(dispatch!.lastError).toMatch(/403.*VAPID public key does not match/);
      expect(t.invalid).toEqual([]);
      expect((await t.messenger.healthCheck()).status).toBe('unhealthy');
    } finally {
      await t.close();
    }
  });
});
