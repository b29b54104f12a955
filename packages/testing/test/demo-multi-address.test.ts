import type { SitemsgUser } from '@sitemsg/core/plugin';
import { HttpDemoMessenger, startDemoProvider } from '../src/fakes.js';
import { messengerConformance } from '../src/messenger.js';

/** The demo messenger as a channel where a user has several addresses (like push devices). */
class DevicesDemoMessenger extends HttpDemoMessenger {
  protected override addressesFromUser(user: SitemsgUser): readonly string[] {
    return Array.isArray(user.emails) ? (user.emails as string[]) : [];
  }
}

messengerConformance('HttpDemoMessenger with several addresses per user', {
  async setup() {
    const provider = await startDemoProvider();
    const messenger = new DevicesDemoMessenger({ baseUrl: provider.url, apiKey: provider.apiKey });
    const addresses = ['d1@example.test', 'd2@example.test', 'd3@example.test'] as const;
    return {
      messenger,
      provider,
      validAddresses: ['ada@example.test', 'grace@example.test', 'linus@example.test'],
      invalidAddress: 'not-an-address',
      user: { id: 'user-1', emails: ['user-1@example.test'] },
      userAddress: 'user-1@example.test',
      multiAddressUser: { user: { id: 'user-2', emails: [...addresses] }, addresses },
      teardown: () => provider.close(),
    };
  },
});
