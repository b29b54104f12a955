import { messengerConformance } from '@sitemsg/testing/messenger';
import { WebhookMessenger } from '../src/index.js';
import { FakeWebhookService } from './fixtures/fake-webhook-service.js';

messengerConformance('WebhookMessenger', {
  async setup() {
    const service = await new FakeWebhookService().start();
    return {
      messenger: new WebhookMessenger({ baseUrl: service.url, secret: service.secret }),
      provider: service,
      validAddresses: ['@ada', '@grace', '@linus'],
      invalidAddress: 'ada without an at sign',
      user: { id: 42, chatHandle: '@margaret' },
      userAddress: '@margaret',
      teardown: () => service.stop(),
    };
  },
});
