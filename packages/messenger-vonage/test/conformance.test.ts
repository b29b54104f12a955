import { messengerConformance } from '@sitemsg/testing/messenger';
import { VonageMessenger } from '../src/index.js';
import { FakeVonage } from '../src/testing.js';
import { API_KEY, API_SECRET, FROM, NUMBERS } from './fixtures/setup.js';

messengerConformance('VonageMessenger', {
  async setup() {
    const fake = await new FakeVonage(API_KEY, API_SECRET).start();
    const messenger = new VonageMessenger({
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      from: FROM,
      restHost: fake.url,
      timeoutMs: 5000,
      // The suite changes the fake's state between two health checks without a clock: no cache here
      // (test/health.test.ts covers the cache with an injected clock).
      healthCacheMs: 0,
      logger: {}, // the refused-credentials case logs on purpose
    });
    return {
      messenger,
      provider: {
        received: async () => fake.accepted.map((a) => ({ address: `+${a.to}`, text: a.text })),
        failAddress: (address, kind) => {
          fake.refused.set(
            address.slice(1),
            kind === 'permanent'
              ? { status: '6', errorText: 'Unroutable message - rejected' }
              : { status: '5', errorText: 'Internal Error' },
          );
        },
        failAll: (kind) => {
          fake.outage = kind;
        },
      },
      validAddresses: NUMBERS,
      invalidAddress: '+44 12',
      user: { id: 1, phone: '+14155552671' },
      userAddress: '+14155552671',
      teardown: () => fake.close(),
    };
  },
});
