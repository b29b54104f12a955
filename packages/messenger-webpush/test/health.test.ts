/** healthCheck: the VAPID keys sign a token (cached by the injected clock), and what sends learnt. */
import { afterEach, describe, expect, it } from 'vitest';
import { outgoing, type Rig, rig, VAPID } from './fixtures/setup.js';

let t: Rig;
afterEach(async () => {
  await t.close();
});

describe('WebPushMessenger health', () => {
  it('is healthy with usable keys, without asking any push service', async () => {
    t = await rig({ healthCacheMs: 60_000 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => t.messenger.healthCheck()));
    expect(answers.every((a) => a.status === 'healthy')).toBe(true);
    expect(t.service.requests).toEqual([]); // no push service is asked
  });

  it('turns unhealthy when a push service refuses VAPID, degraded when one is out of reach, healthy after an accepted push', async () => {
    t = await rig({ healthCacheMs: 60_000, concurrency: 1 });
    const subscription = t.service.subscribe(VAPID.publicKey);
    t.service.outage = 'auth';
    await t.messenger.send([outgoing('d1', subscription.address)]);
    const refused = await t.messenger.healthCheck();
    expect(refused.status).toBe('unhealthy');
    expect(refused.detail).toMatch(/refused this server's VAPID credentials \(401/);
    t.clock.advance(120_000); // what a send learnt is not a cached answer: it stays until a send says otherwise
    expect((await t.messenger.healthCheck()).status).toBe('unhealthy');
    t.service.outage = 'network';
    await t.messenger.send([outgoing('d2', subscription.address)]);
    expect(await t.messenger.healthCheck()).toMatchObject({
      status: 'degraded',
      detail: expect.stringMatching(/could not reach/),
    });
    t.service.outage = null;
    await t.messenger.send([outgoing('d3', subscription.address)]);
    expect(await t.messenger.healthCheck()).toEqual({ status: 'healthy' });
  });
});
