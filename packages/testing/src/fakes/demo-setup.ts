import type { MessengerSetup } from '../messenger/harness.js';
import { startDemoProvider } from './demo-provider.js';
import { HttpDemoMessenger } from './http-demo-messenger.js';

/**
 * A started demo provider and an `HttpDemoMessenger` pointed at it, in the shape
 * `messengerConformance` takes: `messengerConformance('demo', { setup: createDemoMessengerSetup })`.
 */
export async function createDemoMessengerSetup(): Promise<MessengerSetup> {
  const provider = await startDemoProvider();
  const messenger = new HttpDemoMessenger({ baseUrl: provider.url, apiKey: provider.apiKey });
  return {
    messenger,
    provider,
    validAddresses: ['ada@example.test', 'grace@example.test', 'linus@example.test'],
    invalidAddress: 'not-an-address',
    user: { id: 'user-1', email: 'user-1@example.test' },
    userAddress: 'user-1@example.test',
    teardown: () => provider.close(),
  };
}
