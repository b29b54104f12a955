/** healthCheck reads the balance, caches the answer by the injected clock, and shares one request. */
import { afterEach, describe, expect, it } from 'vitest';
import { type Rig, rig } from './fixtures/setup.js';

let t: Rig;
afterEach(async () => {
  await t.close();
});

describe('VonageMessenger health', () => {
  it('reads the balance once per healthCacheMs, however many checks ask', async () => {
    t = await rig({ healthCacheMs: 60_000 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => t.messenger.healthCheck()));
    expect(answers.every((a) => a.status === 'healthy')).toBe(true);
    expect(t.fake.balanceFetches).toBe(1);
    expect(t.fake.requests[0]).toMatchObject({ method: 'GET', path: '/account/get-balance' });
    t.fake.outage = 'auth';
    t.clock.advance(60_000);
    expect(await t.messenger.healthCheck()).toMatchObject({
      status: 'unhealthy',
      detail: expect.stringMatching(/HTTP 401/),
    });
  });

  it('is unhealthy without credit and when Vonage cannot be reached', async () => {
    t = await rig({ healthCacheMs: 0 });
    t.fake.balance = 0;
    expect(await t.messenger.healthCheck()).toEqual({
      status: 'unhealthy',
      detail: 'the Vonage account has no credit left',
    });
    t.fake.outage = 'network';
    expect((await t.messenger.healthCheck()).detail).toMatch(/could not reach Vonage/);
  });
});
