export { type InboxStoreFactory, inboxDriver, sitemsgDriver } from './driver.js';
export { InboxAccessError, InboxNotFoundError } from './errors.js';
export type { InboxEventName, InboxEventTarget } from './events.js';
export { InboxMessenger, type InboxMessengerOptions } from './inbox-messenger.js';
export { MemoryInboxStore } from './memory-store.js';
export {
  type GetInboxOptions,
  type InboxPage,
  InboxService,
  type InboxServiceOptions,
  type SendInboxOptions,
} from './service.js';
export {
  INBOX_STORE_CONTRACT_VERSION,
  type InboxListQuery,
  type InboxMessage,
  type InboxPosition,
  type InboxStore,
  type NewInboxMessage,
  type OwnedOutcome,
} from './types.js';
