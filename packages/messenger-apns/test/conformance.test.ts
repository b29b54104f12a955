import { messengerConformance } from '@sitemsg/testing/messenger';
import { ApnsMessenger } from '../src/index.js';
import { optionsFor, startFake, TOKENS } from './fixtures/setup.js';

const OTHER: readonly [string, string, string] = [
  `d4${'fedcba9876543210'.repeat(3)}fedcba98765432`,
  `e5${'fedcba9876543210'.repeat(3)}fedcba98765432`,
  `f6${'fedcba9876543210'.repeat(3)}fedcba98765432`,
];

messengerConformance('ApnsMessenger', {
  async setup() {
    const fake = await startFake();
    const messenger = new ApnsMessenger(
      optionsFor(fake, {
        // The suite changes the fake's state between two health checks without a clock: no cache here
        // (test/health.test.ts covers the cache with an injected clock).
        healthCacheMs: 0,
        logger: {}, // the refused-credentials case logs on purpose
      }),
    );
    return {
      messenger,
      provider: {
        received: async () =>
          fake.accepted.map((a) => ({
            address: a.token,
            text: String((a.payload.aps?.alert as { body?: unknown } | undefined)?.body ?? ''),
          })),
        failAddress: (address, kind) => {
          fake.byToken.set(
            address,
            kind === 'permanent'
              ? { status: 400, reason: 'BadDeviceToken' }
              : { status: 429, reason: 'TooManyRequests' },
          );
        },
        failAll: (kind) => {
          fake.outage = kind;
        },
      },
      validAddresses: TOKENS,
      invalidAddress: 'not-a-device-token',
      user: { id: 1, apnsTokens: [OTHER[0]] },
      userAddress: OTHER[0],
      multiAddressUser: { user: { id: 2, apnsTokens: [...OTHER] }, addresses: OTHER },
      teardown: () => fake.close(),
    };
  },
});
