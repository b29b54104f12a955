/** healthCheck fetches the account, caches the answer by the injected clock, and shares one request. */
import { afterEach, describe, expect, it } from 'vitest';
import { ACCOUNT_SID, type Rig, rig } from './fixtures/setup.js';

let t: Rig;
afterEach(async () => {
  await t.close();
});

describe('TwilioMessenger health', () => {
  it('fetches the account once per healthCacheMs, however many checks ask', async () => {
    t = await rig({ healthCacheMs: 60_000 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => t.messenger.healthCheck()));
    expect(answers.every((a) => a.status === 'healthy')).toBe(true);
    expect(t.fake.accountFetches).toBe(1);
    expect(t.fake.requests[0]).toMatchObject({
      method: 'GET',
      path: `/2010-04-01/Accounts/${ACCOUNT_SID}.json`,
    });
    t.fake.outage = 'auth';
    t.clock.advance(59_000);
    expect((await t.messenger.healthCheck()).status).toBe('healthy');
    t.clock.advance(1_000);
    const refused = await t.messenger.healthCheck();
    expect(refused.status).toBe('unhealthy');
    expect(refused.detail).toMatch(/401 20003/);
  });

  it('is unhealthy for a suspended account and when Twilio cannot be reached', async () => {
    t = await rig({ healthCacheMs: 0 });
    t.fake.accountStatus = 'suspended';
    expect(await t.messenger.healthCheck()).toEqual({
      status: 'unhealthy',
      detail: 'the Twilio account is suspended',
    });
    t.fake.outage = 'network';
    expect((await t.messenger.healthCheck()).detail).toMatch(/could not reach Twilio/);
  });
});
