import { messengerConformance } from '@sitemsg/testing/messenger';
import { SendgridMessenger } from '../src/index.js';
import { FakeSendgrid } from './fixtures/fake-sendgrid.js';
import { API_KEY } from './fixtures/setup.js';

messengerConformance('SendgridMessenger', {
  async setup() {
    const fake = await new FakeSendgrid(API_KEY).start();
    const messenger = new SendgridMessenger({
      apiKey: API_KEY,
      from: 'Conformance <conformance@example.com>',
      baseUrl: fake.url,
      timeoutMs: 5000,
      logger: {}, // the refused-credentials case logs on purpose
    });
    return {
      messenger,
      provider: {
        received: async () =>
          fake.accepted.map((a) => ({
            address: a.address,
            text: a.text,
            ...(a.subject !== undefined && { subject: a.subject }),
            ...(a.customArgs.dispatch_id !== undefined && { dispatchId: a.customArgs.dispatch_id }),
          })),
        failAddress: (address, kind) => {
          fake.refused.set(address, kind);
        },
        failAll: (kind) => {
          fake.outage = kind;
        },
      },
      validAddresses: ['ada@example.org', 'grace@example.org', 'linus@example.org'],
      invalidAddress: 'not-an-email',
      user: { id: 1, email: 'user@example.org' },
      userAddress: 'user@example.org',
      teardown: () => fake.close(),
    };
  },
});
