import { messengerConformance } from '@sitemsg/testing/messenger';
import { TwilioMessenger } from '../src/index.js';
import { FakeTwilio, twilioError } from '../src/testing.js';
import { ACCOUNT_SID, AUTH_TOKEN, FROM, NUMBERS } from './fixtures/setup.js';

messengerConformance('TwilioMessenger', {
  async setup() {
    const fake = await new FakeTwilio(ACCOUNT_SID, AUTH_TOKEN).start();
    const messenger = new TwilioMessenger({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      from: FROM,
      baseUrl: fake.url,
      timeoutMs: 5000,
      // The suite changes the fake's state between two health checks without a clock: no cache here
      // (test/health.test.ts covers the cache with an injected clock).
      healthCacheMs: 0,
      logger: {}, // the refused-credentials case logs on purpose
    });
    return {
      messenger,
      provider: {
        received: async () => fake.accepted.map((a) => ({ address: a.to, text: a.body })),
        failAddress: (address, kind) => {
          fake.refused.set(
            address,
            kind === 'permanent'
              ? twilioError(400, 21211, `The 'To' number ${address} is not a valid phone number.`)
              : { ...twilioError(503, 20500, 'Service Unavailable'), headers: { 'Retry-After': '5' } },
          );
        },
        failAll: (kind) => {
          fake.outage = kind;
        },
      },
      validAddresses: NUMBERS,
      invalidAddress: '+1 555 not a number',
      user: { id: 1, phone: '+447911123456' },
      userAddress: '+447911123456',
      teardown: () => fake.close(),
    };
  },
});
