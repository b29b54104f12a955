import { describe, expect, it } from 'vitest';
import { DeliveryError, type OutgoingDispatch, ok, type Result, sendEach } from '../src/plugin.js';
import type { EachFailure } from '../src/send-each.js';

function batch(n: number): OutgoingDispatch[] {
  return Array.from({ length: n }, (_, i) => ({ dispatch: { id: `d${i}` } }) as unknown as OutgoingDispatch);
}

describe('sendEach', () => {
  it('keeps at most `concurrency` deliveries in flight and answers each dispatch once', async () => {
    let inFlight = 0;
    let peak = 0;
    const results = await sendEach(batch(10), {
      concurrency: 3,
      async deliver(item): Promise<Result<{ providerMessageId: string }, EachFailure>> {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise(setImmediate);
        inFlight--;
        return ok({ providerMessageId: `p-${item.dispatch.id}` });
      },
    });
    expect(peak).toBe(3);
    expect(results.map((r) => r.dispatchId).sort()).toEqual(
      batch(10)
        .map((b) => b.dispatch.id)
        .sort(),
    );
    expect(results.every((r) => r.result.ok)).toBe(true);
  });

  it('stops trying after a provider-level failure and answers the rest with its error', async () => {
    const tried: string[] = [];
    const refused = DeliveryError.retryable('401 credentials refused', { statusCode: 401 });
    const results = await sendEach(batch(5), {
      concurrency: 1,
      async deliver(item) {
        tried.push(item.dispatch.id);
        if (item.dispatch.id === 'd1') return { ok: false, error: { error: refused, stopBatch: true } };
        if (item.dispatch.id === 'd0') {
          return { ok: false, error: { error: DeliveryError.permanent('bad number'), stopBatch: false } };
        }
        return ok({});
      },
    });
    expect(tried).toEqual(['d0', 'd1']);
    expect(results.map((r) => (r.result.ok ? 'sent' : r.result.error.message))).toEqual([
      '[sitemsg] bad number',
      '[sitemsg] 401 credentials refused',
      '[sitemsg] 401 credentials refused',
      '[sitemsg] 401 credentials refused',
      '[sitemsg] 401 credentials refused',
    ]);
  });
});
