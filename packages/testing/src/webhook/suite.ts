import { createSitemsg, ManualClock, MemoryStore, type Sitemsg } from '@sitemsg/core';
import {
  type DispatchResult,
  Messenger,
  type OutgoingDispatch,
  ok,
  type WebhookRequest,
} from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';
import type { SentDispatch, WebhookHarness } from './harness.js';

const NOW = new Date('2026-06-01T12:00:00Z');

/** Stands in for the provider's messenger: accepts everything and answers a provider id. */
function standIn(alias: string): Messenger {
  return new (class extends Messenger {
    static override alias = alias;
    async send(batch: readonly OutgoingDispatch[]): Promise<DispatchResult[]> {
      return batch.map(({ dispatch }) => ({
        dispatchId: dispatch.id,
        result: ok({ providerMessageId: `conformance-${dispatch.id}` }),
      }));
    }
  })();
}

async function sentThrough(
  harness: WebhookHarness,
): Promise<{ sitemsg: Sitemsg; clock: ManualClock; sent: SentDispatch }> {
  const clock = new ManualClock(NOW);
  const sitemsg = createSitemsg({
    store: new MemoryStore(),
    clock,
    messengers: [standIn(harness.messenger)],
  });
  const [scheduled] = await sitemsg.scheduleMessages(
    'webhook conformance',
    sitemsg.recipients(harness.messenger, harness.address),
  );
  await sitemsg.sendScheduledMessages();
  const dispatch = (await sitemsg.store.getDispatch(scheduled!.dispatches[0]!.id))!;
  const sent = {
    dispatchId: dispatch.id,
    messageId: dispatch.messageId,
    address: dispatch.address,
    providerMessageId: dispatch.providerMessageId!,
  };
  return { sitemsg, clock, sent };
}

/** A copy of the request with one byte of its body changed (or a byte added to an empty body). */
function tampered(request: WebhookRequest): WebhookRequest {
  const body = new Uint8Array(request.rawBody);
  if (body.length === 0) return { ...request, rawBody: new Uint8Array([0x20]) };
  const i = Math.floor(body.length / 2);
  body[i] = body[i] === 0x31 ? 0x32 : 0x31;
  return { ...request, rawBody: body };
}

/** The request without any header whose name says it carries a signature. */
function unsigned(request: WebhookRequest): WebhookRequest {
  const headers = Object.fromEntries(
    Object.entries(request.headers).filter(([name]) => !/signature/i.test(name)),
  );
  return { ...request, headers };
}

/**
 * Registers the webhook suite for one provider's handler: a correctly signed request records its
 * feedback on the dispatch it is about, once; a tampered, unsigned or (where the provider signs
 * its time) replayed request is refused with a 4xx and records nothing.
 */
export function webhookConformance(name: string, harness: WebhookHarness): void {
  describe(`webhook conformance: ${name}`, () => {
    it('records the feedback of a correctly signed request on its dispatch, once', async () => {
      const { sitemsg, clock, sent } = await sentThrough(harness);
      const handler = await harness.create(sitemsg, clock);
      const request = await harness.deliveredRequest(sent, clock);
      const answer = await handler(request);
      expect(answer.status).toBeGreaterThanOrEqual(200);
      expect(answer.status).toBeLessThan(300);
      const recorded = await sitemsg.store.listFeedback(sent.dispatchId);
      expect(recorded.map((f) => f.kind)).toEqual([harness.expectedKind ?? 'delivered']);
      const again = await handler(request);
      expect(again.status).toBeLessThan(300);
      expect(await sitemsg.store.listFeedback(sent.dispatchId)).toHaveLength(1);
    });

    it('refuses a tampered or unsigned request with a 4xx and records nothing', async () => {
      const { sitemsg, clock, sent } = await sentThrough(harness);
      const heard: unknown[] = [];
      sitemsg.on('feedback:recorded', (f) => void heard.push(f));
      const handler = await harness.create(sitemsg, clock);
      const request = await harness.deliveredRequest(sent, clock);
      const stripped = harness.unsign ? harness.unsign(request) : unsigned(request);
      for (const bad of [tampered(request), stripped]) {
        const answer = await handler(bad);
        expect(answer.status).toBeGreaterThanOrEqual(400);
        expect(answer.status).toBeLessThan(500);
      }
      expect(heard).toEqual([]);
      expect(await sitemsg.store.listFeedback(sent.dispatchId)).toEqual([]);
    });

    if (harness.toleranceSeconds !== undefined) {
      const tolerance = harness.toleranceSeconds;
      it(`refuses a signed request replayed more than ${tolerance} s later, and records nothing`, async () => {
        const { sitemsg, clock, sent } = await sentThrough(harness);
        const handler = await harness.create(sitemsg, clock);
        const request = await harness.deliveredRequest(sent, clock);
        clock.advance((tolerance + 1) * 1000);
        const answer = await handler(request);
        expect(answer.status).toBeGreaterThanOrEqual(400);
        expect(answer.status).toBeLessThan(500);
        expect(await sitemsg.store.listFeedback(sent.dispatchId)).toEqual([]);
      });
    }
  });
}
