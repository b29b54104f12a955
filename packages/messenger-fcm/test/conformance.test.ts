import { messengerConformance } from '@sitemsg/testing/messenger';
import { FcmMessenger } from '../src/index.js';
import { fcmError, TOKEN_ANSWERS } from './fixtures/fake-fcm.js';
import { SERVICE_ACCOUNT_FILE, startFake, TOKENS, token } from './fixtures/setup.js';

messengerConformance('FcmMessenger', {
  async setup() {
    const { fake, agent } = await startFake();
    const messenger = new FcmMessenger({
      serviceAccountFile: SERVICE_ACCOUNT_FILE,
      httpAgent: agent,
      // The suite changes the fake's state between two health checks without a clock: no cache here
      // (test/health.test.ts covers the cache with an injected clock).
      healthCacheMs: 0,
      logger: {}, // the refused-credentials case logs on purpose
    });
    return {
      messenger,
      provider: {
        received: async () =>
          fake.accepted.map((m) => {
            const notification = m.notification as { title?: string; body?: string } | undefined;
            return {
              address: String(m.token),
              text: notification?.body ?? '',
              ...(notification?.title !== undefined && { subject: notification.title }),
            };
          }),
        failAddress: (address, kind) => {
          fake.refused.set(
            address,
            kind === 'permanent'
              ? TOKEN_ANSWERS.unregistered
              : {
                  ...fcmError(500, 'INTERNAL', 'Internal error encountered.', 'INTERNAL'),
                  headers: { 'Retry-After': '2' },
                },
          );
        },
        failAll: (kind) => fake.outage(kind),
      },
      validAddresses: TOKENS,
      invalidAddress: 'not a token',
      user: { id: 1, fcmTokens: token(9) },
      userAddress: token(9),
      multiAddressUser: {
        user: { id: 2, fcmTokens: [token(11), token(12), token(13)] },
        addresses: [token(11), token(12), token(13)],
      },
      teardown: async () => {
        agent.destroy();
        await fake.close();
      },
    };
  },
});
