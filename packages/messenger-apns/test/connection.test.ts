/** One long-lived HTTP/2 connection: opened in init, shared by every batch, closed in close; a drop costs only the unsent part. */
import { RecordingLogger } from '@sitemsg/testing/fakes';
import { describe, expect, it } from 'vitest';
import { ApnsDeliveryError, ApnsMessenger, PROBE_TOKEN } from '../src/index.js';
import { optionsFor, outgoing, rig, startFake, TOKENS } from './fixtures/setup.js';

/** Ten distinct tokens. */
const MANY = Array.from({ length: 10 }, (_, i) => `${String(i).padStart(2, '0')}${'ab'.repeat(31)}`);

describe('the connection to APNs', () => {
  it('opens one connection in init (checked with a probe push), shares it across batches and health checks, and closes it in close', async () => {
    const t = await rig();
    try {
      expect(t.fake.connectionsOpened).toBe(0);
      await t.messenger.init();
      expect(t.fake.connectionsOpened).toBe(1);
      expect(t.fake.requests.map((r) => r.path)).toEqual([`/3/device/${PROBE_TOKEN}`]);
      expect(t.fake.requests[0]!.headers['apns-push-type']).toBe('background');
      await t.messenger.init(); // a second init keeps the connection it has
      for (let batch = 0; batch < 3; batch++) {
        const results = await t.messenger.send(TOKENS.map((token, i) => outgoing(`b${batch}-${i}`, token)));
        expect(results.every((r) => r.result.ok)).toBe(true);
      }
      t.clock.advance(3_600_000); // past the health cache: the check asks APNs again, on the same connection
      expect(await t.messenger.healthCheck()).toEqual({ status: 'healthy' });
      expect(t.fake.requests).toHaveLength(1 + 9 + 1);
      expect(new Set(t.fake.requests.map((r) => r.connection))).toEqual(new Set([1]));
      expect(t.fake.connectionsOpened).toBe(1);
      expect(t.fake.connectionsOpen).toBe(1);
      await t.messenger.close();
      await waitFor(() => t.fake.connectionsOpen === 0);
      expect(t.fake.connectionsOpen).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('lets the pushes in flight finish when it closes', async () => {
    const t = await rig({ concurrency: 10 });
    try {
      await t.messenger.init();
      const sending = t.messenger.send(MANY.map((token, i) => outgoing(`d${i}`, token)));
      const closing = t.messenger.close();
      const results = await sending;
      await closing;
      expect(results.filter((r) => r.result.ok)).toHaveLength(10);
      expect(t.fake.accepted).toHaveLength(10);
    } finally {
      await t.close();
    }
  });

  it('turns a connection dropped mid-batch into a retryable error for the unsent part only; the next batch reconnects', async () => {
    const t = await rig({ concurrency: 1 });
    try {
      await t.messenger.init();
      t.fake.dropAt = 5; // the server destroys the connection when the 5th push of the batch arrives
      const batch = MANY.map((token, i) => outgoing(`d${i}`, token));
      const results = await t.messenger.send(batch);
      expect(results).toHaveLength(10);
      const sent = results.filter((r) => r.result.ok).map((r) => r.dispatchId);
      const unsent = results.filter((r) => !r.result.ok);
      expect(sent).toEqual(['d0', 'd1', 'd2', 'd3']);
      expect(unsent).toHaveLength(6);
      for (const { result } of unsent) {
        if (result.ok) continue;
        expect(result.error).toBeInstanceOf(ApnsDeliveryError);
        expect(result.error.retryable).toBe(true);
        expect(result.error.feedback).toBeUndefined();
        expect(result.error.message).toMatch(/could not reach APNs/);
      }
      // The 5th push was cut; the other five were never tried on the dead connection.
      expect(t.fake.accepted.map((a) => a.token)).toEqual(MANY.slice(0, 4));
      const retry = await t.messenger.send(batch.slice(4));
      expect(retry.every((r) => r.result.ok)).toBe(true);
      expect(t.fake.accepted.map((a) => a.token)).toEqual(MANY);
      expect(t.fake.connectionsOpened).toBe(2);
      expect(new Set(t.fake.requests.slice(-6).map((r) => r.connection))).toEqual(new Set([2]));
    } finally {
      await t.close();
    }
  });

  it('does not fail start-up when APNs is unreachable: init logs it, the health is unhealthy, the first batch connects', async () => {
    const fake = await startFake();
    const logger = new RecordingLogger();
    const messenger = new ApnsMessenger(optionsFor(fake, { logger }));
    try {
      fake.outage = 'network';
      await messenger.init();
      expect(logger.lines).toHaveLength(1);
      expect(logger.lines[0]).toMatchObject({
        level: 'error',
        message: expect.stringMatching(/could not reach APNs/),
      });
      expect((await messenger.healthCheck()).status).toBe('unhealthy');
      fake.outage = null;
      const [result] = await messenger.send([outgoing('d1', TOKENS[0])]);
      expect(result!.result.ok).toBe(true);
      expect((await messenger.healthCheck()).status).toBe('healthy');
    } finally {
      await messenger.close();
      await fake.close();
    }
  });
});

/** Polls a condition the server side reaches after an event (a connection's close) without sleeping a fixed time. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 5000 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
}
