import { messengerConformance } from '@sitemsg/testing/messenger';
import { WebPushMessenger } from '../src/index.js';
import { FakePushService, pushError } from './fixtures/fake-push-service.js';
import { messengerOptions, VAPID } from './fixtures/setup.js';

messengerConformance('WebPushMessenger', {
  async setup() {
    const service = await new FakePushService().start();
    const messenger = new WebPushMessenger(
      messengerOptions(service, {
        // The suite flips the fake between checks without a clock: no cache (health.test.ts covers it).
        healthCacheMs: 0,
        logger: {}, // the refused-credentials case logs on purpose
      }),
    );
    const subscribe = () => service.subscribe(VAPID.publicKey);
    const [a, b, c] = [subscribe(), subscribe(), subscribe()];
    const own = subscribe();
    const devices = [subscribe(), subscribe(), subscribe()] as const;
    const byAddress = new Map([a, b, c, own, ...devices].map((s) => [s.address, s]));
    return {
      messenger,
      provider: {
        received: async () =>
          service.delivered.map((d) => ({
            address: d.subscription.address,
            text: String(d.notification.body),
            ...(typeof d.notification.title === 'string' && { subject: d.notification.title }),
            dispatchId: String(d.notification.dispatchId),
          })),
        failAddress: (address, kind) => {
          const subscription = byAddress.get(address);
          if (!subscription) throw new Error(`no test subscription has the address ${address}`);
          service.refused.set(
            subscription.id,
            kind === 'permanent'
              ? pushError(410, 'Subscription is no longer valid', 106)
              : { ...pushError(503, 'Service Unavailable', 201), headers: { 'Retry-After': '5' } },
          );
        },
        failAll: (kind) => {
          service.outage = kind;
        },
      },
      validAddresses: [a.address, b.address, c.address],
      invalidAddress: JSON.stringify({
        endpoint: `${service.origin}/push/x`,
        keys: { p256dh: 'AAAA', auth: 'AAAA' },
      }),
      user: { id: 1, pushSubscriptions: [own.toJSON()] },
      userAddress: own.address,
      multiAddressUser: {
        user: { id: 2, pushSubscriptions: devices.map((d) => d.toJSON()) },
        addresses: [devices[0].address, devices[1].address, devices[2].address],
      },
      // Web Push has no account to ask: health reflects what the last send learnt.
      healthFromSends: true,
      teardown: () => service.close(),
    };
  },
});
